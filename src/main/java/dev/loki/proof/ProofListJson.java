package dev.loki.proof;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.Json;

/**
 * One proof as {@code loki proof list --json} lists it: every front door that lists proofs (CLI,
 * MCP) builds its items here, so their answers cannot drift apart.
 */
public final class ProofListJson {
    private ProofListJson() {
    }

    public static ObjectNode of(ProofStore.Entry e) {
        ObjectNode o = Json.object();
        JsonNode p = e.proof().orElse(Json.object());
        o.put("run_id", e.id());
        o.set("generated_at", p.path("generated_at").isMissingNode() ? null : p.path("generated_at"));
        o.set("final_verdict", p.path("council").path("final_verdict").isMissingNode() ? null
                : p.path("council").path("final_verdict"));
        o.set("cost_usd", p.path("cost").path("usd").isMissingNode() ? null : p.path("cost").path("usd"));
        o.set("files_changed", p.path("files_changed").path("count").isMissingNode() ? null
                : p.path("files_changed").path("count"));
        o.put("has_html", e.hasHtml());
        o.put("readable", e.proof().isPresent());
        o.put("integrity", e.proof().isEmpty() ? "unreadable"
                : SharePolicy.isLegacy(p) ? SharePolicy.LEGACY_MARK : "hashed");
        return o;
    }
}
