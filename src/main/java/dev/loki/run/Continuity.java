package dev.loki.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.git.GitCli;
import dev.loki.git.GitException;
import dev.loki.store.AtomicFiles;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rewrites {@code .loki/CONTINUITY.md} each iteration: the working memory the agent reads first
 * (current state, last commit and its files, blockers, next tasks, recent decisions).
 */
public final class Continuity {
    private final LokiDir dir;
    private final Map<String, String> env;

    public Continuity(LokiDir dir, Map<String, String> env) {
        this.dir = dir;
        this.env = env;
    }

    /** The facts of the moment. */
    public record Snapshot(int iteration, int maxIterations, String phase, String provider, Duration elapsed,
            String lastGates) {
    }

    public void write(Snapshot s) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Session Continuity\n\nUpdated: ").append(Instant.now()).append("\n\n");
        md.append("## Current State\n\n");
        md.append("- Iteration: ").append(s.iteration()).append(" of ").append(s.maxIterations()).append('\n');
        md.append("- Phase: ").append(s.phase()).append('\n');
        md.append("- RARV Step: ").append(s.phase()).append('\n');
        md.append("- Provider: ").append(s.provider()).append('\n');
        md.append("- Elapsed: ").append(s.elapsed().toSeconds()).append("s\n");
        md.append("- Last gates: ").append(s.lastGates().isEmpty() ? "not run yet" : s.lastGates()).append("\n\n");
        md.append("## Last Completed Task\n\n").append(lastCommit()).append('\n');
        md.append("## Active Blockers\n\n").append(list(Queue.tasks(dir, "blocked"), 3, "none")).append('\n');
        md.append("## Next Up\n\n").append(list(Queue.tasks(dir, "pending"), 3, "nothing queued")).append('\n');
        md.append("## Key Decisions This Session\n\n").append(decisions()).append('\n');
        AtomicFiles.writeString(dir.resolve("CONTINUITY.md"), md.toString());
    }

    private String lastCommit() {
        try {
            GitCli.Result r = GitCli.in(dir.workTree(), env).exec(List.of("log", "-1", "--name-only", "--format=%s"),
                    null, Duration.ofSeconds(10));
            if (!r.ok() || r.out().isBlank()) {
                return "- no commit yet\n";
            }
            List<String> lines = r.out().lines().filter(l -> !l.isBlank()).toList();
            StringBuilder sb = new StringBuilder("- " + lines.get(0) + "\n");
            lines.stream().skip(1).limit(5).forEach(f -> sb.append("  - ").append(f).append('\n'));
            return sb.toString();
        } catch (GitException e) {
            return "- not a git repository\n";
        }
    }

    private static String list(List<JsonNode> tasks, int max, String none) {
        if (tasks.isEmpty()) {
            return "- " + none + "\n";
        }
        StringBuilder sb = new StringBuilder();
        tasks.stream().limit(max).forEach(t -> sb.append("- ")
                .append(t.path("title").asText(t.path("id").asText("task"))).append('\n'));
        return sb.toString();
    }

    private String decisions() {
        JsonNode t = JsonFiles.peek(dir.resolve("memory/timeline.json")).orElse(null);
        if (t == null) {
            return "- none recorded\n";
        }
        JsonNode arr = t.isArray() ? t : t.path("decisions");
        List<String> out = new ArrayList<>();
        arr.forEach(d -> out.add(d.isTextual() ? d.asText() : d.path("decision").asText(d.toString())));
        if (out.isEmpty()) {
            return "- none recorded\n";
        }
        StringBuilder sb = new StringBuilder();
        out.subList(Math.max(0, out.size() - 5), out.size()).forEach(d -> sb.append("- ").append(d).append('\n'));
        return sb.toString();
    }
}
