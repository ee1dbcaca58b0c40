package dev.loki.run;

import dev.loki.store.LokiDir;
import dev.loki.store.RunRecord;
import java.util.Map;

/**
 * Something to do when a run starts or ends (a dashboard, a proof-of-run). A hook's failure is
 * logged and never fails the run.
 */
public interface RunHook {
    /** After the lock, run record and base snapshot, before the first iteration. */
    default void onStart(LokiDir dir, RunRecord run, Map<String, String> env, RunLog log) throws Exception {
    }

    /** At the end of every run: success, failure, stop or interrupt. {@code run} is already marked ended. */
    default void onEnd(LokiDir dir, RunRecord run, LoopResult result, Map<String, String> env, RunLog log)
            throws Exception {
    }
}
