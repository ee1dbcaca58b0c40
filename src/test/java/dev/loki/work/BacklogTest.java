package dev.loki.work;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.testing.Leftovers;
import dev.loki.testing.Loki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code loki backlog}: parallel isolated runs as child processes, a failing run, a crash and its resume. */
class BacklogTest {
    @TempDir
    Path base;

    /** For the processes whose command line does not name {@code base} (a {@code sleep} an agent started). */
    @RegisterExtension
    final Leftovers.Marker marker = new Leftovers.Marker();

    @AfterEach
    void no_process_is_left_behind() {
        WorkFixture.assertNoProcessLeft(base, marker);
    }

    /** The agent logs "start SLUG" / "end SLUG" so the test can check how many ran at once. */
    private static final String TRACE = """
            echo "start $slug" >> "$FAKE_GH/agents.log"
            [ -f "$FAKE_GH/slow" ] && sleep 0.8
            echo "end $slug" >> "$FAKE_GH/agents.log"
            """;

    @Test
    void four_issues_two_at_a_time_one_fails_the_others_finish_and_the_exit_says_so() throws Exception {
        WorkFixture f = WorkFixture.create(base);
        for (int n = 1; n <= 4; n++) {
            f.issue(n, "Task " + n, "- [ ] do " + n);
        }
        Map<String, String> env = marker.mark(f.withAgent(TRACE));
        env.put("FAIL_ON", "issue-3");
        env.put("LOKI_BACKLOG_POLL_MS", "50");
        WorkFixture.write(f.gh.resolve("slow"), "");

        Loki.Result r = Loki.run(f.repo.dir(), env, "backlog", "run", "#1", "#2", "#3", "#4", "--parallel", "2",
                "--pr", "--json");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        JsonNode s = r.json();
        assertThat(s.path("total").asInt()).isEqualTo(4);
        assertThat(s.path("completed").asInt()).isEqualTo(3);
        assertThat(s.path("verified").asBoolean()).isFalse();
        Map<String, JsonNode> byRun = new HashMap<>();
        s.path("runs").forEach(n -> byRun.put(n.path("run").asText(), n));
        for (String ok : List.of("issue-1", "issue-2", "issue-4")) {
            assertThat(byRun.get(ok).path("status").asText()).as(ok).isEqualTo("completed");
            assertThat(byRun.get(ok).path("pr_url").asText()).startsWith("https://github.com/acme/app/pull/");
            assertThat(Path.of(byRun.get(ok).path("proof").asText())).exists();
        }
        assertThat(byRun.get("issue-3").path("status").asText()).isEqualTo("failed");
        assertThat(byRun.get("issue-3").path("reason").asText()).contains("failed");
        assertThat(byRun.get("issue-3").path("pr_url").asText()).isEmpty();
        assertThat(f.ghCalls().stream().filter(l -> l.startsWith("pr create")).toList()).hasSize(3)
                .noneMatch(l -> l.contains("loki/issue-3"));
        assertThat(maxConcurrent(Files.readAllLines(f.gh.resolve("agents.log")))).isEqualTo(2);
        assertThat(r.err()).contains("issue-1", "RUN", "running");
    }

    @Test
    void a_crashed_backlog_resumes_where_it_was_when_run_again() throws Exception {
        WorkFixture f = WorkFixture.create(base).issue(1, "One", "- [ ] a").issue(2, "Two", "- [ ] b");
        Map<String, String> env = marker.mark(f.withAgent("""
                echo "start $slug" >> "$FAKE_GH/agents.log"
                while [ -f "$FAKE_GH/hold" ]; do sleep 0.05; done
                """));
        env.put("LOKI_BACKLOG_POLL_MS", "50");
        WorkFixture.write(f.gh.resolve("hold"), "");
        Path logs = Files.createDirectories(base.resolve("logs"));
        Process backlog = WorkProcesses.startLoki(List.of("backlog", "run", "#1", "#2"), f.repo.dir(), env,
                logs.resolve("backlog.log"));
        Path agents = f.gh.resolve("agents.log");
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(agents)
                && Files.readAllLines(agents).size() == 2);
        Path root = Worktrees.of(f.repo.dir(), f.env).root();
        String runBefore = Json.parse(Files.readString(root.resolve("issue-1/.loki/state/run.json")))
                .path("run_id").asText();
        // the crash: the backlog and every process under it die at once
        List<ProcessHandle> tree = new ArrayList<>(backlog.descendants().toList());
        tree.add(backlog.toHandle());
        tree.forEach(ProcessHandle::destroyForcibly);
        backlog.waitFor();
        JsonNode state = Json.parse(Files.readString(f.repo.path(".git/loki/work/backlog.json")));
        assertThat(state.path("items").findValuesAsText("status")).containsOnly("running");
        Loki.Result status = Loki.run(f.repo.dir(), env, "backlog", "status", "--json");
        assertThat(status.json().path("runs").findValuesAsText("status")).as("processes that are gone are not running")
                .containsOnly("stopped");
        Files.delete(f.gh.resolve("hold"));

        Loki.Result again = Loki.run(f.repo.dir(), env, "backlog", "run");

