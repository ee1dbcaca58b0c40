package dev.loki.dashboard.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.dashboard.Backend;
import dev.loki.dashboard.BoundedFiles;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import dev.loki.store.RunRecord;
import dev.loki.store.SessionLock;
import dev.loki.store.Signals;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The {@code /api/status} document, in upstream's shape, computed from the files the loop
 * writes (run record, autonomy state, orchestrator, queue, signals) and the session lock. Also
 * what the live stream sends as its {@code status} event.
 */
public final class StatusReader {
    private static final Duration FRESH_SKILL_SESSION = Duration.ofSeconds(300);

    private final Backend b;

    public StatusReader(Backend b) {
        this.b = b;
    }

    public ObjectNode read() {
        LokiDir loki = b.loki();
        ObjectNode o = Json.object();
        Instant now = Instant.now();
        Optional<RunRecord> run = RunRecord.current(loki);
        Optional<JsonNode> autonomy = BoundedFiles.json(loki, loki.resolve("autonomy-state.json"));
        Optional<JsonNode> orchestrator = BoundedFiles.json(loki, loki.resolve("state/orchestrator.json"));
        Optional<JsonNode> dash = BoundedFiles.json(loki, loki.resolve("dashboard-state.json"));
        Optional<JsonNode> session = BoundedFiles.json(loki, loki.resolve("session.json"));
        Optional<Long> holder = loki.exists() ? SessionLock.holder(loki) : Optional.empty();

        // the same reading as 'loki status' (RunStatus): the overview never disagrees with the CLI,
        // also right after a rollback restored older agent state
        ObjectNode cli = loki.exists() ? cliStatus(loki, holder, run) : null;
        String legacy = status(loki, holder, run, session, now);
        String state = cli != null ? cli.path("status").asText("inactive") : legacy;
        if (cli != null && holder.isEmpty() && (state.equals("inactive") && run.isEmpty()
                || legacy.equals("running") || legacy.equals("paused"))) {
            // no loop state of ours, or a live upstream (bash) session that holds no lock of ours:
            // upstream's reading (fresh session.json, COMPLETED signal, run record) says more
            state = legacy;
        }
        o.put("status", state);
        o.put("version", b.version());
        o.put("uptime_seconds", Duration.between(b.startedAt(), now).toSeconds());
        o.put("phase", firstText(orchestrator.map(n -> n.path("currentPhase")), dash.map(n -> n.path("phase")))
                .orElse(""));
        o.put("iteration", cli != null && cli.has("iteration") ? cli.path("iteration").asInt()
                : firstInt(autonomy.map(n -> n.path("iterationCount")),
                run.map(r -> Json.toTree(r.iterations())), orchestrator.map(n -> n.path("iteration")),
                dash.map(n -> n.path("iteration"))).orElse(0));
        if (cli != null) {
            o.put("exit_reason", cli.path("exit_reason").asText(""));
            o.put("retry_count", cli.path("retry_count").asInt(0));
        }
        o.put("provider", BoundedFiles.text(loki, loki.resolve("state/provider"), 256).filter(s -> !s.isBlank())
                .or(() -> run.map(RunRecord::provider).filter(s -> !s.isBlank()))
                .or(() -> session.map(n -> n.path("provider").asText("")).filter(s -> !s.isBlank()))
                .orElse(""));
        currentTask(loki).ifPresentOrElse(t -> o.put("current_task", t), () -> o.putNull("current_task"));
        o.put("pending_tasks", TaskReader.count(loki, loki.resolve("queue/pending.json")));
        o.put("mode", dash.map(n -> n.path("mode").asText("")).orElse(""));
        o.put("complexity", firstText(orchestrator.map(n -> n.path("complexity")), dash.map(n -> n.path("complexity")))
                .orElse(""));
        o.put("run_id", run.map(RunRecord::runId).orElse(""));
        o.put("elapsed_seconds", run.map(r -> elapsed(r, now)).orElse(0L));
        int maxIter = run.map(RunRecord::maxIterations).filter(n -> n > 0).orElseGet(() -> envInt("LOKI_MAX_ITERATIONS", 0));
        o.put("max_iterations", cli != null && cli.path("max_iterations").asInt(0) > 0
                ? cli.path("max_iterations").asInt() : maxIter);
        o.put("session_active", holder.isPresent());
        holder.ifPresentOrElse(p -> o.put("pid", p), () -> o.putNull("pid"));
        o.put("active_sessions", holder.isPresent() ? 1 : 0);
        Signals signals = new Signals(loki);
        o.put("pause_requested", signals.isSet(Signals.PAUSE));
        o.put("stop_requested", signals.isSet(Signals.STOP));
        CostReader.budget(loki, b.env()).ifPresent(bud -> o.set("budget", bud));
        // an interrupted rollback, as 'loki status' reports it: the overview says how to finish or undo it
        o.set("rollback_in_progress", b.checkpoints().pendingRollback().map(p -> (com.fasterxml.jackson.databind.JsonNode) p.toJson())
                .orElse(com.fasterxml.jackson.databind.node.NullNode.getInstance()));
        o.set("controls", controls(state, holder.isPresent() || state.equals("running") || state.equals("paused"),
                holder.isPresent(), signals));
        return o;
    }

