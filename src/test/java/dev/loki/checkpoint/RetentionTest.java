package dev.loki.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.LokiDir;
import dev.loki.store.RunRecord;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention keeps the newest N of every kind and cleans up refs and index lines. */
class RetentionTest {
    @TempDir
    Path tmp;

    @Test
    void retention_keeps_the_newest_and_deletes_their_refs_and_index_lines() throws Exception {
        TestRepo repo = TestRepo.create(tmp);
        Map<String, String> env = repo.env();
        env.put("LOKI_CHECKPOINT_RETENTION", "3");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            repo.write("file.txt", "v" + i + "\n");
            Loki.Result r = Loki.run(repo.dir(), env, "checkpoint", "create", "n" + i, "--json");
            assertThat(r.exit()).as(r.toString()).isZero();
            ids.add(r.json().path("id").asText());
        }
        JsonNode list = Loki.run(repo.dir(), env, "checkpoint", "list", "--json").json();
        List<String> kept = new ArrayList<>();
        list.forEach(n -> kept.add(n.path("id").asText()));
        assertThat(kept).containsExactlyElementsOf(ids.subList(2, 5));

        String refs = TestRepo.run(List.of("git", "--git-dir", repo.path(".git/loki/store").toString(),
                "for-each-ref", "--format=%(refname)"), repo.dir(), env);
        assertThat(refs.lines().toList()).containsExactlyInAnyOrderElementsOf(
                ids.subList(2, 5).stream().map(id -> "refs/loki/checkpoints/" + id).toList());
        List<String> indexIds = new ArrayList<>();
        for (String line : Files.readAllLines(repo.path(".loki/state/checkpoints/index.jsonl"))) {
            indexIds.add(dev.loki.store.Json.parse(line).path("id").asText());
        }
        assertThat(indexIds).containsExactlyElementsOf(ids.subList(2, 5));
    }

    /**
     * A rollback keeps its target (protected) while it prunes; that target must be kept in
     * addition to the newest N, not take the place of a newer checkpoint: rolling back to the
     * oldest one used to delete the next newer one at once.
     */
    @Test
    void a_rollbacks_protected_target_never_takes_the_place_of_a_newer_checkpoint() throws Exception {
        TestRepo repo = TestRepo.create(tmp);
        Map<String, String> env = repo.env();
        env.put("LOKI_CHECKPOINT_RETENTION", "2");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            repo.write("file.txt", "v" + i + "\n");
            Loki.Result r = Loki.run(repo.dir(), env, "checkpoint", "create", "n" + i, "--json");
            assertThat(r.exit()).as(r.toString()).isZero();
            ids.add(r.json().path("id").asText());
        }
        for (int i = 0; i < 2; i++) { // a rollback and its redo
            repo.write("file.txt", "edit " + i + "\n");
            Loki.Result r = Loki.run(repo.dir(), env, "rollback", "to", ids.get(0));
            assertThat(r.exit()).as(r.toString()).isZero();
        }
        List<String> kept = new ArrayList<>();
        Loki.run(repo.dir(), env, "checkpoint", "list", "--json").json().forEach(n -> kept.add(n.path("id").asText()));
        assertThat(kept).as("the newest 2 unpinned (the target and %s) and both rb-pre (rollbacks in a row)", ids.get(1))
                .contains(ids.get(0), ids.get(1)).hasSize(4);
    }

    @Test
    void gc_repacks_and_reports_sizes() {
        TestRepo repo = TestRepo.create(tmp);
        repo.write("a.txt", "a\n".repeat(1000));
        Loki.run(repo, "checkpoint", "create", "one");
        Loki.Result gc = Loki.run(repo, "checkpoint", "gc", "--json");
        assertThat(gc.exit()).as(gc.toString()).isZero();
        assertThat(gc.json().path("repacked").asBoolean()).isTrue();
        assertThat(gc.json().path("bytes_after").asLong()).isPositive();
        assertThat(repo.path(".git/loki/store/objects/pack")).isDirectoryContaining("glob:**.pack");
    }

    @Test
    void gc_without_a_project_says_so() {
        TestRepo repo = TestRepo.create(tmp);
        Loki.Result gc = Loki.run(repo, "checkpoint", "gc");
        assertThat(gc.exit()).isEqualTo(1);
        assertThat(gc.err()).contains("No .loki directory found");
    }

    @Test
    void retention_waits_for_a_rollback_that_holds_the_store_and_says_it_skipped() throws Exception {
        TestRepo repo = TestRepo.create(tmp);
        Map<String, String> env = repo.env();
        dev.loki.store.LokiDir loki = new dev.loki.store.LokiDir(repo.path(".loki"), repo.dir());
        CheckpointService svc = CheckpointService.open(loki, env);
        svc.create(CheckpointRequest.manual("first"));
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread rollback = new Thread(() -> {
            try (dev.loki.store.FileLocks.Held lock = svc.lockStore()) {
                held.countDown();
                release.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        rollback.start();
        held.await();
        try {
            CheckpointService.PruneReport r = svc.prune(java.util.Set.of());
            assertThat(r.notes()).anySatisfy(n -> assertThat(n).startsWith("retention skipped"));
            assertThat(r.removed()).isEmpty();
        } finally {
            release.countDown();
            rollback.join();
        }
        assertThat(svc.prune(java.util.Set.of()).notes()).noneMatch(n -> n.startsWith("retention skipped"));
    }
    private static List<String> listed(TestRepo repo, Map<String, String> env) {
        Loki.Result r = Loki.run(repo.dir(), env, "checkpoint", "list", "--all", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        List<String> ids = new ArrayList<>();
        r.json().forEach(n -> ids.add(n.path("id").asText()));
        return ids;
    }

    @Test
    void the_last_rollbacks_undo_is_kept_beyond_the_retention_count() {
        TestRepo repo = TestRepo.create(tmp);
        Map<String, String> env = repo.env();
        env.put("LOKI_CHECKPOINT_RETENTION", "2");
        repo.write("file.txt", "a\n");
        String a = Loki.run(repo.dir(), env, "checkpoint", "create", "a", "--json").json().path("id").asText();
        repo.write("file.txt", "b\n");
        Loki.Result rb = Loki.run(repo.dir(), env, "rollback", "to", a);
        assertThat(rb.exit()).as(rb.toString()).isZero();
        Matcher m = Pattern.compile("Undo this rollback with: loki rollback to (\\S+)").matcher(rb.out() + rb.err());
        assertThat(m.find()).as(rb.toString()).isTrue();
        String undo = m.group(1);
        List<String> later = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            repo.write("file.txt", "later " + i + "\n");
            later.add(Loki.run(repo.dir(), env, "checkpoint", "create", "later" + i, "--json").json().path("id")
                    .asText());
        }
        assertThat(listed(repo, env)).containsExactly(undo, later.get(1), later.get(2));
        Loki.Result back = Loki.run(repo.dir(), env, "rollback", "to", undo);
        assertThat(back.exit()).as(back.toString()).isZero();
        assertThat(repo.read("file.txt")).isEqualTo("b\n");
    }

    @Test
    void the_start_of_the_current_and_the_previous_run_are_kept_and_an_older_one_is_not() throws Exception {
        TestRepo repo = TestRepo.create(tmp);
        Map<String, String> env = repo.env();
        env.put("LOKI_CHECKPOINT_RETENTION", "2");
        LokiDir loki = LokiDir.locate(java.util.Optional.empty(), env, repo.dir()).ensureExists();
        CheckpointService svc = CheckpointService.open(loki, env);
        List<String> starts = new ArrayList<>();
        List<String> newest = new ArrayList<>();
        for (int run = 1; run <= 3; run++) {
            repo.write("file.txt", "run " + run + "\n");
            Checkpoint start = svc.create(new CheckpointRequest(CheckpointKind.ITERATION, "run start", 0,
                    "run-start", "run start", "", true, true));
            starts.add(start.id());
            new RunRecord("run-20261206-00000" + run + "-abcd", "", "", "running", "command", "", repo.head(),
                    start.snapshotCommit().orElseThrow(), 0, 10, List.of(start.id()), "").save(loki);
            newest.clear();
            for (int i = 1; i <= 3; i++) {
                repo.write("file.txt", "run " + run + " iteration " + i + "\n");
                newest.add(svc.create(CheckpointRequest.iteration(i, "t", "iteration", "command")).id());
            }
        }
        // run 3 is current, run 2 the one before: both starts kept beside the newest two; run 1's went
        assertThat(listed(repo, env)).containsExactly(starts.get(1), starts.get(2), newest.get(1), newest.get(2));
    }

    private static String undoOf(Loki.Result rb) {
        assertThat(rb.exit()).as(rb.toString()).isZero();
        Matcher m = Pattern.compile("Undo this rollback with: loki rollback to (\\S+)").matcher(rb.out() + rb.err());
        assertThat(m.find()).as(rb.toString()).isTrue();
        return m.group(1);
    }

    /**
     * Rollbacks in a row each print their undo; with a retention of 1 the third rollback used to
     * prune the first one's (only the newest rb-pre was pinned), so the undo loki printed answered
     * "Checkpoint not found". Every undo since the last checkpoint of other work is kept, the list
     * says why, and the first undo still brings back what the first rollback replaced.
     */
    @Test
    void every_undo_of_rollbacks_in_a_row_keeps_working_until_new_work_is_checkpointed() {
        TestRepo repo = TestRepo.create(tmp);
        Map<String, String> env = repo.env();
        env.put("LOKI_CHECKPOINT_RETENTION", "1");
        repo.write("file.txt", "a\n");
        String a = Loki.run(repo.dir(), env, "checkpoint", "create", "a", "--json").json().path("id").asText();
        List<String> undos = new ArrayList<>();
        for (String edit : List.of("first edit\n", "second edit\n", "third edit\n")) {
            repo.write("file.txt", edit);
            undos.add(undoOf(Loki.run(repo.dir(), env, "rollback", "to", a)));
        }
        assertThat(listed(repo, env)).containsAll(undos);
        Loki.Result list = Loki.run(repo.dir(), env, "checkpoint", "list");
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.out()).contains(undos.get(0) + " (undo of an earlier rollback, no new checkpoint since)",
                undos.get(1) + " (undo of an earlier rollback, no new checkpoint since)",
                undos.get(2) + " (undo of the last rollback)");

        Loki.Result back = Loki.run(repo.dir(), env, "rollback", "to", undos.get(0));
        assertThat(back.exit()).as(back.toString()).isZero();
        assertThat(repo.read("file.txt")).isEqualTo("first edit\n");

        // new work checkpointed over them: the earlier undos count again and go (the newest rb-pre stays)
        repo.write("file.txt", "new work\n");
        String work = Loki.run(repo.dir(), env, "checkpoint", "create", "new work", "--json").json().path("id")
                .asText();
        List<String> after = listed(repo, env);
        assertThat(after).contains(work).doesNotContain(undos.get(0), undos.get(1), undos.get(2), a);
        assertThat(after).filteredOn(id -> id.startsWith("rb-pre-")).hasSize(1);
    }
}
