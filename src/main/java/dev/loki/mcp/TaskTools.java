package dev.loki.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.run.Queue;
import dev.loki.store.FileLocks;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * The task queue ({@code .loki/queue/*.json}) the prompt reads: list, add to pending, and move
 * a task between queues by its status. Each change is a locked read-modify-write of the queue
 * files, which keeps their shape ({@code [...]} or {@code {"tasks": [...]}}), so the agent,
 * the dashboard and this server can all edit them.
 */
final class TaskTools {
    static final List<String> QUEUES = List.of("pending", "in-progress", "completed", "failed", "dead-letter");
    private static final Duration LOCK_WAIT = Duration.ofSeconds(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private TaskTools() {
    }

    static List<ToolSpec> all(McpContext c) {
        return List.of(
                ToolSpec.read("loki_task_queue_list", "The tasks in the queue files (default: every queue).",
                        Schema.object().enumeration("queue", "Which queue (default all).",
                                List.of("all", "pending", "in-progress", "completed", "failed", "dead-letter"), false),
                        (a, who) -> list(c.loki(), a.optional("queue").orElse("all"))),
                ToolSpec.control("loki_task_queue_add", "Add a task to the pending queue; the next prompt lists it.",
                        Schema.object().string("title", "What to do, in one line.", true, 300)
                                .string("description", "Details and acceptance criteria.", false, 4000)
                                .enumeration("priority", "Default medium.", List.of("high", "medium", "low"), false)
                                .id("id", "An id (default: a new one).", false),
                        (a, who) -> add(c.loki(), a)),
                ToolSpec.control("loki_task_queue_update", "Set a task's status, moving it to that queue.",
                        Schema.object().id("task_id", "The task's id.", true)
                                .enumeration("status", "The new status.",
                                        List.of("pending", "in-progress", "completed", "failed"), true)
                                .string("note", "Why (kept on the task).", false, 1000),
                        (a, who) -> update(c.loki(), a.string("task_id"), a.string("status"), a.string("note"))));
    }

    static ObjectNode list(LokiDir dir, String which) {
        ObjectNode o = Json.object();
        for (String q : QUEUES) {
            if (which.equals("all") || which.equals(q)) {
                ArrayNode arr = o.putArray(q);
                Queue.tasks(dir, q).forEach(arr::add);
            }
        }
        return o;
    }

    static ObjectNode add(LokiDir dir, Args a) throws IOException {
        String id = a.optional("id").orElseGet(() -> "task-" + HexFormat.of().formatHex(bytes(4)));
        ObjectNode t = Json.object();
        t.put("id", id);
        t.put("type", "task");
        t.put("title", a.string("title").strip());
        t.put("description", a.string("description"));
        t.put("priority", a.optional("priority").orElse("medium"));
        t.put("status", "pending");
        t.put("source", "mcp");
        t.put("created_at", Instant.now().toString());
        dir.ensureExists();
        try (FileLocks.Held lock = lockQueues(dir)) {
            for (String q : QUEUES) {
                if (indexOf(tasks(dir, q), id) >= 0) {
                    throw new ToolError(409, "A task with id " + id + " is already in the " + q + " queue.");
                }
            }
            ArrayNode pending = tasks(dir, "pending");
            pending.add(t);
            save(dir, "pending", pending);
        }
        ObjectNode o = Json.object();
        o.put("added", true);
        o.set("task", t);
        return o;
    }

    static ObjectNode update(LokiDir dir, String id, String status, String note) throws IOException {
        if (!dir.exists()) {
            throw ToolError.notFound("Task not found: " + id + " (no .loki directory yet).");
        }
        try (FileLocks.Held lock = lockQueues(dir)) {
            for (String q : QUEUES) {
                ArrayNode from = tasks(dir, q);
                int i = indexOf(from, id);
                if (i < 0) {
                    continue;
                }
                ObjectNode t = from.get(i).isObject() ? (ObjectNode) from.get(i).deepCopy() : Json.object();
                t.put("status", status);
                t.put("updated_at", Instant.now().toString());
                if (!note.isBlank()) {
                    t.put("note", note);
                }
                if (q.equals(status)) {
                    from.set(i, t);
                    save(dir, q, from);
                } else {
                    from.remove(i);
                    ArrayNode to = tasks(dir, status);
                    to.add(t);
                    save(dir, status, to);
                    save(dir, q, from);
                }
                ObjectNode o = Json.object();
                o.put("updated", true);
                o.put("from_queue", q);
                o.put("to_queue", status);
                o.set("task", t);
                return o;
            }
        }
        throw ToolError.notFound("Task not found: " + id + " (see loki_task_queue_list).");
    }

    private static FileLocks.Held lockQueues(LokiDir dir) throws IOException {
        return FileLocks.lock(dir.resolve("queue").resolve(".queue.lock"), LOCK_WAIT);
    }

    private static ArrayNode tasks(LokiDir dir, String q) {
        ArrayNode arr = Json.MAPPER.createArrayNode();
        Queue.tasks(dir, q).forEach(arr::add);
        return arr;
    }

    private static int indexOf(ArrayNode arr, String id) {
        for (int i = 0; i < arr.size(); i++) {
            if (arr.get(i).path("id").asText("").equals(id)) {
                return i;
            }
        }
        return -1;
    }

    /** Writes a queue back in the shape it had: an array, or an object with {@code tasks}. */
    private static void save(LokiDir dir, String q, ArrayNode tasks) throws IOException {
        Path p = dir.resolve("queue/" + q + ".json");
        JsonNode old = JsonFiles.peek(p).orElse(null);
        if (old instanceof ObjectNode obj && obj.has("tasks")) {
            ObjectNode copy = obj.deepCopy();
            copy.set("tasks", tasks);
            JsonFiles.write(p, copy);
        } else {
            JsonFiles.write(p, tasks);
        }
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
