package dev.loki.checkpoint;

/**
 * How to roll back: {@code stateOnly} leaves the code alone; {@code force} proceeds while a
 * run is live or when the pre-rollback snapshot failed; {@code dryRun} only reports.
 */
public record RollbackOptions(boolean stateOnly, boolean force, boolean dryRun) {
    public static RollbackOptions defaults() {
        return new RollbackOptions(false, false, false);
    }
}
