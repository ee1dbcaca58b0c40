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

    /** Starts the dashboard (or finds the running one) and prints its login URL. */
    static final class DashboardHook implements RunHook {
        @Override
        public void onStart(LokiDir dir, RunRecord run, Map<String, String> env, RunLog log) {
            DashboardLauncher.ensureRunning(dir, env).ifPresent(url -> log.info("Dashboard: " + url));
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
