package dev.loki.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import dev.loki.store.RunRecord;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each pin rule of {@link RetentionPins} on its own (the run-start id, the run's base snapshot,
 * the last rollback's undo), the documented bound (at most five pinned) and the prune event that
 * names the pinned ids (docs/checkpoints.md, "Retention, and what it never removes").
 */
class RetentionPinsTest {
    @TempDir
    Path tmp;

    TestRepo repo;
    LokiDir loki;
    CheckpointService svc;
    /** The same store with a retention that removes nothing: to build a history before pruning it. */
    CheckpointService wide;
    int edits;

    @BeforeEach
    void setUp() {
        repo = TestRepo.create(tmp);
        Map<String, String> env = repo.env();
        env.put("LOKI_CHECKPOINT_RETENTION", "1");
        loki = LokiDir.locate(java.util.Optional.empty(), env, repo.dir()).ensureExists();
        svc = CheckpointService.open(loki, env);
        Map<String, String> wideEnv = new java.util.HashMap<>(env);
        wideEnv.put("LOKI_CHECKPOINT_RETENTION", "100");
        wide = CheckpointService.open(loki, wideEnv);
    }

    private Checkpoint create(CheckpointRequest req) {
        return create(svc, req);
    }

    private Checkpoint create(CheckpointService s, CheckpointRequest req) {
        repo.write("file.txt", "edit " + (++edits) + "\n"); // a snapshot of its own
        return s.create(req);
    }

    private Checkpoint runStart() {
        return runStart(svc);
    }

    private Checkpoint runStart(CheckpointService s) {
        return create(s, new CheckpointRequest(CheckpointKind.ITERATION, "run start", 0, RetentionPins.RUN_START_TASK,
                "run start", "", true, true));
    }

    private Checkpoint iteration(int n) {
        return create(CheckpointRequest.iteration(n, "t", "iteration", "command"));
    }

    private static String runId(int n) {
        return "run-20261206-00000" + n + "-abcd";
    }

    /** Saves run {@code n} as the current run (and under runs/), with these checkpoint ids and base snapshot. */
    private void run(int n, List<String> ids, String baseSnapshot) throws Exception {
        new RunRecord(runId(n), "", "", "running", "command", "", repo.head(), baseSnapshot, 0, 10, ids, "")
                .save(loki);
    }

    private List<String> listed() {
        return svc.list().stream().map(Checkpoint::id).toList();
    }

    /** A run whose start snapshot could not be taken records no base snapshot: the id rule alone keeps its start. */
    @Test
    void the_run_start_id_alone_pins_the_start_of_a_run_without_a_base_snapshot() throws Exception {
        Checkpoint start = runStart();
        run(1, List.of(start.id()), "");
        List<String> newest = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            newest.add(iteration(i).id());
        }
        assertThat(listed()).containsExactly(start.id(), newest.get(2));
        assertThat(RetentionPins.of(loki, svc.list())).containsExactly(
                Map.entry(start.id(), "run-start checkpoint of " + runId(1)));
    }

    /** The checkpoint holding the run's base snapshot (the proof's baseline) is kept even when the run lists no id. */
    @Test
    void the_base_snapshot_alone_pins_the_checkpoint_that_holds_it() throws Exception {
        Checkpoint base = create(CheckpointRequest.manual("before the run"));
        run(1, List.of(), base.snapshotCommit().orElseThrow());
        List<String> newest = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            newest.add(iteration(i).id());
        }
        assertThat(listed()).containsExactly(base.id(), newest.get(2));
        assertThat(RetentionPins.of(loki, svc.list())).containsOnlyKeys(base.id());
    }

    /**
     * The most that can be pinned: the current and the previous run each with a start checkpoint
     * and a different checkpoint holding its base snapshot, and the newest pre-rollback one. Five;
     * the run before those and the older pre-rollback one are pruned, and the prune event lists
     * the five pinned ids beside the removed ones.
     */
    @Test
    void at_most_five_are_pinned_and_the_pruned_event_names_them() throws Exception {
        Checkpoint oldStart = runStart(wide);
        run(1, List.of(oldStart.id()), oldStart.snapshotCommit().orElseThrow());
        Checkpoint oldUndo = create(wide, CheckpointRequest.preRollback(oldStart.id()));
        List<String> pinned = new ArrayList<>();
        for (int n = 2; n <= 3; n++) {
            Checkpoint base = create(wide, CheckpointRequest.manual("base of run " + n));
            Checkpoint start = runStart(wide);
            run(n, List.of(start.id()), base.snapshotCommit().orElseThrow());
            pinned.add(base.id());
            pinned.add(start.id());
        }
        Checkpoint undo = create(wide, CheckpointRequest.preRollback(pinned.get(0)));
        pinned.add(undo.id());
        Checkpoint last = null;
        for (int i = 1; i <= 3; i++) {
            last = iteration(i);
        }

        assertThat(RetentionPins.of(loki, svc.list())).hasSize(5).containsOnlyKeys(pinned);
        List<String> expected = new ArrayList<>(pinned);
        expected.add(last.id());
        assertThat(listed()).containsExactlyElementsOf(expected).doesNotContain(oldStart.id(), oldUndo.id());

        JsonNode pruned = null;
        List<String> removed = new ArrayList<>();
        for (String line : Files.readAllLines(loki.events().file())) {
            JsonNode e = Json.parse(line);
            if (e.path("type").asText().equals("checkpoint.pruned")) {
                pruned = e;
                e.path("data").path("removed").forEach(id -> removed.add(id.asText()));
            }
        }
        assertThat(pruned).as("a checkpoint.pruned event").isNotNull();
        List<String> eventPins = new ArrayList<>();
        pruned.path("data").path("pinned").forEach(id -> eventPins.add(id.asText()));
        assertThat(eventPins).containsExactlyInAnyOrderElementsOf(pinned);
        assertThat(removed).contains(oldStart.id(), oldUndo.id()).doesNotContainAnyElementsOf(pinned);
    }

    /**
     * The runs are remembered between calls (retention runs after every checkpoint), never past
     * a change: a new current run, a new run under runs/, an older run's record rewritten.
     */
    @Test
    void the_pins_follow_every_change_of_the_run_records_within_one_process() throws Exception {
        Checkpoint s1 = runStart(wide);
        run(1, List.of(s1.id()), "");
        assertThat(RetentionPins.of(loki, wide.list())).containsOnlyKeys(s1.id());
        Checkpoint s2 = runStart(wide);
        run(2, List.of(s2.id()), "");
        assertThat(RetentionPins.of(loki, wide.list())).containsOnlyKeys(s1.id(), s2.id());
        Checkpoint s3 = runStart(wide);
        run(3, List.of(s3.id()), "");
        assertThat(RetentionPins.of(loki, wide.list())).containsOnlyKeys(s2.id(), s3.id());

        // the previous run's own record rewritten (it no longer lists its start): read again
        dev.loki.store.JsonFiles.write(RunRecord.archivedFile(loki, runId(2)), new RunRecord(runId(2), "", "",
                "completed", "command", "", repo.head(), "", 0, 10, List.of(), ""));
        assertThat(RetentionPins.of(loki, wide.list())).containsOnlyKeys(s3.id());
    }
}
