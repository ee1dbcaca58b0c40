package dev.loki.council;

import dev.loki.gate.GateReport;
import dev.loki.gate.GateResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The anti-sycophancy check on a unanimous approval. Hard evidence vetoes outright (upstream's
 * heuristic devil's advocate): failing tests or failing static analysis in the last gates. Then
 * a contrarian member is asked; its REJECT (or its failure to answer) costs one approval, as
 * upstream's LLM contrarian does.
 */
final class DevilsAdvocate {
    /** vetoes: hard-evidence reasons; contrarian: the contrarian's ballot when it was asked. */
    record Review(List<String> vetoes, Optional<Ballot> contrarian) {
        boolean contrarianRejected() {
            return contrarian.map(b -> b.vote().equals(Vote.REJECT)).orElse(false);
        }
    }

    private DevilsAdvocate() {
    }

    static List<String> vetoes(Optional<GateReport> gates) {
        List<String> out = new ArrayList<>();
        gates.ifPresent(g -> {
            for (GateResult r : g.results()) {
                boolean bad = GateResult.FAIL.equals(r.status()) || GateResult.ERROR.equals(r.status());
                if (bad && r.name().equals("test_coverage")) {
                    out.add("the project's tests did not pass in iteration " + g.iteration() + ": "
                            + Evidence.firstLines(r.summary(), 3));
                } else if (GateResult.FAIL.equals(r.status()) && r.name().equals("static_analysis")) {
                    out.add("static analysis failed in iteration " + g.iteration() + ": "
                            + Evidence.firstLines(r.summary(), 3));
                }
            }
            if (g.codeReviewBlocked()) {
                out.add("code review blocked completion in iteration " + g.iteration());
            }
        });
        return out;
    }
}
