package dev.loki.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.LokiDir;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The iteration prompt, in upstream's "static-first" layout: a {@code <loki_system>} block that
 * is the same every iteration (so a provider can cache it), then a {@code <dynamic_context>}
 * block with what changed: the retry, a human directive, the previous gate failures, queued
 * tasks and the completion instructions. Full providers get the spec's path and read it
 * themselves; degraded ones (codex, aider) get its first 4000 bytes inlined.
 */
public final class PromptBuilder {
    /** Everything one prompt depends on. */
    public record Inputs(String specPath, String specText, int iteration, int maxIterations, int retry,
            Optional<String> directive, String gateFailures, String completionPromise, boolean perpetual,
            boolean degraded) {
    }

    private final LokiDir dir;
    private final java.util.Map<String, String> env;

    public PromptBuilder(LokiDir dir) {
        this(dir, java.util.Map.of());
    }

    public PromptBuilder(LokiDir dir, java.util.Map<String, String> env) {
        this.dir = dir;
        this.env = env;
    }

    public String build(Inputs in) {
        List<String> lines = new ArrayList<>();
        lines.add("<loki_system>");
        if (in.degraded()) {
            lines.add("Loki Mode with PRD at " + in.specPath());
            lines.add("You are a coding assistant. Read and implement the requirements from the PRD. Write working"
                    + " code, run tests if possible, and commit changes.");
        } else {
            lines.add("Loki Mode with PRD at " + in.specPath());
            lines.add("Work in a Reason-Act-Reflect-Verify cycle: 1) REASON - read .loki/CONTINUITY.md, the PRD and"
                    + " .loki/queue/ and pick the most important unfinished work. 2) ACT - implement it with small,"
                    + " tested changes and commit them locally. 3) REFLECT - update .loki/CONTINUITY.md with what you"
                    + " did and what is next. 4) VERIFY - run the tests and fix what fails before moving on.");
            lines.add("CRITICAL AUTONOMY RULES: nobody is watching; never ask questions or wait for confirmation."
                    + (in.perpetual() ? " Keep improving the project; never declare it finished."
                            : " When the whole PRD is implemented and verified, claim completion as described below."));
            lines.add("Keep notes for the next iteration in .loki/CONTINUITY.md; log test results to .loki/logs/.");
        }
        lines.add("</loki_system>");
        lines.add("<dynamic_context iteration=\"" + in.iteration() + "\" retry=\"" + in.retry() + "\">");
        if (in.retry() > 0) {
            lines.add("Resume iteration #" + in.iteration() + " (retry #" + in.retry() + "). PRD: " + in.specPath());
        }
        in.directive().filter(d -> !d.isBlank()).ifPresent(d -> lines.add((in.degraded() ? "Priority: " : "HUMAN_DIRECTIVE"
                + " (PRIORITY): ") + cut(d, "the whole directive is in .loki/logs/human-input-*.md")
                + " Execute this directive BEFORE continuing normal tasks."));
        if (!in.gateFailures().isBlank()) {
            lines.add("QUALITY GATE FAILURES FROM PREVIOUS ITERATION: " + cut(in.gateFailures().strip(),
                    "the whole text is in .loki/quality/gate-failures.txt")
                    + " FIX THESE ISSUES BEFORE PROCEEDING WITH NEW WORK.");
        }
        String queue = cut(queued(), "the queue is in .loki/queue/");
        if (!queue.isEmpty()) {
            lines.add((in.degraded() ? "Tasks: " : "QUEUED_TASKS (PRIORITY): ") + queue
                    + "\nExecute these tasks BEFORE finding new improvements.");
        }
        dev.loki.memory.PromptMemories.block(dir, env, in.specText() + "\n" + in.gateFailures() + "\n"
                + in.directive().orElse("") + "\n" + queue, in.iteration()).ifPresent(lines::add);
        if (in.degraded() && !in.specText().isEmpty()) {
            String spec = in.specText();
            byte[] b = spec.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (b.length > 4000) {
                spec = new String(b, 0, 4000, java.nio.charset.StandardCharsets.UTF_8);
            }
            lines.add("PRD contents:\n" + spec);
        }
        if (!in.perpetual() && !in.completionPromise().isEmpty()) {
            lines.add("COMPLETION_PROMISE: [" + in.completionPromise() + "]. When this is true and verified, call the"
                    + " loki_complete_task tool with the statement, your evidence and your confidence. FALLBACK:"
                    + " write the statement to .loki/signals/COMPLETION_REQUESTED (touching it is enough)."
                    + " Iteration " + in.iteration() + " of max " + in.maxIterations() + ".");
        } else {
            lines.add("NO COMPLETION PROMISE SET. Continue finding improvements. Iteration " + in.iteration()
                    + " of max " + in.maxIterations() + ".");
        }
        lines.add("</dynamic_context>");
        return String.join("\n", lines) + "\n";
    }

    /**
     * Characters one part of the prompt (gate failures, a directive, the queue) may take. Claude,
     * codex, cline and aider get the prompt as one argument, which Linux caps at 128 KiB: a test
     * suite that printed one long failing line made every later iteration fail to start.
     */
    static final int MAX_PART = 16 * 1024;

    /** {@code text}, cut to {@link #MAX_PART} characters with a note saying where the rest is. */
    static String cut(String text, String whereTheRestIs) {
        if (text.length() <= MAX_PART) {
            return text;
        }
        int end = Character.isLowSurrogate(text.charAt(MAX_PART)) ? MAX_PART - 1 : MAX_PART;
        return text.substring(0, end) + "\n[... " + (text.length() - end) + " more characters cut; " + whereTheRestIs
                + "]";
    }

    /** Up to 3 in-progress and 3 pending tasks. */
    String queued() {
        List<JsonNode> inProgress = Queue.tasks(dir, "in-progress");
        List<JsonNode> pending = Queue.tasks(dir, "pending");
        List<String> parts = new ArrayList<>();
        if (!inProgress.isEmpty()) {
            parts.add("IN-PROGRESS TASKS (EXECUTE THESE):");
            for (int i = 0; i < Math.min(3, inProgress.size()); i++) {
                parts.add(Queue.describe(inProgress.get(i), i + 1, "TASK"));
            }
        }
        if (!pending.isEmpty()) {
            if (!parts.isEmpty()) {
                parts.add("---");
            }
            parts.add("PENDING:");
            for (int i = 0; i < Math.min(3, pending.size()); i++) {
                parts.add(Queue.describe(pending.get(i), i + 1, "PENDING"));
            }
        }
        return String.join("\n", parts);
    }
}
