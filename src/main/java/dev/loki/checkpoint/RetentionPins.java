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
 * <li>the newest pre-rollback checkpoint: the last rollback printed it as its undo;</li>
 * <li>every pre-rollback checkpoint newer than the newest checkpoint of any other kind: rollbacks in a
 * row each printed their undo, and nothing but rollbacks happened since. A checkpoint of new work
 * (an iteration, {@code checkpoint create}, the dashboard) ends these pins, not the last one's;</li>
 * <li>the target and the pre-rollback checkpoint of an unfinished rollback's journal: every
 * command prints them as the commands that complete or undo it.</li>
 * </ul>
 * A pin ends when a newer run replaces it, when a checkpoint of other work is taken after an earlier
 * rollback's undo (the last rollback's: once a newer rollback is the last), or when the journal
 * goes. So at most seven checkpoints are pinned, plus one for each rollback in a row beyond the
 * first, a number only the user's own commands raise.
 */
public final class RetentionPins {
    /** The task id the run's start checkpoint carries ({@code RunStarter}). */
    static final String RUN_START_TASK = "run-start";

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
        // an unfinished rollback's journal: every command prints "Complete it with: loki rollback to
        // <target>, or undo it with: loki rollback to <pre>" until it is completed or undone
        RollbackJournal.at(loki).read().ifPresent(p -> {
            p.preRollback().ifPresent(id -> pins.putIfAbsent(id, "undo of the interrupted rollback"));
            pins.putIfAbsent(p.target(), "target of the interrupted rollback");
        });
        // every rollback printed its undo: the last one's is kept, and so are those of the rollbacks
        // before it in a row (no checkpoint of other work taken since): "undo with X" keeps working
        // until new work is checkpointed over it
        int newestOther = -1;
        int newestUndo = -1;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).kind() == CheckpointKind.PRE_ROLLBACK) {
                newestUndo = i;
            } else {
                newestOther = i;
            }
        }
        if (newestUndo >= 0) {
            pins.putIfAbsent(all.get(newestUndo).id(), "undo of the last rollback");
        }
        for (int i = newestOther + 1; i < newestUndo; i++) {
            pins.putIfAbsent(all.get(i).id(), "undo of an earlier rollback, no new checkpoint since");
        }
        return pins;
    }

    /**
     * The current (or last) run, from {@code state/run.json}, then the newest other run recorded
     * under {@code runs/} (run ids start with their UTC start time, so the newest sorts last).
     * What was read is remembered with the versions of its files: run.json is read again only
     * when it changed (every iteration of a run), runs/ is listed and the older run's record read
     * again only when runs/, that record or the current run changed (a new run), so the retention
     * after every checkpoint does not list and parse them again.
     */
    static List<RunRecord> recentRuns(LokiDir loki) {
        Path key = loki.path().toAbsolutePath().normalize();
        Memo m = MEMO.get(key);
        // each version is taken before its file is read: a change while reading only makes the next call read again
        String currentVersion = CheckpointRecords.version(RunRecord.currentFile(loki));
        Optional<RunRecord> cur = m != null && m.currentVersion().equals(currentVersion) ? m.current()
                : RunRecord.current(loki);
        String curId = cur.map(RunRecord::runId).orElse("");
        Path runs = loki.resolve("runs");
        String runsVersion = CheckpointRecords.version(runs);
        Older older = m != null && m.older().runsVersion().equals(runsVersion) && m.older().currentId().equals(curId)
                && m.older().read().entrySet().stream()
                        .allMatch(e -> e.getValue().equals(CheckpointRecords.version(e.getKey())))
                ? m.older() : older(loki, runs, runsVersion, curId);
        if (MEMO.size() >= 100) {
            MEMO.clear();
        }
        MEMO.put(key, new Memo(currentVersion, cur, older));
        List<RunRecord> out = new java.util.ArrayList<>();
        cur.ifPresent(out::add);
        older.run().ifPresent(out::add);
        return out;
    }

    /** The newest run under {@code runs/} other than {@code currentId}, with the versions of the records read. */
    private static Older older(LokiDir loki, Path runs, String runsVersion, String currentId) {
        List<String> names = List.of();
        if (Files.isDirectory(runs)) {
            try (Stream<Path> s = Files.list(runs)) {
                names = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("run-"))
                        .filter(dev.loki.Ids::isSafe).sorted(Comparator.reverseOrder()).toList();
            } catch (IOException | UncheckedIOException e) {
                names = List.of();
            }
        }
        Map<Path, String> read = new LinkedHashMap<>();
        for (String name : names) {
            if (name.equals(currentId)) {
                continue;
            }
            Path file = RunRecord.archivedFile(loki, name);
            read.put(file, CheckpointRecords.version(file)); // an unreadable newer record that is fixed later is read again
            Optional<RunRecord> r = RunRecord.load(loki, name);
            if (r.isPresent()) {
                return new Older(runsVersion, currentId, Map.copyOf(read), r);
            }
        }
        return new Older(runsVersion, currentId, Map.copyOf(read), Optional.empty());
    }

    /** What was read for a project's pins, with the versions of the files it came from. */
    private record Memo(String currentVersion, Optional<RunRecord> current, Older older) {
    }

    /** The older run (if any) and what it was found with: each record file read, by its version. */
    private record Older(String runsVersion, String currentId, Map<Path, String> read, Optional<RunRecord> run) {
    }

    private static final Map<Path, Memo> MEMO = new java.util.concurrent.ConcurrentHashMap<>();

    // a file's or directory's version: CheckpointRecords.version (size, times, inode; never trusted just after a change)
}
