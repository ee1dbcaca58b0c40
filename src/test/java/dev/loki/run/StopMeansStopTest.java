package dev.loki.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.testing.FakeAgents;
import dev.loki.testing.Leftovers;
import dev.loki.testing.Loki;
import dev.loki.testing.LokiProcess;
import dev.loki.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop means stop: SIGTERM, Ctrl+C twice and {@code loki stop} end the real CLI whatever it is
 * doing (provider call, reviewers, backoff), the run records how it ended, and no process that
 * the run started (marked through its environment) is left afterwards.
 */
class StopMeansStopTest {
    private static final Duration LONG = Duration.ofSeconds(60);
    /** As a reviewer: records the call, optionally hangs. As the agent: hangs, fails or writes code. */
    private static final String AGENT = """
            prompt="$(cat)"
            if [ "$LOKI_CALL" = review ] || [ "$LOKI_CALL" = council ]; then
              echo review >> "$BASE/review-calls"
              if [ -n "$REVIEW_HANG" ]; then touch "$BASE/review-started"; sleep 300 & wait; fi
              printf 'VERDICT: PASS\\nFINDINGS:\\n- none\\n'
              exit 0
            fi
            echo "iteration $LOKI_ITERATION"
            case "$MODE" in
              hang) nohup sleep 300 >/dev/null 2>&1 &
                    touch "$BASE/agent-started"; sleep 300 & wait ;;
              fail) exit 1 ;;
              bg) nohup sleep 300 >/dev/null 2>&1 &
                  setsid sleep 299 >/dev/null 2>&1 &
                  sleep 1.2; echo "left two behind" ;;
              *) printf 'add() { echo $(( $1 + $2 )); }\\n' > calc.sh ;;
            esac
            """;

    @TempDir
    Path base;

    /** Marks loki and everything it starts; also kills the loki under test after each test. */
    @RegisterExtension
    final Leftovers.Marker marker = new Leftovers.Marker();

    private Map<String, String> env(TestRepo repo, String mode) {
        Map<String, String> env = FakeAgents.reviewedEnv(repo, base, AGENT, marker);
        env.put("MODE", mode);
        return env;
    }

    private static String status(TestRepo repo) throws IOException {
        return Json.parse(Files.readString(repo.path(".loki/autonomy-state.json"))).path("status").asText();
    }

    private static JsonNode run(TestRepo repo) throws IOException {
        return Json.parse(Files.readString(repo.path(".loki/state/run.json")));
    }

    /** {@code loki start} as its own process, once {@code ready} holds. */
    private LokiProcess startUntil(TestRepo repo, Map<String, String> env, Callable<Boolean> ready) throws Exception {
        LokiProcess loop = LokiProcess.start(repo.dir(), env, base.resolve("plogs"), "start");
        await().atMost(LONG).until(ready);
        return loop;
    }

    private LokiProcess startUntilTheAgentHangs(TestRepo repo, Map<String, String> env) throws Exception {
        return startUntil(repo, env, () -> Files.exists(base.resolve("agent-started")));
    }

    private static void signal(LokiProcess loop, String sig) throws Exception {
        new ProcessBuilder("kill", "-" + sig, Long.toString(loop.process.pid())).start().waitFor();
    }

    /** {@code loki stop --wait 20} from another process ends the loop, and the run says "stopped". */
    private static void lokiStop(TestRepo repo, Map<String, String> env, LokiProcess loop) throws Exception {
        Loki.Result stop = Loki.run(repo.dir(), env, "stop", "--wait", "20");

        assertThat(stop.out()).as(stop.toString()).contains("Stopped loki run");
        assertThat(loop.waitFor(LONG)).as(loop.output()).isEqualTo(LoopResult.STOPPED);
        assertThat(status(repo)).as(loop.output()).isEqualTo("stopped");
    }

    private void assertNothingLeft(LokiProcess loop) throws IOException {
        assertThat(marker.carrying()).as(loop == null ? "" : loop.output()).isEmpty();
    }

    @Test
    void sigterm_during_a_provider_call_stops_without_checkpoint_or_reviewers_and_leaves_no_process()
            throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        LokiProcess loop = startUntilTheAgentHangs(repo, env(repo, "hang"));
        signal(loop, "TERM");
        assertThat(loop.waitFor(LONG)).as("the loop ended on its own, not at the 143 deadline\n" + loop.output())
                .isEqualTo(LoopResult.STOPPED);

