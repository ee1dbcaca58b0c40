package dev.loki.council;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.gate.GateReport;
import dev.loki.gate.GateResult;
import dev.loki.git.GitCli;
import dev.loki.git.GitException;
import dev.loki.store.JsonFiles;
import java.time.Duration;
import java.util.List;

/**
 * What every council member is shown: the spec, the repository's state, the last gate
 * results, the queue, and (only without blind validation) the convergence numbers. Bounded in
 * size so a huge spec or status cannot blow the provider's context.
 */
final class Evidence {
    private static final int SPEC_LINES = 100;
    private static final int MAX_SECTION = 8_000;

    private Evidence() {
    }

    static String build(CouncilContext ctx, CouncilSettings settings, JsonNode state) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Council evidence, iteration ").append(ctx.iteration());
        if (ctx.maxIterations() > 0) {
            sb.append(" of at most ").append(ctx.maxIterations());
        }
        sb.append("\n\n## Specification (first ").append(SPEC_LINES).append(" lines)\n\n");
        String spec = ctx.specText().isBlank() ? "(no specification given)" : firstLines(ctx.specText(), SPEC_LINES);
        sb.append(cap(spec)).append("\n\n");
        sb.append("## git status --short\n\n").append(cap(git(ctx, "status", "--short"))).append("\n\n");
        sb.append("## git log --oneline -10\n\n").append(cap(git(ctx, "log", "--oneline", "-10"))).append("\n\n");
        sb.append("## Quality gates of the last iteration\n\n");
        sb.append(ctx.lastGates().map(Evidence::gates).orElse("(no gate results)")).append("\n\n");
        sb.append("## Task queue\n\n").append(queue(ctx)).append("\n");
        if (!settings.blindValidation()) {
            sb.append("\n## Convergence\n\n")
                    .append("- iterations without code change in a row: ").append(state.path("consecutive_no_change").asInt())
                    .append("\n- completion signals in a row: ").append(state.path("consecutive_done_signals").asInt())
                    .append("\n- completion signals in total: ").append(state.path("done_signals").asInt()).append("\n");
        }
        return sb.toString();
    }

    static String gates(GateReport r) {
        StringBuilder sb = new StringBuilder();
        for (GateResult g : r.results()) {
            sb.append("- ").append(g.name()).append(": ").append(g.status()).append(" - ")
                    .append(firstLines(g.summary(), 8)).append('\n');
        }
        if (r.codeReviewBlocked()) {
            sb.append("- code review BLOCKED completion this iteration\n");
        }
        return cap(sb.toString());
    }

    private static String queue(CouncilContext ctx) {
        StringBuilder sb = new StringBuilder();
        for (String q : List.of("pending", "in-progress", "completed", "failed")) {
            JsonNode n = JsonFiles.peek(ctx.lokiDir().resolve("queue").resolve(q + ".json")).orElse(null);
            if (n == null) {
                continue;
            }
            JsonNode arr = n.isArray() ? n : n.path("tasks");
            sb.append("- ").append(q).append(": ").append(arr.isArray() ? arr.size() : 0).append(" task(s)\n");
        }
        return sb.length() == 0 ? "(no queue files)\n" : sb.toString();
    }

    private static String git(CouncilContext ctx, String... args) {
        try {
            GitCli.Result r = GitCli.in(ctx.workTree(), ctx.env()).withTimeout(Duration.ofSeconds(30)).exec(args);
            String out = r.ok() ? r.out().strip() : "(git " + args[0] + " failed: " + r.stderr().strip() + ")";
            return out.isEmpty() ? "(nothing)" : out;
        } catch (GitException e) {
            return "(git " + args[0] + " failed: " + e.getMessage() + ")";
        }
    }

    static String firstLines(String text, int n) {
        String[] lines = text.split("\r?\n", n + 1);
        return String.join("\n", java.util.Arrays.asList(lines).subList(0, Math.min(n, lines.length)));
    }

    private static String cap(String s) {
        return s.length() > MAX_SECTION ? s.substring(0, MAX_SECTION) + "\n...(truncated)" : s;
    }
}
