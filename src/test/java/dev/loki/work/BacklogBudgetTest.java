package dev.loki.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.testing.Leftovers;
import dev.loki.testing.Loki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code --total-budget} across a resume: the runs left share what was not spent, not the whole budget again. */
class BacklogBudgetTest {
    @TempDir
    Path base;

    @RegisterExtension
    final Leftovers.Marker marker = new Leftovers.Marker();

    @AfterEach
    void no_process_is_left_behind() {
        WorkFixture.assertNoProcessLeft(base, marker);
    }

    /** The scripted agent, reporting what each call cost (Claude's stream-json) from {@code $FAKE_GH/cost-SLUG}. */
    private static final String COSTS = """
            cost=$(cat "$FAKE_GH/cost-$slug" 2>/dev/null || echo 0.01)
            echo "{\\"type\\":\\"result\\",\\"is_error\\":false,\\"result\\":\\"ok\\",\\"total_cost_usd\\":$cost}"
            """;

    private static Map<String, JsonNode> byRun(JsonNode summary) {
        Map<String, JsonNode> m = new HashMap<>();
        summary.path("runs").forEach(n -> m.put(n.path("run").asText(), n));
        return m;
    }

    private static double limitIn(Path worktree) throws Exception {
        return Json.parse(Files.readString(worktree.resolve(".loki/metrics/budget.json"))).path("limit").asDouble();
    }

    /**
     * $1.00 for two runs: issue-1 spends $0.40 and completes, issue-2 spends some and fails. Run
     * again, issue-2 starts a new run: it may spend what is left ($1.00 less both), not a fresh
     * half of the total as before, which let a resumed backlog spend past its total.
     */
    @Test
    void a_resumed_backlog_shares_only_what_was_not_spent() throws Exception {
        WorkFixture f = WorkFixture.create(base).issue(1, "One", "- [ ] a").issue(2, "Two", "- [ ] b");
        Map<String, String> env = marker.mark(f.withAgent(COSTS));
        env.put("LOKI_PROVIDER_OUTPUT", "stream-json");
        env.put("LOKI_BACKLOG_POLL_MS", "50");
        env.put("FAIL_ON", "issue-2");
        WorkFixture.write(f.gh.resolve("cost-issue-1"), "0.40");
        WorkFixture.write(f.gh.resolve("cost-issue-2"), "0.03");
        Path root = Worktrees.of(f.repo.dir(), f.env).root();

        Loki.Result first = Loki.run(f.repo.dir(), env, "backlog", "run", "#1", "#2", "--parallel", "1",
                "--total-budget", "1.00", "--json");
        assertThat(first.exit()).as(first.toString()).isEqualTo(1);
        Map<String, JsonNode> runs = byRun(first.json());
        assertThat(runs.get("issue-1").path("status").asText()).isEqualTo("completed");
        assertThat(runs.get("issue-2").path("status").asText()).isEqualTo("failed");
        double spent1 = runs.get("issue-1").path("cost_usd").asDouble();
        double spent2 = runs.get("issue-2").path("cost_usd").asDouble();
        assertThat(spent1).isCloseTo(0.40, within(1e-6));
        assertThat(spent2).isPositive();
        assertThat(limitIn(root.resolve("issue-2"))).as("a fresh backlog: half each").isCloseTo(0.50, within(1e-4));

        env.remove("FAIL_ON");
        Loki.Result again = Loki.run(f.repo.dir(), env, "backlog", "run", "--json");

        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(byRun(again.json()).get("issue-2").path("status").asText()).isEqualTo("completed");
        assertThat(limitIn(root.resolve("issue-2"))).as("what the two runs left of $1.00")
                .isCloseTo(1.00 - spent1 - spent2, within(1e-4));
    }

    /**
     * After {@code loki backlog stop}: issue-1 had spent $0.10 of its run, issue-2 had not started.
     * Run again, they share the $0.90 left; issue-1 continues its run, whose own limit counts the
     * $0.10 already spent, so its limit is that plus its share.
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 120, unit = java.util.concurrent.TimeUnit.SECONDS)
    void after_a_stop_the_continued_run_and_the_new_one_share_what_is_left() throws Exception {
        WorkFixture f = WorkFixture.create(base).issue(1, "One", "- [ ] a").issue(2, "Two", "- [ ] b");
        Map<String, String> env = marker.mark(f.withAgent("""
                if [ "$slug" = issue-1 ] && [ "$LOKI_ITERATION" = 1 ]; then
                  echo '{"type":"result","is_error":false,"result":"part one","total_cost_usd":0.10}'
                  echo "part one" > part-one.txt
                  exit 0
                fi
                if [ "$slug" = issue-1 ] && [ -f "$FAKE_GH/hold" ]; then
                  echo "hold $slug" >> "$FAKE_GH/agents.log"
                  while [ -f "$FAKE_GH/hold" ]; do sleep 0.05; done
                fi
                echo '{"type":"result","is_error":false,"result":"ok","total_cost_usd":0.01}'
                """));
        env.put("LOKI_PROVIDER_OUTPUT", "stream-json");
        env.put("LOKI_BACKLOG_POLL_MS", "50");
        WorkFixture.write(f.gh.resolve("hold"), "");
        Path agents = f.gh.resolve("agents.log");
        java.util.concurrent.atomic.AtomicReference<Loki.Result> stop = new java.util.concurrent.atomic.AtomicReference<>();
        Thread stopper = new Thread(() -> {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> Files.exists(agents)
                    && Files.readString(agents).contains("hold issue-1"));
            stop.set(Loki.run(f.repo.dir(), env, "backlog", "stop"));
        });
        stopper.start();
        Loki.Result first = Loki.run(f.repo.dir(), env, "backlog", "run", "#1", "#2", "--parallel", "1",
                "--total-budget", "1.00", "--json");
        stopper.join();
        assertThat(stop.get()).isNotNull();
        assertThat(stop.get().exit()).as(stop.get().toString()).isZero();
        assertThat(first.exit()).as(first.toString()).isEqualTo(1);
        Map<String, JsonNode> runs = byRun(first.json());
        assertThat(runs.get("issue-1").path("status").asText()).isEqualTo("stopped");
        assertThat(runs.get("issue-2").path("status").asText()).isEqualTo("stopped");
        double spent1 = runs.get("issue-1").path("cost_usd").asDouble();
        assertThat(spent1).isCloseTo(0.10, within(1e-6));
        Path root = Worktrees.of(f.repo.dir(), f.env).root();
        String runBefore = Json.parse(Files.readString(root.resolve("issue-1/.loki/state/run.json")))
                .path("run_id").asText();

        Files.delete(f.gh.resolve("hold"));
        Loki.Result again = Loki.run(f.repo.dir(), env, "backlog", "run", "--json");

        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(Json.parse(Files.readString(root.resolve("issue-1/.loki/state/run.json"))).path("run_id").asText())
                .as("issue-1 continued its run").isEqualTo(runBefore);
        double share = (1.00 - spent1) / 2;
        assertThat(limitIn(root.resolve("issue-1"))).isCloseTo(share + spent1, within(1e-4));
        assertThat(limitIn(root.resolve("issue-2"))).isCloseTo(share, within(1e-4));
    }
}
