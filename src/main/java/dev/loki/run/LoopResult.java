package dev.loki.run;

/**
 * How a run ended. {@code status} is the final autonomy-state status (upstream's names);
 * {@code exitCode} what {@code loki start} exits with.
 */
public record LoopResult(String status, int exitCode, String reason, int iterations) {
}
