package dev.loki.process;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How a child ended. {@code exitCode} is the child's own (128+signal when killed);
 * {@code timedOut} and {@code cancelled} say loki killed it. {@code outputCut} means output
 * beyond the limit was dropped (memory) or the child was killed for writing too much (file).
 * {@code leftovers} names processes still running in the child's group when it ended (killed);
 * {@code escaped} names descendants that had left the group (their own session) and were found
 * alive afterwards (killed too).
 */
public record Outcome(int exitCode, boolean timedOut, boolean cancelled, long durationMs, byte[] stdout,
        byte[] stderr, boolean outputCut, List<String> leftovers, List<String> escaped) {
    public Outcome {
        leftovers = List.copyOf(leftovers);
        escaped = List.copyOf(escaped);
    }

    /** Exited 0 on its own. */
    public boolean ok() {
        return exitCode == 0 && !timedOut && !cancelled;
    }

    public String out() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    public String err() {
        return new String(stderr, StandardCharsets.UTF_8);
    }
}
