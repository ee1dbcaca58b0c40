package dev.loki.checkpoint;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.Json;

/**
 * One checkpoint as JSON, the shape of {@code loki rollback list --json}: every front door (CLI,
 * MCP) that lists checkpoints builds its items here, so their answers cannot drift apart.
 */
public final class CheckpointJson {
    private CheckpointJson() {
    }

    public static ObjectNode of(Checkpoint c) {
        ObjectNode o = Json.object();
        o.put("id", c.id());
        o.put("kind", c.kind().label());
        o.put("created_at", c.createdAt().toString());
        o.put("timestamp", c.timestamp());
        o.put("iteration", c.iteration());
        o.put("task_id", c.taskId());
        o.put("task_description", c.taskDescription());
        o.put("message", c.message());
        o.put("git_sha", c.gitSha());
        o.put("git_branch", c.gitBranch());
        o.put("provider", c.provider());
        o.put("phase", c.phase());
        o.put("format", c.format());
        ObjectNode s = o.putObject("snapshot");
        s.put("status", c.snapshot().status());
        c.snapshot().commit().ifPresent(v -> s.put("commit", v));
        if (!c.snapshot().reason().isBlank()) {
            s.put("reason", c.snapshot().reason());
        }
        ArrayNode skipped = s.putArray("skipped");
        c.snapshot().skipped().forEach(skipped::add);
        ArrayNode state = o.putArray("state_files");
        c.stateFiles().forEach(state::add);
        return o;
    }
}
