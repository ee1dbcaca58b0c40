package dev.loki.run;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.loki.store.AtomicFiles;
import dev.loki.store.FileLocks;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Loads and saves {@code autonomy-state.json}: atomic writes with a 4-space indent (upstream's
 * layout) under a cross-process lock; a corrupt file or a nonsensical counter is kept aside as
 * {@code .corrupt.<epoch>} and the counters start at zero.
 */
public final class StateStore {
    public static final String FILE = "autonomy-state.json";

    /**
     * Statuses of a run that ended for good: the next start is a new run. Every other status
     * (running after a crash, paused, stopped, interrupted, exited) resumes the counters.
     */
    static final Set<String> FINISHED = Set.of("failed", "max_iterations_reached", "max_retries_exceeded",
            "council_approved", "completion_promise_fulfilled", "council_force_approved", "council_force_stop");

    private static final ObjectWriter FOUR_SPACES = Json.MAPPER.writer(new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("    ", "\n"))
            .withArrayIndenter(new DefaultIndenter("    ", "\n"))
            .withSeparators(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)));

    private final Path file;

    public StateStore(LokiDir dir) {
        this.file = dir.resolve(FILE);
    }

    public Path file() {
        return file;
    }

    /** The saved state as it is on disk (corrupt files quarantined); fresh when absent. */
    public AutonomyState load() {
        JsonNode n = JsonFiles.read(file).orElse(null);
        if (n == null || !n.isObject()) {
            return AutonomyState.fresh();
        }
        JsonNode retry = n.get("retryCount");
        JsonNode iter = n.get("iterationCount");
        if (!validCount(retry) || !validCount(iter)) {
            JsonFiles.quarantine(file);
            return AutonomyState.fresh();
        }
        // upstream and hand-edited files may leave a counter out: absent counts as 0
        return new AutonomyState(retry == null ? 0 : retry.asInt(), iter == null ? 0 : iter.asInt(), n.path("status").asText(""),
                n.path("lastExitCode").asInt(0), n.path("lastRun").asText(""), n.path("prdPath").asText(""),
                n.path("pid").asLong(0), n.path("maxRetries").asInt(0), n.path("baseWait").asLong(0),
                n.path("run_id").asText(""));
    }

    /** What a new start continues from: counters kept unless the last run finished for good. */
    public AutonomyState loadForResume() {
        AutonomyState s = load();
        if (FINISHED.contains(s.status())) {
            return new AutonomyState(0, 0, s.status(), s.lastExitCode(), s.lastRun(), s.prdPath(), s.pid(),
                    s.maxRetries(), s.baseWait(), "");
        }
        return s;
    }

    private static boolean validCount(JsonNode v) {
        return v == null || v.isNull() || (v.isIntegralNumber() && v.asLong() >= 0 && v.asLong() < Integer.MAX_VALUE);
    }

    public void save(AutonomyState state) throws IOException {
        String text;
        try {
            text = FOUR_SPACES.writeValueAsString(state) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(e);
        }
        try (FileLocks.Held lock = FileLocks.lockFor(file, Duration.ofSeconds(5))) {
            AtomicFiles.writeString(file, text);
        }
    }

    /** Removes temp files of interrupted atomic writes older than 5 minutes (.loki and state/). */
    public static void sweepTempFiles(LokiDir dir) {
        Instant cutoff = Instant.now().minus(5, ChronoUnit.MINUTES);
        for (Path d : new Path[] {dir.path(), dir.resolve("state")}) {
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> s = Files.list(d)) {
                s.filter(p -> {
                    String name = p.getFileName().toString();
                    return name.contains(".tmp.") || name.contains(".tmp-");
                }).filter(p -> {
                    try {
                        return Files.isRegularFile(p) && Files.getLastModifiedTime(p).toInstant().isBefore(cutoff);
                    } catch (IOException e) {
                        return false;
                    }
                }).forEach(p -> {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // another process may have renamed it meanwhile
                    }
                });
            } catch (IOException ignored) {
                // an unreadable directory just isn't swept
            }
        }
    }
}
