package dev.loki.proof;

import com.fasterxml.jackson.databind.JsonNode;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;

/**
 * Renders the one-file HTML report with the precompiled jte template {@code proof/report.jte}
 * (HTML-escaped by the engine; no scripts, no external resources).
 */
final class ProofReport {
    private static final TemplateEngine ENGINE = TemplateEngine.createPrecompiled(ContentType.Html);

    private ProofReport() {
    }

    static String render(JsonNode redactedProof) {
        StringOutput out = new StringOutput();
        ENGINE.render("proof/report.jte", ProofView.of(redactedProof), out);
        return out.toString();
    }
}
