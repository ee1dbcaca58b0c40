package dev.loki.provider;

import java.nio.file.Path;
import java.util.List;

/**
 * How a provider process ended. {@code exitCode} is 124 on timeout and 130 when loki cancelled
 * it (Ctrl+C twice, {@code loki stop}). {@code leftovers}: processes it left running when it
 * ended (background jobs, daemons that left its group), each named; all of them were killed.
 * {@code outputCut}: loki killed it for writing more than {@code LOKI_MAX_OUTPUT_MB} to its
 * capture file (its exit code is then loki's signal, not its own).
 */
public record ProcessOutcome(int exitCode, boolean timedOut, boolean cancelled, long durationMs, Path capture,
        List<String> leftovers, boolean outputCut) {

    public static final int TIMEOUT_EXIT = 124;
    public static final int CANCELLED_EXIT = 130;

    public ProcessOutcome {
        leftovers = List.copyOf(leftovers);
    }

    public ProcessOutcome(int exitCode, boolean timedOut, boolean cancelled, long durationMs, Path capture) {
        this(exitCode, timedOut, cancelled, durationMs, capture, List.of(), false);
    }
}
