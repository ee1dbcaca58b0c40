package dev.loki.work;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.Json;
import dev.loki.testing.Leftovers;
import dev.loki.testing.Loki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loki backlog status} after the backlog is gone: a killed backlog's runs are not
 * "running" forever, a resumed run's elapsed time does not jump back, and a cleaned worktree's
 * proof is not printed as a path that no longer exists.
 */
class BacklogStatusTest {
    @TempDir
    Path base;

    @RegisterExtension
    final Leftovers.Marker marker = new Leftovers.Marker();

    @AfterEach
    void no_process_is_left_behind() {
        WorkFixture.assertNoProcessLeft(base, marker);
    }

    private static Map<String, JsonNode> byRun(JsonNode status) {
        Map<String, JsonNode> m = new HashMap<>();
        status.path("runs").forEach(n -> m.put(n.path("run").asText(), n));
        return m;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void a_terminated_backlog_is_not_running_its_resume_keeps_elapsed_and_a_cleaned_proof_is_not_a_dead_path()
            throws Exception {
        WorkFixture f = WorkFixture.create(base);
        Map<String, String> env = new HashMap<>(marker.mark(f.withAgent("""
                echo "start $slug" >> "$FAKE_GH/agents.log"
                while [ -f "$FAKE_GH/hold" ]; do sleep 0.05; done
                """)));
        env.put("LOKI_BACKLOG_POLL_MS", "50");
        WorkFixture.write(f.gh.resolve("hold"), "");
        Process backlog = WorkProcesses.startLoki(List.of("backlog", "run", "task one", "task two", "--parallel", "2"),
                f.repo.dir(), env, base.resolve("logs/backlog.log"));
        Path agents = f.gh.resolve("agents.log");
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(agents)
                && Files.readAllLines(agents).size() == 2);

        backlog.destroy(); // SIGTERM, as kill(1) sends
        assertThat(backlog.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(15))
                .until(() -> WorkFixture.processesMentioning(base.toString()).isEmpty());

        JsonNode saved = Json.parse(Files.readString(f.repo.path(".git/loki/work/backlog.json")));
        assertThat(saved.path("items").findValuesAsText("status")).as("what the terminated backlog saved")
                .containsOnly("stopped");
        Loki.Result status = Loki.run(f.repo.dir(), env, "backlog", "status", "--json");
        assertThat(status.exit()).as(status.toString()).isZero();
        Map<String, JsonNode> runs = byRun(status.json());
        Map<String, JsonNode> listed = new HashMap<>();
        Loki.run(f.repo.dir(), env, "runs", "--json").json().forEach(n -> listed.put(n.path("run").asText(), n));
        for (String run : List.of("task-one", "task-two")) {
            assertThat(runs.get(run).path("status").asText()).as(run).isEqualTo("stopped");
            assertThat(listed.get(run).path("status").asText()).as(run + " in loki runs").isEqualTo("stopped");
        }
        assertThat(Loki.run(f.repo.dir(), env, "backlog", "status").out()).doesNotContain("running");

        // the first attempt is made to have taken 100 s: the resumed run's line counts it
        Path root = Worktrees.of(f.repo.dir(), env).root();
        Path runJson = root.resolve("task-one/.loki/state/run.json");
        ObjectNode rec = (ObjectNode) Json.parse(Files.readString(runJson));
        String runId = rec.path("run_id").asText();
        rec.put("started_at", Instant.parse(rec.path("started_at").asText()).minusSeconds(100).toString());
        Files.writeString(runJson, Json.pretty(rec));
        Files.delete(f.gh.resolve("hold"));

        Loki.Result again = Loki.run(f.repo.dir(), env, "backlog", "run");

        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(Json.parse(Files.readString(runJson)).path("run_id").asText()).isEqualTo(runId);
        Matcher done = Pattern.compile("(?m)^task-one\\s+completed\\s.*?\\s(\\d+)s\\s").matcher(again.out());
        assertThat(done.find()).as(again.out()).isTrue();
        assertThat(Long.parseLong(done.group(1))).as("elapsed since the run began, across the resume")
                .isGreaterThanOrEqualTo(100);

        String proof = byRun(Loki.run(f.repo.dir(), env, "backlog", "status", "--json").json()).get("task-one")
                .path("proof").asText();
        assertThat(Path.of(proof)).exists();
        Loki.Result clean = Loki.run(f.repo.dir(), env, "runs", "clean", "task-one", "--force");
        assertThat(clean.exit()).as(clean.toString()).isZero();
        assertThat(Path.of(proof)).doesNotExist();

        Loki.Result after = Loki.run(f.repo.dir(), env, "backlog", "status");
        assertThat(after.out()).doesNotContain(proof).contains("worktree removed");
        JsonNode one = byRun(Loki.run(f.repo.dir(), env, "backlog", "status", "--json").json()).get("task-one");
        assertThat(one.path("note").asText()).contains("worktree removed");
        assertThat(Path.of(one.path("proof").asText())).as("the proof in the copy clean kept").exists()
                .isRegularFile();
    }
}
