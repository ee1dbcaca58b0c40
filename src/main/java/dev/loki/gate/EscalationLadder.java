package dev.loki.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.FileLocks;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import dev.loki.store.Signals;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consecutive-failure counters per gate ({@code quality/gate-failure-count.json}, {@code {gate:n}})
 * and the ladder they climb: at the clear limit (3) a code-review block is lifted, at the
 * escalate limit (5) {@code signals/GATE_ESCALATION} says ESCALATE, at the pause limit (10) it
 * says PAUSE, a handoff note is written and the run is paused for a person. Counters are
 * updated under a cross-process lock (upstream overwrote the file unguarded).
 */
final class EscalationLadder {
    private static final Logger LOG = LoggerFactory.getLogger(EscalationLadder.class);

    enum Rung { NONE, CLEAR, ESCALATE, PAUSE }

    private final LokiDir dir;
    private final GateSettings settings;

    EscalationLadder(LokiDir dir, GateSettings settings) {
        this.dir = dir;
        this.settings = settings;
    }

    Path countsFile() {
        return dir.resolve("quality").resolve("gate-failure-count.json");
    }

    /** The counters; a missing or malformed file, or a non-numeric value, reads as no count. */
    Map<String, Integer> counts() {
        Map<String, Integer> out = new LinkedHashMap<>();
        JsonNode n = JsonFiles.read(countsFile()).orElse(Json.object());
        if (!n.isObject()) {
            return out;
        }
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (e.getValue().isIntegralNumber() && e.getValue().asInt() >= 0) {
                out.put(e.getKey(), e.getValue().asInt());
            }
        }
        return out;
    }

    /** Adds one failure and returns the new consecutive count. */
    int recordFailure(String gate) {
        return update(gate, true);
    }

    /** Resets a gate's count after a pass; without a counter file there is nothing to reset. */
    void recordPass(String gate) {
        if (Files.exists(countsFile())) {
            update(gate, false);
        }
    }

    private int update(String gate, boolean failed) {
        try (FileLocks.Held lock = FileLocks.lockFor(countsFile(), Duration.ofSeconds(10))) {
            Map<String, Integer> counts = counts();
            int n = failed ? counts.getOrDefault(gate, 0) + 1 : 0;
            counts.put(gate, n);
            ObjectNode o = Json.object();
            counts.forEach(o::put);
            JsonFiles.write(countsFile(), o);
            return n;
        } catch (IOException e) {
            LOG.warn("could not update {}: {}", countsFile(), e.getMessage());
            return failed ? counts().getOrDefault(gate, 0) + 1 : 0;
        }
    }

    Rung rung(int consecutive) {
        if (consecutive >= settings.pauseLimit()) {
            return Rung.PAUSE;
        }
        if (consecutive >= settings.escalateLimit()) {
            return Rung.ESCALATE;
        }
        if (consecutive >= settings.clearLimit()) {
            return Rung.CLEAR;
        }
        return Rung.NONE;
    }

    /** Carries out the ESCALATE and PAUSE rungs; returns true when the run was paused. */
    boolean act(String gate, int consecutive, Rung rung, int iteration, String details) {
        if (rung != Rung.ESCALATE && rung != Rung.PAUSE) {
            return false;
        }
        Signals signals = new Signals(dir);
        String word = rung == Rung.PAUSE ? "PAUSE" : "ESCALATE";
        try {
            signals.raise(Signals.GATE_ESCALATION, word + "\n" + gate + " gate failed " + consecutive
                    + " consecutive times\n");
            if (rung == Rung.PAUSE) {
                if (settings.handoffDocs()) {
                    writeHandoff(gate, consecutive, iteration, details);
                }
                signals.requestPause();
            }
        } catch (IOException e) {
            LOG.warn("could not write the {} escalation for {}: {}", word, gate, e.getMessage());
        }
        ObjectNode ev = Json.object();
        ev.put("gate", gate);
        ev.put("consecutive_failures", consecutive);
        ev.put("action", word);
        ev.put("iteration", iteration);
        dir.events().append("gate_escalation", ev);
        return rung == Rung.PAUSE;
    }

    private void writeHandoff(String gate, int consecutive, int iteration, String details) throws IOException {
        String iso = Instant.now().toString().replace(":", "");
        Path esc = dir.resolve("escalations");
        Files.createDirectories(esc);
        int k = 0;
        Path file;
        do {
            file = esc.resolve("handoff-" + iso + "-" + ProcessHandle.current().pid() + "-" + k++ + "-" + gate + ".md");
        } while (Files.exists(file));
        QualityFiles.writeText(file, "# Loki paused: the " + gate + " gate failed " + consecutive
                + " consecutive times\n\n- Iteration: " + iteration + "\n- Time: " + Instant.now() + "\n\n"
                + "## Latest failure\n\n" + details + "\n\n"
                + "## Decision needed\n\nFix the problem or adjust the gate (see docs/gates-and-council.md),"
                + " then resume with `loki resume` (this removes .loki/PAUSE).\n");
    }
}
