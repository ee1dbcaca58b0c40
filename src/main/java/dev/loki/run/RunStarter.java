package dev.loki.run;

import dev.loki.LokiException;
import dev.loki.checkpoint.Checkpoint;
import dev.loki.checkpoint.CheckpointKind;
import dev.loki.checkpoint.CheckpointRequest;
import dev.loki.checkpoint.CheckpointService;
import dev.loki.council.CompletionCouncil;
import dev.loki.gate.QualityGates;
import dev.loki.git.RepoInfo;
import dev.loki.provider.EnvReader;
import dev.loki.provider.Provider;
import dev.loki.provider.Providers;
import dev.loki.store.LokiDir;
import dev.loki.store.RunRecord;
import dev.loki.store.SessionLock;
import dev.loki.store.Signals;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * {@code loki start}: settings, spec and provider checked before anything starts; then the
 * session lock, the run record with its base snapshot, the loop, and the end-of-run hooks.
 * A crash leaves state that the next start resumes (iteration and retry counts, the same run).
 */
public final class RunStarter {
    private static final DateTimeFormatter RUN_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);
    private static final List<String> STALE = List.of(Signals.PAUSE, Signals.STOP, Signals.PAUSE_AT_CHECKPOINT,
            Signals.PAUSED_NOTE, Signals.COMPLETED);

    /**
     * What to start. {@code provider} overrides the named provider (the demo's scripted agent);
     * {@code envOverrides} win over the environment (quick mode's profile).
     */
    public record Request(Optional<Path> spec, Optional<String> providerFlag, Optional<Provider> provider,
            Map<String, String> envOverrides, boolean liveProgress, boolean handleSignals,
            List<RunHook> hooks) {
    }

    /** The end of a run. */
    public record Outcome(LoopResult result, RunRecord run) {
    }

    private final LokiDir dir;
    private final Map<String, String> baseEnv;
    private final Path cwd;
    private final PrintStream err;

    public RunStarter(LokiDir dir, Map<String, String> env, Path cwd, PrintStream err) {
        this.dir = dir;
        this.baseEnv = env;
        this.cwd = cwd;
        this.err = err;
    }

    /**
     * Set by {@code loki start --bg} in its detached run's environment: a file to write this
     * run's {@code .loki} path into once the run holds it (an isolated run holds a worktree's,
     * which the waiting command cannot know). Not passed on to the run's own children.
     */
    public static final String READY_FILE = "LOKI_BG_READY_FILE";

    public Outcome start(Request req) throws IOException, InterruptedException {
        Map<String, String> raw = new HashMap<>(baseEnv);
        Optional<String> ready = Optional.ofNullable(raw.remove(READY_FILE)).filter(f -> !f.isBlank());
        raw.putAll(req.envOverrides());
        Map<String, String> env = ConfigFile.merge(raw, dir.path());
        EnvReader er = new EnvReader(env);
        Path spec = SpecFinder.resolve(req.spec(), er.get("LOKI_PRD_FILE"), cwd, dir.workTree());
        RunSettings settings = RunSettings.from(er, true);
        ProviderChoice choice = ProviderChoice.resolve(req.providerFlag(), env, dir);
        Provider provider = req.provider().orElseGet(() -> Providers.byName(choice.name(), env));
        Providers.requireInstalled(provider, env);
        SpecFinder.Text read = SpecFinder.read(spec);
        String specText = read.text();
        String specPath = displayPath(spec);

        dir.ensureExists();
        Optional<dev.loki.checkpoint.RollbackJournal.Pending> unfinished =
                dev.loki.checkpoint.RollbackJournal.at(dir).read();
        if (unfinished.isPresent()) {
            // an agent set to work on a half-restored tree would build on files from two checkpoints
            dev.loki.checkpoint.RollbackJournal.Pending p = unfinished.get();
            throw LokiException.failed("Nothing started: a rollback to " + p.target() + " is unfinished here ("
                    + (p.writerAlive() ? "still running" : p.phase()) + "). "
                    + (p.writerAlive() ? "Wait for it to end" : "Complete it with: " + p.completeCommand()
                            + p.undoCommand().map(u -> ", or undo it with: " + u).orElse(""))
                    + "; then start again.");
        }
        Optional<SessionLock> lock = SessionLock.tryAcquire(dir);
        if (lock.isEmpty()) {
            String pid = SessionLock.holder(dir).map(p -> " (pid " + p + ")").orElse("");
            throw LokiException.failed("Another loki run" + pid + " is active in " + dir.workTree()
                    + ". Stop it with 'loki stop', or wait for it to finish.");
        }
        // before the STOP watcher (Interrupts) starts: it would stop this run for an earlier run's STOP
        List<String> stale;
        try {
            stale = clearStaleSignals();
        } catch (IOException | RuntimeException e) {
            lock.get().close();
            throw e;
        }
        try (SessionLock held = lock.get();
                RunLog log = new RunLog(err, dir.resolve("logs/session.log"), req.liveProgress());
                Interrupts interrupts = new Interrupts(dir, log)) {
            if (ready.isPresent()) {
                dev.loki.store.AtomicFiles.writeString(Path.of(ready.get()), dir.path().toAbsolutePath() + "\n");
            }
            if (req.handleSignals()) {
                interrupts.install();
            }
            log.heartbeat(er.seconds("LOKI_PROGRESS_INTERVAL", java.time.Duration.ofSeconds(10)))
                    .echo(EnvReader.truthy(env.get("LOKI_ECHO")));
            prepare(log, stale);
            if (read.replaced()) {
                log.warn(read.warning(specPath));
            }
            ConfigFile.agentWritten(dir).ifPresent(log::warn);
            // the provider is not saved here: only 'loki provider set' chooses one for later runs
            StateStore store = new StateStore(dir);
            AutonomyState resumed = store.loadForResume();
            Optional<CheckpointService> checkpoints = settings.checkpoints()
                    ? Optional.of(CheckpointService.open(dir, env).reportTo(log::warn)) : Optional.empty();
            RunRecorder recorder = new RunRecorder(dir, runRecord(resumed, provider, specPath, settings, checkpoints,
                    env, log));
            if (resumed.iterationCount() > 0) {
                // the count includes an iteration that was interrupted: it was started, and counts toward the cap
                log.info("Resuming " + recorder.record().runId() + " after " + resumed.iterationCount()
                        + " iteration(s) (an interrupted one counts): next is iteration "
                        + (resumed.iterationCount() + 1) + " (retry " + resumed.retryCount() + ")");
            }
            new Budget(dir, settings.budgetLimit()).init();
            if (spec.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".md")) {
                int added = PrdTasks.populate(dir, specText);
                if (added > 0) {
                    log.info("Queued " + added + " task(s) from the spec in .loki/queue/pending.json");
                }
            }
            new Continuity(dir, env).write(new Continuity.Snapshot(resumed.iterationCount(), settings.maxIterations(),
                    "BOOTSTRAP", provider.name(), java.time.Duration.ZERO, ""));
            log.info("Run " + recorder.record().runId() + ": spec " + specPath + ", provider " + provider.name()
                    + ", max " + settings.maxIterations() + " iterations, mode " + settings.mode().label()
                    + (settings.gates() ? "" : ", gates off") + (settings.council() ? "" : ", council off"));
            List<RunHook> hooks = req.hooks();
            for (RunHook h : hooks) {
                try {
                    h.onStart(dir, recorder.record(), env, log);
                } catch (Exception e) {
                    log.warn("start hook " + h.getClass().getSimpleName() + " failed: " + e.getMessage());
                }
            }
            ProviderReviewer reviewer = new ProviderReviewer(dir, provider, env, interrupts);
            AutonomousLoop loop = new AutonomousLoop(new AutonomousLoop.LoopContext(dir, env, settings, specPath,
                    specText, provider, log, interrupts, recorder, checkpoints,
                    settings.gates() ? Optional.of(QualityGates.fromEnv(env)) : Optional.empty(),
                    settings.council() ? Optional.of(CompletionCouncil.fromEnv(env)) : Optional.empty(), reviewer),
                    resumed);
            LoopResult result;
            try {
                result = loop.run();
            } catch (IOException | RuntimeException e) {
                recorder.end("failed", "internal error: " + e.getMessage(), recorder.record().iterations());
                throw e;
            }
            RunRecord ended = recorder.end(runStatus(result.status()), result.reason(), result.iterations());
            for (int i = hooks.size() - 1; i >= 0; i--) {
                try {
                    hooks.get(i).onEnd(dir, ended, result, env, log);
                } catch (Exception e) {
                    log.warn("end hook " + hooks.get(i).getClass().getSimpleName() + " failed: " + e.getMessage());
                }
            }
            log.info("Run " + ended.runId() + " ended: " + result.status() + " after " + result.iterations()
                    + " iteration(s): " + result.reason());
            return new Outcome(result, ended);
        }
    }

    /** Removes the signals a dead run left (we hold the lock); returns their names. */
    private List<String> clearStaleSignals() throws IOException {
        Signals s = new Signals(dir);
        List<String> removed = new java.util.ArrayList<>();
        for (String name : STALE) {
            if (s.clear(name)) {
                removed.add(name);
            }
        }
        return removed;
    }

    /** Directories, queue files, old temp files; says which stale signals were removed. We hold the lock. */
    private void prepare(RunLog log, List<String> staleRemoved) throws IOException {
        for (String d : List.of("logs", "state", "queue", "signals", "metrics/efficiency", "quality", "council")) {
            Files.createDirectories(dir.resolve(d));
        }
        for (String name : staleRemoved) {
            log.info("Removed a stale " + name + " left by an earlier run");
        }
        StateStore.sweepTempFiles(dir);
        Queue.seed(dir);
        new Metrics(dir).seedOrchestrator();
    }

    private RunRecord runRecord(AutonomyState resumed, Provider provider, String specPath, RunSettings settings,
            Optional<CheckpointService> checkpoints, Map<String, String> env, RunLog log) throws IOException {
        Optional<RunRecord> current = RunRecord.current(dir);
        if (continues(resumed, current)) {
            RunRecord r = current.get();
            RunRecord again = new RunRecord(r.runId(), r.startedAt(), "", "running", provider.name(), r.specPath(),
                    r.baseHead(), r.baseSnapshot(), r.iterations(), settings.maxIterations(), r.checkpointIds(), "");
            again.save(dir);
            return again;
        }
        archiveEfficiency(current);
        archiveIterationLogs(current);
        String runId = "run-" + RUN_STAMP.format(Instant.now()) + "-"
                + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
        String baseHead = RepoInfo.detect(dir.workTree(), env).flatMap(RepoInfo::head).orElse("");
        String baseSnapshot = "";
        List<String> ids = List.of();
        if (checkpoints.isPresent()) {
            Checkpoint cp = checkpoints.get().create(new CheckpointRequest(CheckpointKind.ITERATION,
                    "run start: the project before " + runId, 0, "run-start", "run start (before any agent change)",
                    provider.name(), true, true));
            baseSnapshot = cp.snapshotCommit().orElse("");
            ids = List.of(cp.id());
            log.info("Run-start checkpoint " + cp.id() + "; to undo the whole run: loki rollback to " + cp.id());
        }
        RunRecord r = new RunRecord(runId, Instant.now().toString(), "", "running", provider.name(), specPath,
                baseHead, baseSnapshot, 0, settings.maxIterations(), ids, "");
        r.save(dir);
        return r;
    }

    /** Whether the next start in {@code dir} continues its current run (its spend so far still counts) or begins a new one. */
    public static boolean continuesRun(LokiDir dir) {
        return continues(new StateStore(dir).loadForResume(), RunRecord.current(dir));
    }

    private static boolean continues(AutonomyState resumed, Optional<RunRecord> current) {
        return resumed.iterationCount() > 0 && current.isPresent() && current.get().runId().equals(resumed.runId());
    }

    /** A new run's budget counts only its own iterations: earlier files move to the old run's folder. */
    private void archiveEfficiency(Optional<RunRecord> previous) throws IOException {
        Path eff = dir.resolve("metrics/efficiency");
        if (!Files.isDirectory(eff)) {
            return;
        }
        Path target = previous.map(r -> dir.resolve("runs").resolve(r.runId()).resolve("efficiency"))
                .orElse(dir.resolve("runs/unrecorded/efficiency"));
        try (Stream<Path> files = Files.list(eff)) {
            for (Path p : files.filter(f -> f.getFileName().toString().startsWith("iteration-")).toList()) {
                Files.createDirectories(target);
                Files.move(p, target.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /**
     * A new run starts with an empty {@code logs/iterations/} (upstream's path, which scripts and
     * {@code loki logs --agent} read): the previous run's prompts and outputs move to {@code
     * runs/<id>/logs/iterations/}, so no run's iteration log is overwritten by the next.
     */
    private void archiveIterationLogs(Optional<RunRecord> previous) throws IOException {
        Path logs = dir.resolve("logs/iterations");
        if (!Files.isDirectory(logs)) {
            return;
        }
        Path target = previous.map(r -> dir.resolve("runs").resolve(r.runId()))
                .orElse(dir.resolve("runs/unrecorded")).resolve("logs/iterations");
        try (Stream<Path> files = Files.list(logs)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Files.createDirectories(target);
                Files.move(p, target.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** RunRecord's status vocabulary for a loop status. */
    static String runStatus(String loopStatus) {
        return switch (loopStatus) {
            case "council_approved", "completion_promise_fulfilled" -> "completed";
            case "max_iterations_reached" -> "max_iterations";
            case "stopped", "council_force_stop" -> "stopped";
            case "interrupted" -> "interrupted";
            case "budget_exceeded" -> "budget_exceeded";
            default -> "failed";
        };
    }

    private String displayPath(Path spec) {
        Path abs = spec.toAbsolutePath().normalize();
        return abs.startsWith(dir.workTree()) ? dir.workTree().relativize(abs).toString() : abs.toString();
    }
}
