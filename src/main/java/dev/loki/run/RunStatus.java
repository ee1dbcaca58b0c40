package dev.loki.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import dev.loki.store.RunRecord;
import dev.loki.store.SessionLock;
import dev.loki.store.Signals;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** What {@code loki status} reports, read from .loki without changing anything. */
public final class RunStatus {
    /** Loop statuses a run ends with (a paused, crashed or exited state is not an ending). */
    private static final java.util.Set<String> ENDED = java.util.Set.of("failed", "max_iterations_reached",
            "council_approved", "completion_promise_fulfilled", "council_force_stop", "stopped", "interrupted",
            "budget_exceeded");

    private RunStatus() {
    }

    /** Upstream's status JSON shape (version, status, phase, iteration, provider, ...) plus our run fields. */
    public static ObjectNode read(LokiDir dir, Map<String, String> env, String version) {
        return read(dir, env, version, () -> SessionLock.holder(dir), () -> RunRecord.current(dir));
    }

    /**
     * The same, with the session lock's holder and the current run record as the caller already
     * read them (the dashboard reads both for its own fields on every tick).
     */
    public static ObjectNode read(LokiDir dir, Map<String, String> env, String version, Optional<Long> holder,
            Optional<RunRecord> run) {
        return read(dir, env, version, () -> holder, () -> run);
    }

    private static ObjectNode read(LokiDir dir, Map<String, String> env, String version,
            java.util.function.Supplier<Optional<Long>> holderRead,
            java.util.function.Supplier<Optional<RunRecord>> runRead) {
        ObjectNode o = fields(dir, env, version, holderRead, runRead);
        // an interrupted rollback, in every front door's status (CLI, dashboard, MCP) from this one place
        o.set("rollback_in_progress", dev.loki.checkpoint.RollbackJournal.at(dir).read()
                .map(p -> (JsonNode) p.toJson()).orElse(Json.MAPPER.nullNode()));
        return o;
    }

    private static ObjectNode fields(LokiDir dir, Map<String, String> env, String version,
            java.util.function.Supplier<Optional<Long>> holderRead,
            java.util.function.Supplier<Optional<RunRecord>> runRead) {
        ObjectNode o = Json.object();
        o.put("version", version);
        if (!dir.exists()) {
            o.put("status", "inactive");
            o.put("phase", "");
            o.put("iteration", 0);
            ProviderChoice pc = ProviderChoice.resolve(Optional.empty(), env, dir);
            o.put("provider", pc.name());
            o.put("provider_source", pc.source());
            o.putNull("pid");
            return o;
        }
        Optional<Long> holder = holderRead.get();
        Signals s = new Signals(dir);
        AutonomyState st = new StateStore(dir).load();
        Optional<RunRecord> run = runRead.get();
        String status;
        if (holder.isPresent()) {
            status = s.isSet(Signals.PAUSE) ? "paused" : s.isSet(Signals.STOP) ? "stopping" : "running";
        } else {
            // nobody holds the run, yet it never recorded an ending: it died (SIGKILL, power loss). The
            // state file alone cannot say so: between steps it reads "exited" (after the provider
            // call, during the gates and the council) or "paused"
            boolean neverEnded = run.map(r -> "running".equals(r.status())).orElse(false)
                    && !ENDED.contains(st.status());
            status = st.status().isEmpty() ? "inactive"
                    : st.status().equals("running") || neverEnded ? "crashed" : st.status();
        }
        o.put("status", status);
        o.put("phase", JsonFiles.peek(dir.resolve("state/orchestrator.json"))
                .map(n -> n.path("currentPhase").asText("")).orElse(""));
        o.put("iteration", st.iterationCount());
        o.put("max_iterations", run.map(RunRecord::maxIterations).orElse(0));
        o.put("retry_count", st.retryCount());
        o.put("last_exit_code", st.lastExitCode());
        ProviderChoice pc = ProviderChoice.resolve(Optional.empty(), env, dir);
        // the provider the recorded run used (live or ended); the configured one only when no run names one
        Optional<String> runProvider = run.map(RunRecord::provider).filter(p -> !p.isBlank());
        o.put("provider", runProvider.orElse(pc.name()));
        o.put("provider_source", runProvider.isPresent() ? (holder.isPresent() ? "run" : "last run") : pc.source());
        if (holder.isPresent() && holder.get() > 0) {
            o.put("pid", holder.get());
        } else {
            o.putNull("pid");
        }
        o.put("run_id", run.map(RunRecord::runId).orElse(""));
        o.put("spec", run.map(RunRecord::specPath).orElse(st.prdPath()));
        o.put("elapsed_time", run.map(r -> elapsed(r)).orElse(0L));
        // what 'loki rollback list' shows, not how many the run took: retention removes old ones
        putCheckpointCount(o, dir, env);
        o.put("last_checkpoint", run.map(r -> r.checkpointIds().isEmpty() ? ""
                : r.checkpointIds().get(r.checkpointIds().size() - 1)).orElse(""));
        o.put("exit_reason", run.map(RunRecord::exitReason).orElse(""));
        if (holder.isEmpty() && ENDED.contains(status)) {
            // what 'loki start' exited with for this ending (README's table)
            o.put("exit_code", LoopResult.exitCodeFor(status));
        } else {
            o.putNull("exit_code");
        }
        ObjectNode budget = o.putObject("budget");
        JsonNode b = JsonFiles.peek(dir.resolve("metrics/budget.json")).orElse(Json.object());
        budget.put("limit", b.path("budget_limit").asDouble(0));
        budget.put("used", new Budget(dir, Optional.empty()).spend());
        budget.put("exceeded", s.isSet(Signals.BUDGET_EXCEEDED));
        ObjectNode tasks = o.putObject("task_counts");
        int pending = Queue.tasks(dir, "pending").size();
        int completed = Queue.tasks(dir, "completed").size();
        int failed = Queue.tasks(dir, "failed").size();
        tasks.put("total", pending + completed + failed + Queue.tasks(dir, "in-progress").size());
        tasks.put("completed", completed);
        tasks.put("failed", failed);
        tasks.put("pending", pending);
        o.put("gate_failures", readText(dir, "quality/gate-failures.txt"));
        ObjectNode sig = o.putObject("signals");
        for (String name : new String[] {Signals.PAUSE, Signals.STOP, Signals.PAUSE_AT_CHECKPOINT,
            Signals.BUDGET_EXCEEDED, Signals.GATE_ESCALATION}) {
            sig.put(name, s.isSet(name));
        }
        return o;
    }

    /** The checkpoints that exist now; null when they cannot be counted (an invalid setting, say). */
    private static void putCheckpointCount(ObjectNode o, LokiDir dir, Map<String, String> env) {
        try {
            o.put("checkpoints", dev.loki.checkpoint.CheckpointService.open(dir, env).count());
        } catch (RuntimeException e) {
            o.putNull("checkpoints");
        }
    }

    private static long elapsed(RunRecord r) {
        try {
            Instant start = Instant.parse(r.startedAt());
            Instant end = r.endedAt().isEmpty() ? Instant.now() : Instant.parse(r.endedAt());
            return Duration.between(start, end).toSeconds();
        } catch (java.time.format.DateTimeParseException e) {
            return 0;
        }
    }

    private static String readText(LokiDir dir, String rel) {
        try {
            return java.nio.file.Files.readString(dir.resolve(rel)).strip();
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
