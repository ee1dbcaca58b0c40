package dev.loki.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The hooks every {@code loki start} runs. This is the one place to wire run-wide features:
 *
 * <ul>
 *   <li>start the dashboard unless {@code LOKI_DASHBOARD=false}: add a hook whose {@code onStart}
 *       starts it (and whose {@code onEnd} stops it);</li>
 *   <li>the proof-of-run at the end of every run: add a hook whose {@code onEnd} generates it
 *       from the ended {@link dev.loki.store.RunRecord}.</li>
 * </ul>
 * Hooks run in list order at start and in reverse order at the end.
 */
public final class RunHooks {
    private RunHooks() {
    }

    public static List<RunHook> standard(Map<String, String> env) {
        List<RunHook> hooks = new ArrayList<>();
        // Lead: hooks.add(new DashboardHook()) unless LOKI_DASHBOARD=false; hooks.add(new ProofHook()).
        return hooks;
    }
}
