package dev.loki.checkpoint;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.Json;
import java.util.List;
import java.util.Map;

/**
 * One checkpoint as JSON, the shape of {@code loki rollback list --json}: every front door (CLI,
 * MCP, dashboard) that lists checkpoints builds its items here, and every answer about a rollback
 * builds its kept paths here, so their answers cannot drift apart.
 */
public final class CheckpointJson {
    private CheckpointJson() {
    }

    /** The checkpoint, with {@code pinned} (why retention keeps it whatever its age) when {@code pins} names it. */
    public static ObjectNode of(Checkpoint c, Map<String, String> pins) {
        ObjectNode o = of(c);
        String why = pins.get(c.id());
        if (why != null) {
            o.put("pinned", why);
        }
        return o;
    }

    /**
     * The paths a rollback leaves as they are, each with what is known about it and why in
     * {@link KeptPath#describe} words ({@code kept} in {@code loki rollback to --json}, MCP and
     * the dashboard).
     */
    public static ArrayNode kept(List<KeptPath> kept, boolean dryRun) {
        ArrayNode arr = Json.MAPPER.createArrayNode();
        for (KeptPath k : kept) {
            ObjectNode x = arr.addObject();
            x.put("path", k.path());
            x.put("in_checkpoint", k.inCheckpoint());
            x.put("differs", k.differs());
            x.put("reason_now", k.reasonNow());
            x.put("reason_then", k.reasonThen());
            x.put("message", k.describe(dryRun));
        }
        return arr;
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
