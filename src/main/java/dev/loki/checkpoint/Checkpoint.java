package dev.loki.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A checkpoint on disk, ours or one written by upstream's writers, read into one shape.
 *
 * @param format      {@code loki-jvm} for ours; {@code upstream} for checkpoints upstream wrote
 * @param snapshot    what happened to the code snapshot
 * @param stateFiles  .loki-relative paths of the agent state copied into the checkpoint
 */
public record Checkpoint(String id, CheckpointKind kind, Instant createdAt, String timestamp, int iteration,
        String taskId, String taskDescription, String message, String gitSha, String gitBranch, String provider,
        String phase, CodeSnapshot snapshot, List<String> stateFiles, String format, Path dir, JsonNode metadata) {

    public Optional<String> snapshotCommit() {
        return snapshot.commit();
    }

    public boolean isOurs() {
        return "loki-jvm".equals(format);
    }

    /** What to show as a one-line description. */
    public String summary() {
        if (!message.isBlank()) {
            return message;
        }
        return taskDescription;
    }
}
