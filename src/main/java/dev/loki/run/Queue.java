package dev.loki.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The task queue files the agent maintains ({@code queue/*.json}, either {@code [...]} or
 * {@code {"tasks": [...]}}). The loop only seeds them and reads the first few for the prompt.
 */
public final class Queue {
    static final List<String> FILES = List.of("pending", "in-progress", "completed", "failed", "dead-letter");

    private Queue() {
    }

    /** Writes {@code []} for every queue file that is missing or not valid JSON. */
    public static void seed(LokiDir dir) throws IOException {
        for (String name : FILES) {
            Path p = dir.resolve("queue/" + name + ".json");
            if (JsonFiles.read(p).isEmpty()) {
                JsonFiles.write(p, Json.MAPPER.createArrayNode());
            }
        }
    }

    public static List<JsonNode> tasks(LokiDir dir, String name) {
        JsonNode n = JsonFiles.peek(dir.resolve("queue/" + name + ".json")).orElse(null);
        if (n == null) {
            return List.of();
        }
        JsonNode arr = n.isArray() ? n : n.path("tasks");
        List<JsonNode> out = new ArrayList<>();
        if (arr instanceof ArrayNode a) {
            a.forEach(out::add);
        }
        return out;
    }

    /** One task as a prompt line: PRD tasks with description and acceptance; others by action. */
    static String describe(JsonNode t, int index, String label) {
        String id = t.path("id").asText("");
        boolean prd = t.path("source").asText("").equals("prd") || id.startsWith("prd-");
        if (prd) {
            StringBuilder sb = new StringBuilder(label + "[" + index + "] " + id + ": " + t.path("title").asText(""));
            String desc = t.path("description").asText("");
            if (!desc.isEmpty()) {
                sb.append("\nDescription: ").append(cut(desc, 300));
            }
            List<String> acc = new ArrayList<>();
            t.path("acceptance_criteria").forEach(a -> {
                if (acc.size() < 5) {
                    acc.add(a.asText());
                }
            });
            if (!acc.isEmpty()) {
                sb.append("\nAcceptance: ").append(String.join("; ", acc));
            }
            if (t.hasNonNull("user_story")) {
                sb.append("\nUser Story: ").append(t.get("user_story").asText());
            }
            return sb.toString();
        }
        JsonNode payload = t.path("payload");
        String what = firstText(payload, "action", "goal", "title", "description");
        if (what.isEmpty()) {
            what = firstText(t, "title", "description");
        }
        return label + "[" + index + "] id=" + id + " type=" + t.path("type").asText("task") + ": " + cut(what, 500);
    }

    private static String firstText(JsonNode n, String... keys) {
        for (String k : keys) {
            if (n.hasNonNull(k) && !n.get(k).asText().isBlank()) {
                return n.get(k).asText();
            }
        }
        return "";
    }

    static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
