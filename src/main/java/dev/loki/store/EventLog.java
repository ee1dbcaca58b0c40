package dev.loki.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only {@code events.jsonl}: one JSON object per line with {@code timestamp},
 * {@code type} and {@code data} (upstream's layout), appended under a cross-process lock so
 * lines from concurrent writers never interleave.
 */
public final class EventLog {
    private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);

    private final Path file;

    public EventLog(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** Appends an event; a failure to log never fails the caller's operation. */
    public void append(String type, JsonNode data) {
        ObjectNode line = Json.object();
        line.put("timestamp", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        line.put("type", type);
        line.set("data", data == null ? Json.object() : data);
        try (FileLocks.Held lock = FileLocks.lockFor(file, Duration.ofSeconds(10))) {
            AtomicFiles.append(file, (Json.compact(line) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.warn("could not append event {} to {}: {}", type, file, e.getMessage());
        }
    }

    /** The last {@code max} parseable events, oldest first; malformed lines are skipped. */
    public List<JsonNode> tail(int max) {
        Deque<JsonNode> out = new ArrayDeque<>();
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            lines.forEach(l -> {
                if (l.isBlank()) {
                    return;
                }
                try {
                    out.addLast(Json.parse(l));
                    if (out.size() > max) {
                        out.removeFirst();
                    }
                } catch (IOException e) {
                    // a torn or foreign line: skip it
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.warn("cannot read {}: {}", file, e.getMessage());
        }
        return new ArrayList<>(out);
    }
}
