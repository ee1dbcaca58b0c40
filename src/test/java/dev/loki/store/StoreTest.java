package dev.loki.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .loki store's primitives: atomic files, tolerant reads, locks, the event log. */
class StoreTest {
    @TempDir
    Path tmp;

    @Test
    void atomic_write_replaces_the_file_and_leaves_no_temp_files() throws Exception {
        Path f = tmp.resolve("a/b/state.json");
        JsonFiles.write(f, Json.parse("{\"x\":1}"));
        JsonFiles.write(f, Json.parse("{\"x\":2}"));
        assertThat(JsonFiles.read(f).orElseThrow().path("x").asInt()).isEqualTo(2);
        assertThat(Files.readString(f)).isEqualTo("{\n  \"x\": 2\n}\n");
        try (var list = Files.list(f.getParent())) {
            assertThat(list.map(p -> p.getFileName().toString()).toList()).containsExactly("state.json");
        }
    }

    @Test
    void a_corrupt_file_is_kept_aside_and_reads_as_missing() throws Exception {
        Path f = tmp.resolve("session.json");
        Files.writeString(f, "{\"truncated\": ");
        assertThat(JsonFiles.read(f)).isEmpty();
        assertThat(f).doesNotExist();
        try (var list = Files.list(tmp)) {
            List<Path> aside = list.filter(p -> p.getFileName().toString().startsWith("session.json.corrupt."))
                    .toList();
            assertThat(aside).hasSize(1);
            assertThat(aside.get(0)).hasContent("{\"truncated\": ");
        }
        assertThat(JsonFiles.read(tmp.resolve("missing.json"))).isEmpty();
    }

    @Test
    void lines_appended_by_many_threads_never_interleave() throws Exception {
        EventLog log = new EventLog(tmp.resolve("events.jsonl"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int i = 0; i < 200; i++) {
            int n = i;
            pool.submit(() -> log.append("test", Json.object().put("n", n).put("pad", "x".repeat(5000))));
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        List<String> lines = Files.readAllLines(tmp.resolve("events.jsonl"));
        assertThat(lines).hasSize(200);
        for (String l : lines) {
            JsonNode n = Json.parse(l);
            assertThat(n.path("type").asText()).isEqualTo("test");
            assertThat(n.has("timestamp")).isTrue();
        }
        assertThat(log.tail(5)).hasSize(5);
    }

    @Test
    void a_file_lock_excludes_other_holders_until_released() throws Exception {
        Path target = tmp.resolve("tokens.json");
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int i = 0; i < 40; i++) {
            pool.submit(() -> {
                try (FileLocks.Held h = FileLocks.lockFor(target, Duration.ofSeconds(30))) {
                    maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    Thread.sleep(2);
                    inside.decrementAndGet();
                }
                return null;
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        assertThat(maxInside.get()).isEqualTo(1);
    }

    @Test
    void session_lock_is_exclusive_and_released_on_close() throws Exception {
        LokiDir dir = new LokiDir(tmp.resolve(".loki"), tmp);
        assertThat(SessionLock.holder(dir)).isEmpty();
        try (SessionLock lock = SessionLock.tryAcquire(dir).orElseThrow()) {
            assertThat(SessionLock.holder(dir)).contains(ProcessHandle.current().pid());
            assertThat(SessionLock.tryAcquire(dir)).isEmpty();
        }
        assertThat(SessionLock.holder(dir)).isEmpty();
        // a pid file left by a dead run is not a live run
        Files.writeString(dir.resolve("loki.pid"), "999999999\n");
        assertThat(SessionLock.holder(dir)).isEmpty();
    }
}
