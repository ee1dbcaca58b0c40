package dev.loki.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.store.Json;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MemoryStoreTest {
    private static final String GITHUB = "ghp_" + "Zq8vN2kLmP4xR7tY1wB5cD9fG3hJ6sA0eU2i";
    private static final String OPENAI = "sk-proj-" + "Q7w9E2r4T6y8U1i3O5p7A9s2D4f6G8h0";

    @TempDir
    Path base;

    private static Memory episode(String title, String body, String outcome, Instant at) {
        return new Memory("", Memory.EPISODE, title, body, "task " + title, outcome, "run-x", at, List.of("a.txt"),
                List.of(), 0.01, "test");
    }

    @Test
    void a_secret_in_an_episode_never_reaches_the_index_files() throws Exception {
        Path dir = base.resolve("index");
        String id;
        try (MemoryStore s = MemoryStore.at(dir, Map.of())) {
            Memory m = new Memory("", Memory.EPISODE, "Deploy with " + GITHUB, "Exported OPENAI_API_KEY=" + OPENAI
                    + " then ran the tests zebracorn4711", "push using " + GITHUB, "success", "run-1", Instant.now(),
                    List.of("config/" + GITHUB + ".txt"), List.of(OPENAI), 0, "test");
            id = s.add(m).id();
            Memory back = s.get(id).orElseThrow();
            assertThat(Json.compact(back.toJson())).doesNotContain(GITHUB).doesNotContain(OPENAI).contains("zebracorn4711");
            assertThat(s.search(GITHUB, 5, Optional.empty())).isEmpty();
            assertThat(s.search("zebracorn4711", 5, Optional.empty())).hasSize(1);
        }
        assertThat(Runs.bytesContain(dir, "zebracorn4711")).as("the scan finds stored text").isTrue();
        assertThat(Runs.bytesContain(dir, GITHUB)).isFalse();
        assertThat(Runs.bytesContain(dir, GITHUB.toLowerCase(java.util.Locale.ROOT))).isFalse();
        assertThat(Runs.bytesContain(dir, OPENAI)).isFalse();
        assertThat(Runs.bytesContain(dir, OPENAI.substring(8).toLowerCase(java.util.Locale.ROOT))).isFalse();
    }

    @Test
    void the_size_cap_prunes_the_oldest_first() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        try (MemoryStore s = MemoryStore.at(base.resolve("index"), Map.of("LOKI_MEMORY_MAX", "5"))) {
            for (int i = 0; i < 8; i++) {
                s.add(episode("memory number " + i, "body", "success", t0.plus(Duration.ofDays(i))));
            }
            assertThat(s.count()).isEqualTo(5);
            assertThat(s.recent(10, Optional.empty())).extracting(Memory::title)
                    .containsExactly("memory number 7", "memory number 6", "memory number 5", "memory number 4",
                            "memory number 3");
        }
    }

    @Test
    void what_worked_and_what_is_recent_rank_first() {
        Instant now = Instant.now();
        try (MemoryStore s = MemoryStore.at(base.resolve("index"), Map.of())) {
            s.add(episode("flaky parser test", "the parser test failed", "failure", now));
            s.add(episode("flaky parser test", "the parser test failed", "success", now));
            s.add(episode("old parser note", "the parser test failed", "success", now.minus(Duration.ofDays(120))));
            List<MemoryStore.Hit> hits = s.search("parser test failed", 3, Optional.empty());
            assertThat(hits).extracting(h -> h.memory().outcome()).startsWith("success");
            assertThat(hits.get(0).memory().createdAt()).isEqualTo(now);
            assertThat(s.search("parser", 3, Optional.of(Memory.PATTERN))).isEmpty();
        }
    }

    @Test
    void export_then_import_round_trips_and_a_bad_line_imports_nothing() throws Exception {
        TestRepo repo = TestRepo.create(base);
        assertThat(Loki.run(repo, "memory", "add", "--title", "Run the linter", "Run", "npm", "run", "lint").exit())
                .isZero();
        Loki.Result exported = Loki.run(repo, "memory", "export");
        assertThat(exported.out()).contains("Run the linter");
        String id = Json.parse(exported.out().strip()).path("id").asText();
        assertThat(Loki.run(repo, "memory", "forget", id).exit()).isZero();
        Files.writeString(repo.path("mem.jsonl"), exported.out());
        Loki.Result imported = Loki.run(repo, "memory", "import", "--json", "mem.jsonl");
        assertThat(imported.json().path("imported").asInt()).isEqualTo(1);
        assertThat(Loki.run(repo, "memory", "show", "--json", id).json().path("title").asText()).isEqualTo("Run the linter");

        Files.writeString(repo.path("bad.jsonl"), exported.out() + "{not json\n");
        Loki.Result bad = Loki.run(repo, "memory", "import", "bad.jsonl");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("line 2 is not JSON");
        Files.writeString(repo.path("bad-time.jsonl"), exported.out().replaceFirst("\"created_at\":\"[^\"]*\"",
                "\"created_at\":\"not-a-date\""));
        Loki.Result badTime = Loki.run(repo, "memory", "import", "bad-time.jsonl");
        assertThat(badTime.exit()).as("a bad time is refused, not turned into 'now'").isEqualTo(2);
        assertThat(badTime.err()).contains("line 1: created_at \"not-a-date\" is not an ISO-8601 instant");
        assertThat(Loki.run(repo, "memory", "list", "--json").json()).hasSize(1);
        assertThat(Loki.run(repo, "memory", "show", "nope").exit()).isEqualTo(1);
        assertThat(Loki.run(repo, "memory", "list", "--kind", "nonsense").exit()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(ints = {800, 1500})
    void a_kill_9_while_indexing_leaves_a_readable_store(int killAfterMs) throws Exception {
        TestRepo repo = TestRepo.create(base);
        StringBuilder small = new StringBuilder();
        StringBuilder big = new StringBuilder();
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        for (int i = 0; i < 40_000; i++) {
            Memory m = new Memory("ep-" + i, Memory.EPISODE, "episode " + i + " about parsers and gates",
                    "Fixed: gate 'test_coverage' failed in iteration 1 and passed in iteration 2 " + i, "task " + i,
                    "success", "run-" + i, t.plusSeconds(i), List.of("src/f" + i + ".java"), List.of(), 0.1, "test");
            (i < 100 ? small : big).append(Json.compact(m.toJson())).append('\n');
        }
        Files.writeString(repo.path("small.jsonl"), small);
        Files.writeString(repo.path("big.jsonl"), big);
        assertThat(Loki.run(repo, "memory", "import", "small.jsonl").exit()).isZero();

        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "dev.loki.cli.Main", "memory", "import", "big.jsonl").directory(repo.dir().toFile())
                .redirectOutput(base.resolve("out.txt").toFile()).redirectError(base.resolve("err.txt").toFile());
        pb.environment().clear();
        pb.environment().putAll(repo.env());
        Process p = pb.start();
        Thread.sleep(killAfterMs);
        boolean aliveAtKill = p.isAlive();
        p.destroyForcibly();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ProcessHandle.of(p.pid())).isEmpty();
        assertThat(aliveAtKill).as("killed while importing (else this seed proves nothing): "
                + Files.readString(base.resolve("err.txt"))).isTrue();

        Loki.Result list = Loki.run(repo, "memory", "search", "--json", "--limit", "3", "parsers", "gates");
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.json()).hasSize(3);
        try (MemoryStore s = MemoryStore.open(new dev.loki.store.LokiDir(repo.path(".loki"), repo.dir()), repo.env())) {
            assertThat(s.count()).isIn(100, 40_000);
            assertThat(s.get("ep-5")).isPresent();
        }
        assertThat(Loki.run(repo, "memory", "add", "still", "writable").exit()).isZero();
    }

    @Test
    void a_title_with_a_line_break_stays_on_its_memory_s_line() {
        TestRepo repo = TestRepo.create(base);
        assertThat(Loki.run(repo, "memory", "add", "--title", "x\nep-fake    pattern  success    FAKE LINE", "body")
                .exit()).isZero();
        Loki.Result list = Loki.run(repo, "memory", "list");
        assertThat(list.exit()).isZero();
        assertThat(list.out().lines().filter(l -> l.contains("FAKE LINE")).toList()).singleElement()
                .satisfies(l -> assertThat(l).contains("x\\nep-fake").doesNotStartWith("ep-fake"));
        Loki.Result show = Loki.run(repo, "memory", "show", list.out().lines()
                .filter(l -> l.contains("FAKE LINE")).findFirst().orElseThrow().split(" ")[0]);
        assertThat(show.out().lines().filter(l -> l.startsWith("ep-fake"))).isEmpty();
    }
}
