package dev.loki.dashboard.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.dashboard.AnswerRedaction;
import dev.loki.dashboard.ApiError;
import dev.loki.dashboard.Backend;
import dev.loki.dashboard.BoundedFiles;
import dev.loki.dashboard.LogRedaction;
import dev.loki.dashboard.Requests;
import dev.loki.dashboard.RouteTable;
import dev.loki.dashboard.auth.Scope;
import dev.loki.store.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Read-only views of the run: logs, events, quality gates, cost. Every read is bounded (tails
 * of at most a few MiB, capped directory listings) so a large project never makes a request
 * slow or the server's memory grow.
 */
public final class ReadRoutes {
    static final long LOG_WINDOW = 1024 * 1024;
    static final long EVENT_WINDOW = 8L * 1024 * 1024;
    static final int MAX_LISTED = 5000;

    private final Backend b;
    private final LogRedaction redaction;

    public ReadRoutes(Backend b) {
        this.b = b;
        this.redaction = LogRedaction.forBackend(b);
    }

    public void register(RouteTable t) {
        t.get("/api/logs", Scope.READ, this::logs);
        t.get("/api/events", Scope.READ, this::events);
        t.get("/api/quality", Scope.READ, this::quality);
        t.get("/api/cost", Scope.READ, ctx -> ctx.json(CostReader.cost(b.loki(), b.env())));
    }

    void logs(Context ctx) {
        int lines = Requests.intParam(ctx, "lines", 100, 1, 1000);
        ObjectNode o = Json.object();
        ArrayNode arr = o.putArray("lines");
        Optional<Path> file = newestLog(b.loki().resolve("logs"));
        // a log may hold anything a run printed. The lines are redacted here, where they are seen
        // together, so the inner lines of a private key block are masked too; AnswerRedaction then
        // redacts the rest of the answer as it leaves, and these lines not a second time
        file.ifPresent(f -> redaction.applyLines(BoundedFiles.tail(b.loki(), f, lines, LOG_WINDOW)).forEach(arr::add));
        o.put("file", file.map(f -> f.getFileName().toString()).orElse(""));
        AnswerRedaction.alreadyRedacted(ctx, "lines");
        ctx.json(o);
    }

    /** The most recently modified {@code *.log} under {@code logs/} (listing capped). */
    public static Optional<Path> newestLog(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.limit(MAX_LISTED).filter(p -> p.getFileName().toString().endsWith(".log"))
                    .filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .max(Comparator.comparing(ReadRoutes::mtime));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static long mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    void events(Context ctx) {
        int limit = Requests.limit(ctx, 100, 1000);
        int offset = Requests.offset(ctx);
        String type = Optional.ofNullable(ctx.queryParam("type")).orElse("").strip();
        List<String> lines = BoundedFiles.tail(b.loki(), b.loki().eventsFile(), 10_000, EVENT_WINDOW);
        List<JsonNode> events = new ArrayList<>();
        for (int i = lines.size() - 1; i >= 0; i--) {
            try {
                JsonNode e = Json.parse(lines.get(i));
                if (e.isObject() && (type.isEmpty() || e.path("type").asText("").startsWith(type))) {
                    events.add(e);
                }
            } catch (IOException ex) {
                // a torn or foreign line: skip it
            }
        }
        // events carry agent and gate text: AnswerRedaction masks the page as it leaves
        ctx.json(Requests.page(events, limit, offset));
    }

    void quality(Context ctx) {
        ObjectNode o = Json.object();
        // gate output is log text: AnswerRedaction masks it as it leaves
        o.set("latest", BoundedFiles.json(b.loki(), b.loki().resolve("quality/latest.json")).orElse(Json.MAPPER.nullNode()));
        o.set("gates", BoundedFiles.json(b.loki(), b.loki().resolve("state/quality-gates.json")).orElse(Json.MAPPER.nullNode()));
        ctx.json(o);
    }

    static ApiError missing(String what, String id) {
        return ApiError.notFound(what + " not found: " + id);
    }
}
