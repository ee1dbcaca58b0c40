package dev.loki.proof;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The council's votes, read from upstream's layout: {@code council/state.json} (verdicts),
 * {@code council/votes/round-N.json} (the aggregate votes) and
 * {@code council/transcripts/iter-N-*.json} (per-voter reasoning). Only what was recorded:
 * with no vote on disk the council section says so, and no reviewer row is invented.
 */
final class CouncilSection {
    private static final Pattern NUMBER = Pattern.compile("(\\d+)");

    private CouncilSection() {
    }

    static ObjectNode read(LokiDir dir, java.util.Map<String, String> env) {
        ObjectNode o = Json.object();
        Optional<JsonNode> state = JsonFiles.read(dir.resolve("council/state.json")).filter(JsonNode::isObject);
        Optional<JsonNode> round = newest(dir.resolve("council/votes"), "round-");
        Optional<JsonNode> transcript = newest(dir.resolve("council/transcripts"), "iter-");
        boolean enabled = state.map(s -> s.path("enabled").asBoolean(true)).orElse(round.isPresent()
                || transcript.isPresent()) && !"false".equals(env.get("LOKI_COUNCIL_ENABLED"));
        o.put("enabled", enabled);

        String verdict = "";
        JsonNode verdicts = state.map(s -> s.path("verdicts")).orElse(Json.MAPPER.createArrayNode());
        if (verdicts.isArray() && !verdicts.isEmpty()) {
            JsonNode last = verdicts.get(verdicts.size() - 1);
            verdict = first(last, "result", "verdict", "decision");
        }
        if (verdict.isEmpty() && transcript.isPresent()) {
            verdict = transcript.get().path("outcome").asText("");
        }
        if (verdict.isEmpty() && round.isPresent()) {
            verdict = round.get().path("verdict").asText("");
        }
        if (verdict.isEmpty()) {
            o.putNull("final_verdict");
        } else {
            o.put("final_verdict", verdict);
        }

        ArrayNode reviewers = o.putArray("reviewers");
        String threshold = "";
        if (transcript.isPresent() && transcript.get().path("voters").isArray()) {
            JsonNode t = transcript.get();
            for (JsonNode v : t.path("voters")) {
                ObjectNode r = reviewers.addObject();
                r.put("role", first(v, "role", "name"));
                r.put("vote", first(v, "verdict", "vote"));
                r.put("summary", first(v, "reasoning", "reason"));
            }
            threshold = t.path("threshold").asText("") + "/" + t.path("total_members").asText("");
            o.put("iteration", t.path("iteration").asInt(0));
        } else if (round.isPresent()) {
            JsonNode r0 = round.get();
            for (JsonNode v : r0.path("votes")) {
                ObjectNode r = reviewers.addObject();
                r.put("role", first(v, "role", "member"));
                r.put("vote", v.path("vote").asText(""));
                r.put("summary", v.path("reason").asText(""));
            }
            threshold = r0.path("threshold").asText("") + "/" + r0.path("total_members").asText("");
            o.put("round", r0.path("round").asInt(0));
        }
        if (threshold.equals("/") || threshold.isEmpty()) {
            o.putNull("threshold");
        } else {
            o.put("threshold", threshold);
        }
        ArrayNode history = o.putArray("verdicts");
        if (verdicts.isArray()) {
            verdicts.forEach(history::add);
        }
        o.putNull("findings_link");
        return o;
    }

    private static String first(JsonNode n, String... names) {
        for (String name : names) {
            String v = n.path(name).asText("");
            if (!v.isEmpty()) {
                return v;
            }
        }
        return "";
    }

    /** The file with the highest number after {@code prefix}, parsed. */
    private static Optional<JsonNode> newest(Path dir, String prefix) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(".json"))
                    .forEach(files::add);
        } catch (IOException e) {
            return Optional.empty();
        }
        files.sort(Comparator.comparingLong(CouncilSection::numberOf).thenComparing(p -> p.getFileName().toString()));
        for (int i = files.size() - 1; i >= 0; i--) {
            Optional<JsonNode> n = JsonFiles.read(files.get(i)).filter(JsonNode::isObject);
            if (n.isPresent()) {
                return n;
            }
        }
        return Optional.empty();
    }

    private static long numberOf(Path p) {
        Matcher m = NUMBER.matcher(p.getFileName().toString());
        return m.find() ? Long.parseLong(m.group(1).length() > 15 ? m.group(1).substring(0, 15) : m.group(1)) : 0;
    }
}
