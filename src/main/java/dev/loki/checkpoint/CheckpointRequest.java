package dev.loki.checkpoint;

/**
 * What to record in a new checkpoint. {@code captureCode} false makes a state-only checkpoint;
 * {@code prune} false defers retention (a rollback prunes only after it has finished).
 */
public record CheckpointRequest(CheckpointKind kind, String message, int iteration, String taskId,
        String taskDescription, String provider, boolean captureCode, boolean prune) {

    public CheckpointRequest {
        message = message == null ? "" : message;
        taskId = taskId == null ? "unknown" : taskId;
        taskDescription = taskDescription == null ? message : taskDescription;
        provider = provider == null ? "" : provider;
    }

    /** The loop's checkpoint after iteration {@code n}. */
    public static CheckpointRequest iteration(int n, String taskId, String taskDescription, String provider) {
        return new CheckpointRequest(CheckpointKind.ITERATION, taskDescription, n, taskId, taskDescription, provider,
                true, true);
    }

    /** {@code loki checkpoint create [message]}. */
    public static CheckpointRequest manual(String message) {
        String m = message == null || message.isBlank() ? "manual checkpoint" : message;
        return new CheckpointRequest(CheckpointKind.MANUAL, m, -1, "manual", m, null, true, true);
    }

    /** {@code POST /api/checkpoints}. */
    public static CheckpointRequest dashboard(String message) {
        String m = message == null || message.isBlank() ? "dashboard checkpoint" : message;
        return new CheckpointRequest(CheckpointKind.DASHBOARD, m, -1, "dashboard", m, null, true, true);
    }

    /** The safety checkpoint taken before a rollback overwrites anything. */
    static CheckpointRequest preRollback(String targetId) {
        String m = "pre-rollback snapshot (before restoring " + targetId + ")";
        return new CheckpointRequest(CheckpointKind.PRE_ROLLBACK, m, -1, "rollback", m, null, true, false);
    }

    public CheckpointRequest withoutCode() {
        return new CheckpointRequest(kind, message, iteration, taskId, taskDescription, provider, false, prune);
    }
}
