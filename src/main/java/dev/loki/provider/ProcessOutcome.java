package dev.loki.provider;

import java.nio.file.Path;

/**
 * How a provider process ended. {@code exitCode} is 124 on timeout and 130 when loki cancelled
 * it (Ctrl+C twice, {@code loki stop}).
 */
public record ProcessOutcome(int exitCode, boolean timedOut, boolean cancelled, long durationMs, Path capture) {
    public static final int TIMEOUT_EXIT = 124;
    public static final int CANCELLED_EXIT = 130;
}
