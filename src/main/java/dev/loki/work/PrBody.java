package dev.loki.work;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * A pull request's body from the run's proof: verdict, gates, council votes, files, cost, the
 * checkpoint chain and how to check it all again. Reads the proof only (already redacted).
 */
final class PrBody {
    private static final int MAX_FILES = 50;

    private PrBody() {
    }

    static String render(JsonNode proof, Optional<Issue> issue, String baseSha) {
        StringBuilder b = new StringBuilder();
        issue.ifPresent(i -> b.append("Closes ").append(closesRef(i)).append("\n\n"));
        String runId = proof.path("run_id").asText();
        JsonNode run = proof.path("run");
        b.append("## Proof of run `").append(runId).append("`\n\n");
        b.append("- **Verdict:** ").append(run.path("status").asText()).append(" - ")
                .append(run.path("exit_reason").asText()).append('\n');
        b.append("- **Proof sha256:** `").append(proof.path("verification").path("hash").asText()).append("`\n");
        JsonNode it = proof.path("iterations");
        b.append("- **Iterations:** ").append(it.path("count").asInt()).append(" (")
                .append(it.path("succeeded").asInt()).append(" succeeded, ").append(it.path("failed").asInt())
                .append(" failed)\n");
        JsonNode cost = proof.path("cost");
        b.append("- **Cost:** ").append(cost.path("usd").isNumber()
                ? String.format(java.util.Locale.ROOT, "$%.4f", cost.path("usd").asDouble()) : "not measured")
                .append(" (").append(cost.path("input_tokens").asLong()).append(" input / ")
                .append(cost.path("output_tokens").asLong()).append(" output tokens)\n\n");

        JsonNode gates = proof.path("quality_gates");
        b.append("### Quality gates\n\n");
        if (gates.path("gates").isEmpty()) {
            b.append("No gate ran.\n\n");
        } else {
            b.append(gates.path("passed").asInt()).append(" of ").append(gates.path("total").asInt())
                    .append(" passed.\n\n| gate | status |\n|---|---|\n");
            for (JsonNode g : gates.path("gates")) {
                b.append("| ").append(cell(g.path("name").asText())).append(" | ")
                        .append(cell(g.path("status").asText())).append(" |\n");
            }
            b.append('\n');
        }

        JsonNode council = proof.path("council");
        b.append("### Completion council\n\n");
        if (!council.path("enabled").asBoolean(false) && council.path("reviewers").isEmpty()) {
            b.append("The council was off for this run.\n\n");
        } else {
            b.append("Verdict: ").append(council.path("final_verdict").asText("none")).append("\n\n");
            for (JsonNode r : council.path("reviewers")) {
                b.append("- ").append(r.path("role").asText()).append(": **").append(r.path("vote").asText())
                        .append("** ").append(oneLine(r.path("summary").asText())).append('\n');
            }
            b.append('\n');
        }

        JsonNode files = proof.path("files_changed");
        b.append("### Files changed\n\n").append(files.path("count").asInt()).append(" file(s), +")
                .append(files.path("insertions").asInt()).append(" -").append(files.path("deletions").asInt())
                .append("\n\n");
        int n = 0;
        for (JsonNode f : files.path("files")) {
            if (n++ == MAX_FILES) {
                b.append("- ... and ").append(files.path("files").size() - MAX_FILES).append(" more\n");
                break;
            }
            b.append("- `").append(f.path("path").asText()).append("` (").append(f.path("status").asText())
                    .append(")\n");
        }
        b.append("\n### Checkpoint chain\n\n");
        for (JsonNode c : proof.path("checkpoints")) {
            b.append("1. `").append(c.path("id").asText()).append("` ").append(oneLine(c.path("message").asText()))
                    .append('\n');
        }
        b.append("\n### Check it yourself\n\n```\nloki verify ").append(baseSha).append("\nloki proof verify ")
                .append(runId).append("   # in the run's worktree (loki runs)\n```\n");
        return b.toString();
    }

    static String closesRef(Issue i) {
        return i.url().isEmpty() ? i.ref() : i.url();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replaceAll("\\s+", " ");
    }

    private static String oneLine(String s) {
        String t = s.replaceAll("\\s+", " ").strip();
        return t.length() > 160 ? t.substring(0, 160) + "..." : t;
    }
}
