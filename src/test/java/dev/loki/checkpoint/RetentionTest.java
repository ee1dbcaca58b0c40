package dev.loki.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
}
