package dev.loki.dashboard.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.dashboard.BoundedFiles;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The task queue as upstream lays it out: {@code dashboard-state.json} columns first, then
 * {@code queue/{pending,in-progress,completed,failed,dead-letter}.json} (an array or
 * {@code {tasks:[...]}}), de-duplicated by id, each normalised to one shape.
 */
public final class TaskReader {
    private static final Map<String, String> QUEUES = Map.of(
            "pending", "pending", "in-progress", "in_progress", "completed", "done", "failed", "failed",
            "dead-letter", "dead_letter");
    private static final List<String> ORDER = List.of("pending", "in-progress", "completed", "failed", "dead-letter");
    private static final Map<String, String> COLUMNS = Map.of(
            "pending", "pending", "inProgress", "in_progress", "review", "review", "completed", "done", "failed",
            "failed");

    private TaskReader() {
    }

    public static List<ObjectNode> all(LokiDir loki) {
        List<ObjectNode> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        BoundedFiles.json(loki, loki.resolve("dashboard-state.json")).ifPresent(d -> {
            for (String col : List.of("pending", "inProgress", "review", "completed", "failed")) {
                for (JsonNode t : d.path("tasks").path(col)) {
                    add(out, seen, t, COLUMNS.get(col), "dashboard-state");
                }
            }
        });
        for (String q : ORDER) {
            for (JsonNode t : tasks(loki, loki.resolve("queue/" + q + ".json"))) {
                add(out, seen, t, QUEUES.get(q), "queue");
            }
        }
        return out;
    }

    /** Number of tasks in one queue file. */
    public static int count(LokiDir loki, Path file) {
        int n = 0;
        for (JsonNode ignored : tasks(loki, file)) {
            n++;
        }
        return n;
    }

    private static JsonNode tasks(LokiDir loki, Path file) {
        JsonNode n = BoundedFiles.json(loki, file).orElse(Json.MAPPER.createArrayNode());
        if (n.isObject()) {
            n = n.path("tasks");
        }
        return n.isArray() ? n : Json.MAPPER.createArrayNode();
    }

    private static void add(List<ObjectNode> out, Set<String> seen, JsonNode t, String status, String source) {
        if (!t.isObject()) {
            return;
        }
        String id = t.path("id").asText("");
        if (!id.isEmpty() && !seen.add(id)) {
            return;
        }
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("title", text(t, "title"));
        o.put("description", text(t, "description"));
        o.put("status", status);
        JsonNode prio = t.has("priority") ? t.get("priority") : t.path("payload").path("priority");
        if (prio.isValueNode()) {
            o.set("priority", prio);
        } else {
            o.putNull("priority");
        }
        o.put("type", t.path("type").asText(""));
        o.put("source", source);
        for (String keep : List.of("acceptance_criteria", "notes", "provider", "startedAt")) {
            if (t.has(keep)) {
                o.set(keep, t.get(keep));
            }
        }
        out.add(o);
    }

    private static String text(JsonNode t, String field) {
        String v = t.path(field).asText("");
        return v.isBlank() ? t.path("payload").path(field).asText(v) : v;
    }
}
