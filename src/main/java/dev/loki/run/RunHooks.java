package dev.loki.run;

import dev.loki.dashboard.DashboardLauncher;
import dev.loki.proof.ProofResult;
import dev.loki.proof.ProofService;
import dev.loki.store.LokiDir;
import dev.loki.store.RunRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The hooks every {@code loki start} runs, the one place run-wide features are wired: the
 * dashboard at start (unless {@code LOKI_DASHBOARD=false}) and the proof-of-run at the end of
 * every run (unless {@code LOKI_PROOF=0}). Hooks run in list order at start and in reverse
 * order at the end.
 */
public final class RunHooks {
    private RunHooks() {
    }

    public static List<RunHook> standard(Map<String, String> env) {
        List<RunHook> hooks = new ArrayList<>();
        hooks.add(new DashboardHook());
        hooks.add(new MemoryHook());
        hooks.add(new ProofHook());
        return hooks;
    }

    /**
     * Starts the dashboard (or finds the running one) and prints its login link on the terminal
     * only: never into session.log, which /api/logs serves (the link is a one-time admin login,
     * valid 2 minutes). A dashboard this run started watches the run's process and stops with it
     * (end, stop, crash or kill) unless {@code --keep-dashboard} ({@code LOKI_KEEP_DASHBOARD=true});
     * the console says which. One that was already running is left alone.
     */
    static final class DashboardHook implements RunHook {
        private DashboardLauncher.RunDashboard started;

        @Override
        public void onStart(LokiDir dir, RunRecord run, Map<String, String> env, RunLog log) {
            boolean keep = dev.loki.provider.EnvReader.truthy(env.get("LOKI_KEEP_DASHBOARD"));
            DashboardLauncher.ensureRunningForRun(dir, env, ProcessHandle.current().pid(), keep, System.err)
                    .ifPresent(d -> {
                        started = d;
                        String base = d.instance().baseUrl();
                        if (!d.startedByRun()) {
                            log.info("Dashboard: " + base + " (already running before this run; it stays after it)");
                        } else if (d.kept()) {
                            log.info("Dashboard: " + base + " (--keep-dashboard: it keeps running after the run;"
                                    + " stop it with 'loki dashboard stop')");
                        } else {
                            log.info("Dashboard: " + base + " (stops with this run; --keep-dashboard keeps it)");
                        }
                        if (dev.loki.provider.EnvReader.truthy(env.get(dev.loki.process.Processes.OUTPUT_TO_LOG))) {
                            // started detached (MCP, backlog): this output is a log file, not a person
                            log.info("Dashboard login: run 'loki dashboard open' for a one-time link (a login link"
                                    + " is never written to a log)");
                        } else {
                            log.terminal("Dashboard login (one-time link, valid 2 minutes; 'loki dashboard open'"
                                    + " makes a fresh one): " + d.loginUrl());
                        }
                    });
        }

        @Override
        public void onEnd(LokiDir dir, RunRecord run, LoopResult result, Map<String, String> env, RunLog log) {
            if (started == null || !started.startedByRun()) {
                return;
            }
            if (started.kept()) {
                log.info("Dashboard still running at " + started.instance().baseUrl()
                        + " (--keep-dashboard); stop it with 'loki dashboard stop'");
                return;
            }
            DashboardLauncher.StopOutcome o = DashboardLauncher.stop(dir);
            log.info(o == DashboardLauncher.StopOutcome.STOPPED || o == DashboardLauncher.StopOutcome.STALE_REMOVED
                    || o == DashboardLauncher.StopOutcome.NOT_RUNNING
                    ? "Dashboard stopped with the run" : "Dashboard: " + o.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** Writes the proof of the run that just ended, whatever way it ended. */
    static final class ProofHook implements RunHook {
        @Override
        public void onEnd(LokiDir dir, RunRecord run, LoopResult result, Map<String, String> env, RunLog log) {
            ProofResult p = ProofService.generate(dir, env, run.runId(), false);
            p.warnings().forEach(w -> log.warn("proof: " + w));
            if (p.written()) {
                p.dir().ifPresent(d -> log.info("Proof of run: " + d.resolve("index.html")
                        + "  (check it: loki proof verify " + run.runId() + ")"));
            }
        }
    }

    /**
     * Records the run as an episode in the memory (unless {@code LOKI_MEMORY=false}). Listed
     * before the proof hook, so at the end it runs after it and reads the proof's file list.
     */
    static final class MemoryHook implements RunHook {
        @Override
        public void onEnd(LokiDir dir, RunRecord run, LoopResult result, Map<String, String> env, RunLog log) {
            dev.loki.memory.Episodes.record(dir, env, run, result.status(), result.reason())
                    .ifPresent(m -> log.info("Memory: recorded this run as " + m.id()));
        }
    }
}