        assertThat(again.exit()).as(again.toString() + Files.readString(logs.resolve("backlog.log"))).isZero();
        assertThat(again.out()).contains("Backlog: 2 of 2 run(s) completed with a verified proof");
        String runAfter = Json.parse(Files.readString(root.resolve("issue-1/.loki/state/run.json")))
                .path("run_id").asText();
        assertThat(runAfter).as("the same run resumed").isEqualTo(runBefore).startsWith("run-");
        assertThat(f.repo.git("log", "--format=%s", "loki/issue-1")).startsWith("One (#1)");
        assertThat(Loki.run(f.repo.dir(), env, "backlog", "status", "--json").json().path("completed").asInt())
                .isEqualTo(2);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS) // a stop that does not reach the hung agent would wait 300 s
    void stop_of_one_run_reaches_its_worktree_and_the_summary() throws Exception {
        WorkFixture f = WorkFixture.create(base).issue(1, "One", "- [ ] a").issue(2, "Two", "- [ ] b");
        Map<String, String> env = f.withAgent("""
                echo "start $slug" >> "$FAKE_GH/agents.log"
                if [ "$slug" = issue-2 ]; then sleep 300 & wait; fi
                """);
        // the agent of issue-2 hangs and never looks at .loki/STOP: the stop has to end it
        marker.mark(env);
        env.put("LOKI_BACKLOG_POLL_MS", "50");
        Path agents = f.gh.resolve("agents.log");
        AtomicReference<Loki.Result> stop = new AtomicReference<>();
        Thread stopper = new Thread(() -> {
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(agents)
                    && Files.readString(agents).contains("start issue-2"));
            stop.set(Loki.run(f.repo.dir(), env, "backlog", "stop", "issue-2"));
        });
        stopper.start();
        Loki.Result r = Loki.run(f.repo.dir(), env, "backlog", "run", "#1", "#2", "--json");
        stopper.join();

        assertThat(stop.get()).isNotNull();
        assertThat(stop.get().exit()).as(stop.get().toString()).isZero();
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(marker.carrying()).as("the hung agent and its sleep are gone").isEmpty();
        Set<String> statuses = new HashSet<>();
        r.json().path("runs").forEach(n -> statuses.add(n.path("run").asText() + "=" + n.path("status").asText()));
        assertThat(statuses).containsExactlyInAnyOrder("issue-1=completed", "issue-2=stopped");
    }

    @Test
    void backlog_commands_without_a_backlog_or_with_bad_input_fail_clearly() {
        WorkFixture f = WorkFixture.create(base);
        Map<String, String> env = marker.mark(f.withAgent(""));
        Loki.Result none = Loki.run(f.repo.dir(), env, "backlog", "run");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("Nothing to run");
        assertThat(Loki.run(f.repo.dir(), env, "backlog", "stop").exit()).isEqualTo(1);
        assertThat(Loki.run(f.repo.dir(), env, "backlog", "run", "#x").exit()).isEqualTo(2);
        assertThat(Loki.run(f.repo.dir(), env, "backlog", "run", "#1", "--parallel", "0").exit()).isEqualTo(2);
        assertThat(Loki.run(f.repo.dir(), env, "backlog", "run", "#1", "--budget", "lots").exit()).isEqualTo(2);
        assertThat(Loki.run(f.repo.dir(), env, "backlog", "run", "#1", "--total-budget", "-3").exit()).isEqualTo(2);
        Map<String, String> badPoll = new java.util.HashMap<>(env);
        badPoll.put("LOKI_BACKLOG_POLL_MS", "soon");
        Loki.Result poll = Loki.run(f.repo.dir(), badPoll, "backlog", "run", "#1");
        assertThat(poll.exit()).as(poll.toString()).isEqualTo(2);
        assertThat(poll.err()).contains("LOKI_BACKLOG_POLL_MS='soon'").doesNotContain("Internal error");
        assertThat(Loki.run(f.repo.dir(), env, "backlog", "run", "--from", "missing.txt").exit()).isEqualTo(2);
        WorkFixture.write(f.gh.resolve("list.json"), "[]");
        Loki.Result noIssues = Loki.run(f.repo.dir(), env, "backlog", "run", "--label", "ready");
        assertThat(noIssues.exit()).isEqualTo(1);
        assertThat(noIssues.err().strip()).isEqualTo("Error: No open issue is labelled 'ready'");
        Loki.Result withOthers = Loki.run(f.repo.dir(), env, "backlog", "run", "#x", "--label", "ready");
        assertThat(withOthers.err()).as("a label that matches nothing is said, also beside other items")
                .contains("no open issue is labelled 'ready'; running the 1 other item(s)");
        assertThat(f.ghCalls()).contains("issue list --label ready --state open --json number --limit 100");
        assertThat(f.repo.git("branch", "--list", "loki/*")).isEmpty();
    }

    static int maxConcurrent(List<String> log) {
        int now = 0;
        int max = 0;
        for (String l : log) {
            now += l.startsWith("start ") ? 1 : l.startsWith("end ") ? -1 : 0;
            max = Math.max(max, now);
        }
        return max;
    }
}
