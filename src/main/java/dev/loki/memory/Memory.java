package dev.loki.memory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.Json;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * One thing loki remembers across runs: an {@code episode} (what one run did: its task, outcome,
 * gate failures and how they were fixed, council objections, files touched, cost) or a
 * {@code pattern} (a lesson stored by the agent or by a person).
 *
 * @param outcome {@code success}, {@code failure}, {@code stopped} or empty (patterns)
 */
public record Memory(String id, String kind, String title, String body, String task, String outcome, String runId,
        Instant createdAt, List<String> files, List<String> tags, double costUsd, String source) {
    public static final String EPISODE = "episode";
    public static final String PATTERN = "pattern";

    public Memory {
        title = nz(title);
        body = nz(body);
        task = nz(task);
        outcome = nz(outcome);
        runId = nz(runId);
        source = nz(source);
        files = files == null ? List.of() : List.copyOf(files);
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    public Memory withId(String newId) {
        return new Memory(newId, kind, title, body, task, outcome, runId, createdAt, files, tags, costUsd, source);
    }

    /** Everything that is searched, in one string (also what the prompt quotes). */
    public String text() {
        return title + "\n" + task + "\n" + body;
    }

    /** A rough token count (4 characters a token), for the prompt budget. */
    public int tokens() {
        return (title.length() + body.length() + 40) / 4;
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("kind", kind);
        o.put("title", title);
        o.put("body", body);
        o.put("task", task);
        o.put("outcome", outcome);
        o.put("run_id", runId);
        o.put("created_at", createdAt.toString());
        ArrayNode f = o.putArray("files");
        files.forEach(f::add);
        ArrayNode t = o.putArray("tags");
        tags.forEach(t::add);
        o.put("cost_usd", costUsd);
        o.put("source", source);
        return o;
    }

    /** Reads {@link #toJson()}'s shape; missing fields are empty, a bad time is "now". */
    public static Memory fromJson(JsonNode n) {
        Instant at;
        try {
            at = Instant.parse(n.path("created_at").asText(""));
        } catch (DateTimeParseException e) {
            at = Instant.now();
        }
        return new Memory(n.path("id").asText(""), n.path("kind").asText(PATTERN), n.path("title").asText(""),
                n.path("body").asText(""), n.path("task").asText(""), n.path("outcome").asText(""),
                n.path("run_id").asText(""), at, strings(n.path("files")), strings(n.path("tags")),
                n.path("cost_usd").asDouble(0), n.path("source").asText(""));
    }

    private static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(x -> out.add(x.asText()));
        return out;
    }
}
