package dev.loki.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Concurrent writers, threads and processes, never collide or tear the index. */
class ConcurrentCheckpointTest {
    @TempDir
    Path tmp;

    @Test
    void concurrent_creates_in_one_process_get_unique_ids_and_one_index_line_each() throws Exception {
        TestRepo repo = TestRepo.create(tmp);
        CheckpointService svc = CheckpointService.open(LokiDir.locate(Optional.empty(), repo.env(), repo.dir()),
                repo.env());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Checkpoint>> futures = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int n = i;
            futures.add(pool.submit(() -> svc.create(CheckpointRequest.iteration(n, "t" + n, "thread " + n, "test"))));
        }
        Set<String> ids = new HashSet<>();
        for (Future<Checkpoint> f : futures) {
            Checkpoint c = f.get(60, TimeUnit.SECONDS);
            assertThat(c.snapshot().status()).isEqualTo("captured");
            ids.add(c.id());
        }
        pool.shutdown();
        assertThat(ids).hasSize(8);
        assertIndexMatchesDisk(repo.path(".loki/state/checkpoints"), ids);
    }

    @Test
    void two_processes_creating_at_once_never_collide() throws Exception {
        TestRepo repo = TestRepo.create(tmp);
        Map<String, String> env = repo.env();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        List<Process> procs = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            String script = "for i in 1 2 3; do \"$0\" -cp \"$1\" dev.loki.cli.Main -C \"$2\" checkpoint create proc"
                    + p + "-$i || exit 1; done";
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", script, java, cp, repo.dir().toString())
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("proc" + p + ".log").toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            procs.add(pb.start());
        }
        for (Process p : procs) {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(Files.readString(tmp.resolve("proc" + procs.indexOf(p) + ".log"))).isZero();
        }
        Path root = repo.path(".loki/state/checkpoints");
        Set<String> ids = new HashSet<>();
        try (var dirs = Files.list(root)) {
            dirs.filter(Files::isDirectory).forEach(d -> ids.add(d.getFileName().toString()));
        }
        assertThat(ids).hasSize(6);
        assertIndexMatchesDisk(root, ids);
    }

    private static void assertIndexMatchesDisk(Path root, Set<String> ids) throws Exception {
        List<String> lines = Files.readAllLines(root.resolve("index.jsonl"));
        assertThat(lines).hasSize(ids.size());
        Set<String> indexed = new HashSet<>();
        for (String line : lines) {
            JsonNode n = Json.parse(line);
            String id = n.path("id").asText();
            indexed.add(id);
            JsonNode meta = Json.parse(Files.readString(root.resolve(id).resolve("metadata.json")));
            assertThat(n.path("ts").asText()).isEqualTo(meta.path("timestamp").asText());
            assertThat(n.path("task").asText()).isEqualTo(meta.path("task_description").asText());
        }
        assertThat(indexed).isEqualTo(ids);
    }
}
