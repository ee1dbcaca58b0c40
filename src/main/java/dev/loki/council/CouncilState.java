package dev.loki.council;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.AtomicFiles;
import dev.loki.store.FileLocks;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code council/state.json} (upstream's schema plus a few fields of ours) and
 * {@code council/convergence.log}. Every change is a read-modify-write under a cross-process
 * lock, so the dashboard's force-review and the loop never lose each other's updates.
 */
final class CouncilState {
    private static final int MAX_HISTORY = 50;
    private static final int MAX_VERDICTS = 100;
    private static final int MAX_LOG_LINES = 200;

    private final LokiDir dir;

    CouncilState(LokiDir dir) {
        this.dir = dir;
    }

    Path file() {
        return dir.resolve("council").resolve("state.json");
    }

    Path convergenceLog() {
        return dir.resolve("council").resolve("convergence.log");
    }

    /** The state, or a fresh one when missing or corrupt. Missing fields get their defaults. */
    ObjectNode read(boolean enabled) {
        ObjectNode fresh = fresh(enabled);
        JsonNode n = JsonFiles.read(file()).orElse(fresh);
        if (!n.isObject()) {
            return fresh;
        }
        ObjectNode o = (ObjectNode) n;
        fresh.properties().forEach(e -> {
            JsonNode v = o.get(e.getKey());
            if (v == null || v.getNodeType() != e.getValue().getNodeType()) {
                o.set(e.getKey(), e.getValue());
            }
        });
        return o;
    }

    static ObjectNode fresh(boolean enabled) {
        ObjectNode o = Json.object();
        o.put("initialized", true);
        o.put("enabled", enabled);
        o.put("total_votes", 0);
        o.put("approve_votes", 0);
        o.put("reject_votes", 0);
        o.put("last_check_iteration", 0);
        o.put("consecutive_no_change", 0);
        o.put("done_signals", 0);
        o.put("consecutive_done_signals", 0);
        o.put("last_recorded_iteration", 0);
        o.put("rounds", 0);
        o.putArray("convergence_history");
        o.putArray("verdicts");
        return o;
    }

    /** Applies {@code change} to the state under the lock and writes it back atomically. */
    ObjectNode update(boolean enabled, Consumer<ObjectNode> change) throws IOException {
        try (FileLocks.Held lock = FileLocks.lockFor(file(), Duration.ofSeconds(10))) {
            ObjectNode s = read(enabled);
            s.put("enabled", enabled);
            change.accept(s);
            trim((ArrayNode) s.get("convergence_history"), MAX_HISTORY);
            trim((ArrayNode) s.get("verdicts"), MAX_VERDICTS);
            JsonFiles.write(file(), s);
            return s;
        }
    }

    /** Records one iteration; a second call for the same iteration changes nothing (no double counting). */
    ObjectNode recordIteration(boolean enabled, int iteration, boolean codeChanged, boolean doneSignal)
            throws IOException {
        String[] line = new String[1];
        ObjectNode s = update(enabled, st -> {
            if (iteration <= st.path("last_recorded_iteration").asInt(0)) {
                return;
            }
            int noChange = codeChanged ? 0 : st.path("consecutive_no_change").asInt(0) + 1;
            int consecutiveDone = doneSignal ? st.path("consecutive_done_signals").asInt(0) + 1 : 0;
            int totalDone = st.path("done_signals").asInt(0) + (doneSignal ? 1 : 0);
            st.put("consecutive_no_change", noChange);
            st.put("consecutive_done_signals", consecutiveDone);
            st.put("done_signals", totalDone);
            st.put("last_recorded_iteration", iteration);
            String ts = Instant.now().toString();
            ((ArrayNode) st.get("convergence_history")).addObject()
                    .put("iteration", iteration).put("timestamp", ts)
                    .put("files_changed", codeChanged ? 1 : 0).put("no_change_streak", noChange)
                    .put("done_signal", doneSignal);
            line[0] = ts + "|" + iteration + "|" + (codeChanged ? 1 : 0) + "|" + noChange + "|" + totalDone;
        });
        if (line[0] != null) {
            appendLog(line[0]);
        }
        return s;
    }

    private void appendLog(String line) throws IOException {
        Path log = convergenceLog();
        try (FileLocks.Held lock = FileLocks.lockFor(log, Duration.ofSeconds(10))) {
            List<String> lines = new ArrayList<>();
            if (Files.isRegularFile(log)) {
                lines.addAll(Files.readAllLines(log, StandardCharsets.UTF_8));
            }
            lines.add(line);
            List<String> kept = lines.subList(Math.max(0, lines.size() - MAX_LOG_LINES), lines.size());
            AtomicFiles.writeString(log, String.join("\n", kept) + "\n");
        }
    }

    private static void trim(ArrayNode arr, int max) {
        while (arr.size() > max) {
            arr.remove(0);
        }
    }
}
