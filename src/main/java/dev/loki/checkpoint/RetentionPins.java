package dev.loki.checkpoint;

import dev.loki.store.LokiDir;
import dev.loki.store.RunRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The checkpoints retention keeps whatever their age, in addition to the newest
 * {@code LOKI_CHECKPOINT_RETENTION}: the ones loki printed or recorded a promise about.
 * <ul>
 * <li>the run-start checkpoint of the current (or last) run, and of the run before it: the start
 * of a run prints "to undo the whole run: loki rollback to &lt;id&gt;", and the run's proof
 * compares the work tree against that checkpoint's snapshot (its base snapshot). Without the pin
 * a run longer than the retention count pruned its own start, the printed undo failed and the
 * proof counted the user's pre-run edits as the run's work;</li>
 * <li>the newest pre-rollback checkpoint: the last rollback printed it as its undo.</li>
 * </ul>
 * A pin ends when a newer run (or rollback) replaces it, so at most five checkpoints are pinned.
 */
public final class RetentionPins {
    /** The task id the run's start checkpoint carries ({@code RunStarter}). */
    static final String RUN_START_TASK = "run-start";
    /** How many runs (the current or last one, and the one before) keep their start checkpoint. */
    private static final int RUNS = 2;

    private RetentionPins() {
    }

    /** Pinned checkpoint id to why (a few words, for the prune event and the list), oldest first. */
    public static Map<String, String> of(LokiDir loki, List<Checkpoint> all) {
        Map<String, String> pins = new LinkedHashMap<>();
        for (RunRecord run : recentRuns(loki)) {
            for (Checkpoint c : all) {
                boolean start = run.checkpointIds().contains(c.id()) && RUN_START_TASK.equals(c.taskId());
                boolean base = !run.baseSnapshot().isEmpty()
                        && c.snapshotCommit().map(run.baseSnapshot()::equals).orElse(false);
                if (start || base) {
                    pins.putIfAbsent(c.id(), "run-start checkpoint of " + run.runId());
                }
            }
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).kind() == CheckpointKind.PRE_ROLLBACK) {
                pins.putIfAbsent(all.get(i).id(), "undo of the last rollback");
                break;
            }
        }
        return pins;
    }

    /**
     * The current (or last) run, from {@code state/run.json}, then the newest other run recorded
     * under {@code runs/} (run ids start with their UTC start time, so the newest sorts last).
     */
    static List<RunRecord> recentRuns(LokiDir loki) {
        Optional<RunRecord> current = RunRecord.current(loki);
        List<RunRecord> out = new java.util.ArrayList<>();
        current.ifPresent(out::add);
        Path runs = loki.resolve("runs");
        if (!Files.isDirectory(runs)) {
            return out;
        }
        List<String> names;
        try (Stream<Path> s = Files.list(runs)) {
            names = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("run-"))
                    .filter(dev.loki.Ids::isSafe).sorted(Comparator.reverseOrder()).toList();
        } catch (IOException | UncheckedIOException e) {
            return out;
        }
        for (String name : names) {
            if (out.size() >= RUNS) {
                break;
            }
            if (current.isPresent() && current.get().runId().equals(name)) {
                continue;
            }
            RunRecord.load(loki, name).ifPresent(out::add);
        }
        return out;
    }
}
