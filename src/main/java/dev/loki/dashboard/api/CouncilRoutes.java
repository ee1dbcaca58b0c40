package dev.loki.dashboard.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.dashboard.ApiError;
import dev.loki.dashboard.Backend;
import dev.loki.dashboard.BoundedFiles;
import dev.loki.dashboard.Requests;
import dev.loki.dashboard.RouteTable;
import dev.loki.dashboard.auth.Scope;
import dev.loki.store.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The completion council: {@code council/state.json} and the transcripts
 * {@code council/transcripts/iter-<N>-<ts>.json}, sorted by iteration number (upstream sorted by
 * file name, so iter-10 came before iter-9). Only the requested page of transcripts is read.
 */
public final class CouncilRoutes {
    private static final Pattern ITER = Pattern.compile("^iter-(\\d{1,9})(?:-([A-Za-z0-9_-]*))?\\.json$");

    private final Backend b;

    public CouncilRoutes(Backend b) {
        this.b = b;
    }

    public void register(RouteTable t) {
        t.get("/api/council", Scope.READ, this::state);
        t.get("/api/council/transcripts", Scope.READ, this::transcripts);
        t.get("/api/council/transcripts/{id}", Scope.READ, this::transcript);
    }

    void state(Context ctx) {
        ctx.json(BoundedFiles.json(b.loki(), b.loki().resolve("council/state.json")).filter(JsonNode::isObject).orElseGet(() -> {
            ObjectNode o = Json.object();
            o.put("enabled", false);
            o.put("total_votes", 0);
            o.putArray("verdicts");
            return o;
        }));
    }

    private record Entry(Path file, int iteration, String name) {
    }

    void transcripts(Context ctx) {
        int limit = Requests.limit(ctx, 20, 200);
        int offset = Requests.offset(ctx);
        int iterMin = Requests.intParam(ctx, "iter_min", 0, 0, Integer.MAX_VALUE);
        List<Entry> entries = entries().stream().filter(e -> e.iteration() >= iterMin).toList();
        ObjectNode o = Json.object();
        ArrayNode arr = o.putArray("transcripts");
        for (int i = offset; i < Math.min(entries.size(), offset + limit); i++) {
            Entry e = entries.get(i);
            BoundedFiles.json(b.loki(), e.file(), 1024 * 1024).filter(JsonNode::isObject).ifPresent(n -> {
                ObjectNode rec = ((ObjectNode) n).deepCopy();
                if (!rec.path("iteration_id").isTextual()) {
                    rec.put("iteration_id", e.name());
                }
                arr.add(rec);
            });
        }
        o.put("total", entries.size());
        o.put("limit", limit);
        o.put("offset", offset);
        if (entries.isEmpty()) {
            o.putNull("latest_id");
        } else {
            o.put("latest_id", entries.get(0).name());
        }
        ctx.json(o);
    }

    void transcript(Context ctx) {
        String id = Requests.id(ctx, "id");
        Path f = b.loki().resolve("council/transcripts").resolve(id + ".json");
        if (!BoundedFiles.isConfinedFile(b.loki(), f)) {
            throw ApiError.notFound("transcript not found: " + id);
        }
        JsonNode n = BoundedFiles.json(b.loki(), f, 1024 * 1024)
                .orElseThrow(() -> new ApiError(410, "corrupt", "transcript " + id + " is corrupt or too large"));
        if (!n.isObject()) {
            throw new ApiError(410, "corrupt", "transcript " + id + " is corrupt (not an object)");
        }
        // members' reasons quote agent output: redacted, like every answer, by AnswerRedaction
        ctx.json(n);
    }

    private List<Entry> entries() {
        Path dir = b.loki().resolve("council/transcripts");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.limit(ReadRoutes.MAX_LISTED).map(p -> {
                Matcher m = ITER.matcher(p.getFileName().toString());
                if (!m.matches()) {
                    return Optional.<Entry>empty();
                }
                String name = p.getFileName().toString();
                return Optional.of(new Entry(p, Integer.parseInt(m.group(1)), name.substring(0, name.length() - 5)));
            }).flatMap(Optional::stream)
                    .sorted(Comparator.comparingInt(Entry::iteration).reversed().thenComparing(Entry::name,
                            Comparator.reverseOrder()))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