        assertThat(status(repo)).as(loop.output()).isEqualTo("stopped");
        assertThat(run(repo).path("status").asText()).isEqualTo("stopped");
        assertThat(run(repo).path("exit_reason").asText()).contains("SIGTERM");
        assertThat(run(repo).path("checkpoint_ids")).as("only the run-start checkpoint").hasSize(1);
        assertThat(base.resolve("review-calls")).doesNotExist();
        assertNothingLeft(loop);
    }

    @Test
    void ctrl_c_twice_during_a_provider_call_ends_interrupted_and_leaves_no_process() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        LokiProcess loop = startUntilTheAgentHangs(repo, env(repo, "hang"));
        signal(loop, "INT");
        await().atMost(LONG).until(() -> Files.exists(repo.path(".loki/PAUSE_AT_CHECKPOINT")));
        signal(loop, "INT");

        assertThat(loop.waitFor(LONG)).as(loop.output()).isEqualTo(130);
        assertThat(status(repo)).isEqualTo("interrupted");
        assertThat(base.resolve("review-calls")).doesNotExist();
        assertNothingLeft(loop);
    }

    @Test
    void loki_stop_during_a_provider_call_ends_the_run_stopped_and_leaves_no_process() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Map<String, String> env = env(repo, "hang");
        LokiProcess loop = startUntilTheAgentHangs(repo, env);
        lokiStop(repo, env, loop);

        assertThat(run(repo).path("status").asText()).isEqualTo("stopped");
        assertThat(repo.path(".loki/STOP")).doesNotExist();
        assertThat(base.resolve("review-calls")).doesNotExist();
        assertNothingLeft(loop);
    }

    @Test
    void loki_stop_during_the_reviewers_kills_them_and_leaves_no_process() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Map<String, String> env = env(repo, "code");
        env.put("REVIEW_HANG", "1");
        LokiProcess loop = startUntil(repo, env, () -> Files.exists(base.resolve("review-started")));
        lokiStop(repo, env, loop);

        assertNothingLeft(loop);
    }

    @Test
    void the_children_of_a_loki_killed_with_sigkill_are_killed_by_the_next_loki_stop() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Map<String, String> env = env(repo, "hang");
        LokiProcess loop = startUntilTheAgentHangs(repo, env);
        loop.process.destroyForcibly();
        loop.process.waitFor();
        assertThat(marker.carrying()).as("SIGKILL leaves the provider running").isNotEmpty();

        Loki.Result stop = Loki.run(repo.dir(), env, "stop");

        assertThat(stop.out()).as(stop.toString()).contains("No loki run is active", "Killed");
        await().atMost(Duration.ofSeconds(10)).until(() -> marker.carrying().isEmpty());
    }

    @Test
    void loki_stop_during_the_backoff_wait_ends_the_run_stopped() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Map<String, String> env = env(repo, "fail");
        env.put("LOKI_BASE_WAIT", "300");
        env.put("LOKI_MAX_WAIT", "300");
        LokiProcess loop = startUntil(repo, env, () -> Files.exists(repo.path(".loki/logs/session.log"))
                && Files.readString(repo.path(".loki/logs/session.log")).contains("Backing off"));
        lokiStop(repo, env, loop);

        assertNothingLeft(loop);
    }

    @Test
    void what_a_provider_leaves_running_is_killed_and_named_when_its_call_ends() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Loki.Result r = Loki.run(repo.dir(), env(repo, "bg"), "start", "--max-iterations", "1");

        assertThat(r.err()).as(r.toString()).contains("it left running", "sleep 300", "sleep 299",
                "[left its process group]");
        assertNothingLeft(null);
    }

    @Test
    void a_hung_provider_is_killed_at_its_timeout_and_no_reviewer_looks_at_the_failed_iteration() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Map<String, String> env = env(repo, "hang");
        env.put("LOKI_ITERATION_TIMEOUT", "2");
        Loki.Result r = Loki.run(repo.dir(), env, "start", "--max-iterations", "1");

        assertThat(r.err()).as(r.toString()).contains("timed out after 2s");
        assertThat(base.resolve("review-calls")).doesNotExist();
        JsonNode gates = Json.parse(Files.readString(repo.path(".loki/quality/latest.json")));
        assertThat(gates.toString()).contains("reviewers never review a failed iteration");
        assertNothingLeft(null);
    }

    @Test
    void a_hung_reviewer_is_killed_at_the_review_timeout_and_leaves_no_process() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Map<String, String> env = env(repo, "code");
        env.put("REVIEW_HANG", "1");
        env.put("LOKI_REVIEW_TIMEOUT", "2");
        Loki.Result r = Loki.run(repo.dir(), env, "start", "--max-iterations", "1");

        assertThat(Files.readAllLines(base.resolve("review-calls"))).as(r.toString()).hasSize(3);
        Path review = FakeAgents.reviewDir(repo);
        assertThat(Files.readString(review.resolve("architecture-strategist.txt"))).contains("ERROR", "timed out");
        assertNothingLeft(null);
    }
}
