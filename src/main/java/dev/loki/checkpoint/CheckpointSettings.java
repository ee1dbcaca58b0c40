package dev.loki.checkpoint;

import dev.loki.LokiException;
import java.time.Duration;
import java.util.Map;

/**
 * Checkpoint limits, from the environment: {@code LOKI_CHECKPOINT_RETENTION} (newest N kept,
 * default 50), {@code LOKI_CHECKPOINT_MAX_FILE_MB} (larger files are left out of code snapshots,
 * default 50), {@code LOKI_CHECKPOINT_TIMEOUT} (seconds a code snapshot may take before the
 * checkpoint is recorded as state-only, default 60) and {@code LOKI_CHECKPOINT_REPACK_HOURS}
 * (how often pruning also repacks the snapshot store, default 1).
 */
public record CheckpointSettings(int retention, long maxFileBytes, Duration snapshotBudget, Duration repackEvery) {

    public static CheckpointSettings fromEnv(Map<String, String> env) {
        int retention = (int) number(env, "LOKI_CHECKPOINT_RETENTION", 50, 1, 100_000);
        long maxMb = number(env, "LOKI_CHECKPOINT_MAX_FILE_MB", 50, 0, 1_000_000);
        long seconds = number(env, "LOKI_CHECKPOINT_TIMEOUT", 60, 1, 86_400);
        long repackHours = number(env, "LOKI_CHECKPOINT_REPACK_HOURS", 1, 0, 10_000);
        return new CheckpointSettings(retention, maxMb * 1024 * 1024, Duration.ofSeconds(seconds),
                Duration.ofHours(repackHours));
    }

    private static long number(Map<String, String> env, String name, long dflt, long min, long max) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.strip());
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw LokiException.badInput(name + "='" + v + "' is not a whole number from " + min + " to " + max);
        }
    }
}