    private static String status(LokiDir loki, Optional<Long> holder, Optional<RunRecord> run,
            Optional<JsonNode> session, Instant now) {
        if (!loki.exists()) {
            return "idle";
        }
        boolean paused = Files.exists(loki.resolve(Signals.PAUSE));
        if (holder.isPresent()) {
            return paused ? "paused" : "running";
        }
        if (session.isPresent() && "running".equals(session.get().path("status").asText())
                && fresh(session.get(), now)) {
            return paused ? "paused" : "running";
        }
        if (Files.exists(loki.resolve(Signals.COMPLETED))) {
            return "completed";
        }
        if (run.isPresent()) {
            String s = run.get().status();
            if (s.equals("completed") || s.equals("council_approved")) {
                return "completed";
            }
            return "stopped";
        }
        return "idle";
    }

    /** {@code loki status}'s document, or null when it cannot be read (then upstream's reading stands alone). */
    private ObjectNode cliStatus(LokiDir loki, Optional<Long> holder, Optional<RunRecord> run) {
        try {
            return dev.loki.run.RunStatus.read(loki, b.env(), b.version(), holder, run);
        } catch (RuntimeException e) {
            // e.g. an autonomy-state.json written by another tool without retryCount
            return null;
        }
    }

    /**
     * Which controls can act now, so the UI disables the rest: pause only a running run, resume
     * only a paused one, stop only a live one not already stopping, rollback only when no run
     * holds the project (the API refuses it otherwise).
     */
    static ObjectNode controls(String state, boolean live, boolean holdsLock, Signals signals) {
        ObjectNode c = Json.object();
        boolean stopping = signals.isSet(Signals.STOP) || state.equals("stopping");
        c.put("pause", live && state.equals("running") && !stopping);
        c.put("resume", live && state.equals("paused") && !stopping);
        c.put("stop", live && (state.equals("running") || state.equals("paused")) && !stopping);
        // the same rule as POST /api/checkpoints/{id}/rollback: refused while a run holds the session lock
        c.put("rollback", !holdsLock);
        c.put("reason", live ? (stopping ? "the run is stopping" : "") : "no run is active (status " + state + ")");
        return c;
    }

    private static boolean fresh(JsonNode session, Instant now) {
        for (String f : new String[] {"updatedAt", "startedAt"}) {
            try {
                Instant t = Instant.parse(session.path(f).asText());
                return Duration.between(t, now).compareTo(FRESH_SKILL_SESSION) <= 0;
            } catch (RuntimeException e) {
                // try the next field
            }
        }
        return false;
    }

    private static long elapsed(RunRecord r, Instant now) {
        try {
            Instant start = Instant.parse(r.startedAt());
            Instant end = r.endedAt().isBlank() ? now : Instant.parse(r.endedAt());
            return Math.max(0, Duration.between(start, end).toSeconds());
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static Optional<String> currentTask(LokiDir loki) {
        return BoundedFiles.json(loki, loki.resolve("queue/current-task.json"), 256 * 1024).flatMap(n -> {
            if (n.isTextual() && !n.asText().isBlank()) {
                return Optional.of(n.asText());
            }
            for (String f : new String[] {"title", "description", "id"}) {
                String v = n.path(f).asText("");
                if (!v.isBlank()) {
                    return Optional.of(v);
                }
                v = n.path("payload").path(f).asText("");
                if (!v.isBlank()) {
                    return Optional.of(v);
                }
            }
            return Optional.empty();
        });
    }

    @SafeVarargs
    private static Optional<String> firstText(Optional<JsonNode>... nodes) {
        for (Optional<JsonNode> n : nodes) {
            if (n.isPresent() && n.get().isValueNode() && !n.get().asText("").isBlank()) {
                return Optional.of(n.get().asText());
            }
        }
        return Optional.empty();
    }

    @SafeVarargs
    private static Optional<Integer> firstInt(Optional<JsonNode>... nodes) {
        for (Optional<JsonNode> n : nodes) {
            if (n.isPresent() && n.get().canConvertToInt() && n.get().isNumber() && n.get().asInt() > 0) {
                return Optional.of(n.get().asInt());
            }
        }
        return Optional.empty();
    }

    private int envInt(String name, int dflt) {
        try {
            return Integer.parseInt(b.env().getOrDefault(name, "").strip());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }
}
