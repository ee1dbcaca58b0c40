package dev.loki.dashboard.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.dashboard.BoundedFiles;
import dev.loki.dashboard.LogRedaction;
import dev.loki.dashboard.api.ReadRoutes;
import dev.loki.dashboard.api.StatusReader;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watcher for all clients: every {@code interval} it compares what the loop wrote under
 * .loki with what it saw last, and publishes what changed: {@code status} (the /api/status
 * document, on any change but the clocks), {@code iteration}, {@code checkpoint} (new lines of
 * the checkpoint index), {@code gate} (quality results), {@code council}, {@code log} (new lines
 * of the newest log) and other {@code event}s from events.jsonl. Polling file sizes and mtimes
 * works the same on every file system (WatchService misses changes on some network mounts).
 */
public final class LiveWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveWatcher.class);
    private static final int MAX_LOG_LINES = 200;
    private static final long WINDOW = 512 * 1024;
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final LokiDir loki;
    private final StatusReader status;
    private final LiveHub hub;
    private final ScheduledExecutorService timer;
    private final FileCursor events;
    private final FileCursor index;
    private final FileCursor log;
    private final LogRedaction redaction;
    /** Whether the log followed so far stopped inside a private key block (lines are polled in pieces). */
    private LogRedaction.KeyBlock keyBlock = new LogRedaction.KeyBlock();
    private final Map<String, Long> stamps = new HashMap<>();
    private String lastStatus = "";
    private int lastIteration = -1;
    private long lastBeat = System.nanoTime();

    public LiveWatcher(LokiDir loki, StatusReader status, LiveHub hub, LogRedaction redaction) {
        this.redaction = redaction;
        this.loki = loki;
        this.status = status;
        this.hub = hub;
        this.events = new FileCursor(loki, loki.eventsFile(), WINDOW);
        this.index = new FileCursor(loki, loki.checkpointsDir().resolve("index.jsonl"), WINDOW);
        this.log = new FileCursor(loki, loki.resolve("logs/none.log"), WINDOW);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loki-dashboard-watch");
            t.setDaemon(true);
            return t;
        });
    }

    public void start(Duration interval) {
        tick();
        timer.scheduleWithFixedDelay(this::safeTick, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The status document as clients get it first. */
    public String currentStatus() {
        return Json.compact(status.read());
    }

    private void safeTick() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.warn("live update check failed: {}", e.toString());
        }
    }

    synchronized void tick() {
        ObjectNode s = status.read();
        int iteration = s.path("iteration").asInt();
        ObjectNode comparable = s.deepCopy();
        comparable.remove(List.of("uptime_seconds", "elapsed_seconds"));
        String key = Json.compact(comparable);
        if (!key.equals(lastStatus)) {
            boolean first = lastStatus.isEmpty();
            lastStatus = key;
            if (!first) {
                hub.publish("status", Json.compact(s));
            }
        }
        if (lastIteration >= 0 && iteration != lastIteration) {
            ObjectNode it = Json.object();
            it.put("iteration", iteration);
            it.put("previous", lastIteration);
            hub.publish("iteration", Json.compact(it));
        }
        lastIteration = iteration;

        for (String line : index.poll()) {
            hub.publish("checkpoint", parsedOr(line));
        }
        for (String line : events.poll()) {
            JsonNode e = parse(line);
            String type = e.path("type").asText("");
            String name = type.startsWith("checkpoint") ? "" : type.startsWith("iteration") ? "iteration"
                    : type.startsWith("gate") || type.startsWith("quality") ? "gate"
                    : type.startsWith("council") ? "council" : "event";
            if (!name.isEmpty()) {
                // redacted by the hub, as everything it sends
                hub.publish(name, Json.compact(e));
            }
        }
        if (changed("quality/latest.json") | changed("state/quality-gates.json")) {
            hub.publish("gate", BoundedFiles.json(loki, loki.resolve("quality/latest.json"), 1024 * 1024)
                    .map(Json::compact).orElse("{}"));
        }
        if (changed("council/state.json") | changed("council/transcripts")) {
            ObjectNode c = Json.object();
            c.put("updated", true);
            hub.publish("council", Json.compact(c));
        }
        Path followed = log.file();
        ReadRoutes.newestLog(loki.resolve("logs")).ifPresent(log::follow);
        if (!log.file().equals(followed)) {
            keyBlock = new LogRedaction.KeyBlock();
        }
        List<String> lines = log.poll();
        int from = Math.max(0, lines.size() - MAX_LOG_LINES);
        for (int i = 0; i < lines.size(); i++) {
            // every line passes the key-block tracker (only here is it known which lines sit inside
            // a private key) and is redacted here, with the hub's own redaction; the hub redacts
            // the rest of the event, and the line not a second time
            String line = redaction.apply(lines.get(i), keyBlock);
            if (i >= from) {
                ObjectNode l = Json.object();
                l.put("line", line);
                l.put("file", log.file().getFileName().toString());
                hub.publish("log", l, java.util.Set.of("line"));
            }
        }
        if (System.nanoTime() - lastBeat > HEARTBEAT.toNanos()) {
            lastBeat = System.nanoTime();
            hub.heartbeat();
        }
    }

    /** True when the file's mtime or size moved since the last look (not on the first look). */
    private boolean changed(String rel) {
        Path p = loki.resolve(rel);
        long stamp;
        try {
            stamp = Files.exists(p) ? Files.getLastModifiedTime(p).toMillis() * 31 + Files.size(p) : 0;
        } catch (IOException e) {
            stamp = 0;
        }
        Long before = stamps.put(rel, stamp);
        return before != null && before != stamp;
    }

    private static JsonNode parse(String line) {
        try {
            JsonNode n = Json.parse(line);
            return n == null ? Json.object() : n;
        } catch (IOException e) {
            return Json.object();
        }
    }

    private static String parsedOr(String line) {
        JsonNode n = parse(line);
        return n.isObject() && n.size() > 0 ? Json.compact(n) : "{}";
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
