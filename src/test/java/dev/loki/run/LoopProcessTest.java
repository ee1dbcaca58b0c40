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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** pause, resume, stop and crash-resume against loki running as its own process. */
class LoopProcessTest {
    private static final Duration LONG = Duration.ofSeconds(60);

    @TempDir
    Path base;

    /** Marks loki and everything it starts; also kills the loki under test after each test. */
    @RegisterExtension
    final Leftovers.Marker marker = new Leftovers.Marker();

    private Map<String, String> markedEnv(TestRepo repo, Path agent) {
        return marker.mark(FakeAgents.command(FakeAgents.env(repo, base), agent));
    }

    private static int savedIteration(TestRepo repo) {
        try {
            JsonNode n = Json.parse(Files.readString(repo.path(".loki/autonomy-state.json")));
            return n.path("iterationCount").asInt();
        } catch (Exception e) {
            return 0;
        }
    }

    @Test
    void pause_resume_and_stop_from_another_process_and_one_run_at_a_time() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path calls = base.resolve("calls");
        Path agent = FakeAgents.script(base, "agent", "cat > /dev/null\necho call >> " + calls + "\nsleep 0.2\necho ok");
        Map<String, String> env = markedEnv(repo, agent);
        LokiProcess loop = LokiProcess.start(repo.dir(), env, base.resolve("plogs"), "start");
        try {
            await().atMost(LONG).until(() -> savedIteration(repo) >= 1);

            Loki.Result second = Loki.run(repo.dir(), env, "start");
            assertThat(second.exit()).isEqualTo(1);
            assertThat(second.err()).contains("Another loki run", "loki stop");

            assertThat(Loki.run(repo.dir(), env, "pause").exit()).isZero();
            await().atMost(LONG).until(() -> Files.exists(repo.path(".loki/PAUSED.md")));
            JsonNode status = Loki.run(repo.dir(), env, "status", "--json").json();
            assertThat(status.path("status").asText()).isEqualTo("paused");
            assertThat(status.path("pid").asLong()).isEqualTo(loop.process.pid());
            int callsWhilePaused = FakeAgents.lines(calls).size();
            Thread.sleep(500);
            assertThat(FakeAgents.lines(calls)).hasSize(callsWhilePaused);

            Loki.Result resume = Loki.run(repo.dir(), env, "resume");
            assertThat(resume.out()).contains("PAUSE signal cleared");
            await().atMost(LONG).until(() -> FakeAgents.lines(calls).size() > callsWhilePaused);

            Loki.Result stop = Loki.run(repo.dir(), env, "stop");
            assertThat(stop.exit()).as(stop.toString()).isZero();
            assertThat(stop.out()).contains("Stopped loki run (PID: " + loop.process.pid() + ")");
            assertThat(loop.waitFor(LONG)).as(loop.output()).isEqualTo(LoopResult.STOPPED);
            JsonNode state = Json.parse(Files.readString(repo.path(".loki/autonomy-state.json")));
            assertThat(state.path("status").asText()).isEqualTo("stopped");
            assertThat(Json.parse(Files.readString(repo.path(".loki/state/run.json"))).path("status").asText())
                    .isEqualTo("stopped");
            assertThat(repo.path(".loki/STOP")).doesNotExist();
            assertThat(Loki.run(repo.dir(), env, "status", "--json").json().path("status").asText())
                    .isEqualTo("stopped");
            assertThat(marker.carrying()).as("processes left after the stop").isEmpty();
        } finally {
            loop.kill();
        }
    }

    @Test
    void a_killed_run_resumes_from_its_saved_iteration_in_the_same_run() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path agent = FakeAgents.script(base, "agent", """
                cat > /dev/null
                echo "iteration $LOKI_ITERATION" >> iterations.txt
                echo working
                if [ "${CLAIM_AT:-0}" != 0 ] && [ "$LOKI_ITERATION" -ge "$CLAIM_AT" ]; then
                  touch .loki/signals/COMPLETION_REQUESTED
                else
                  sleep 0.3
                fi""");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        LokiProcess loop = LokiProcess.start(repo.dir(), env, base.resolve("plogs"), "start");
        await().atMost(LONG).until(() -> savedIteration(repo) >= 3);
        loop.process.destroyForcibly();
        loop.process.waitFor();
        int saved = savedIteration(repo);
        String runId = Json.parse(Files.readString(repo.path(".loki/state/run.json"))).path("run_id").asText();

        env.put("CLAIM_AT", Integer.toString(saved + 1));
        Loki.Result r = Loki.run(repo.dir(), env, "start");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("Resuming " + runId + " after " + saved + " iteration(s)")
                .contains("next is iteration " + (saved + 1))
                .contains("Iteration " + (saved + 1) + "/"); // the number the resume line announced
        JsonNode state = Json.parse(Files.readString(repo.path(".loki/autonomy-state.json")));
        assertThat(state.path("iterationCount").asInt()).isEqualTo(saved + 1);
        assertThat(state.path("status").asText()).isEqualTo("completion_promise_fulfilled");
        JsonNode run = Json.parse(Files.readString(repo.path(".loki/state/run.json")));
        assertThat(run.path("run_id").asText()).isEqualTo(runId);
        assertThat(run.path("status").asText()).isEqualTo("completed");
        assertThat(repo.read("iterations.txt")).contains("iteration " + (saved + 1));
    }

    @Test
    void ctrl_c_once_pauses_at_the_checkpoint_and_twice_kills_the_provider_tree() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path pidFile = base.resolve("child.pid");
        Path agent = FakeAgents.script(base, "agent", "cat > /dev/null\nsleep 300 &\necho $! > " + pidFile
                + "\necho started\nwait");
        Map<String, String> env = markedEnv(repo, agent);
        LokiProcess loop = LokiProcess.start(repo.dir(), env, base.resolve("plogs"), "start");
        try {
            await().atMost(LONG).until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
            long child = Long.parseLong(Files.readString(pidFile).strip());
            new ProcessBuilder("kill", "-INT", Long.toString(loop.process.pid())).start().waitFor();
            await().atMost(LONG).until(() -> Files.exists(repo.path(".loki/PAUSE_AT_CHECKPOINT")));
            new ProcessBuilder("kill", "-INT", Long.toString(loop.process.pid())).start().waitFor();

            assertThat(loop.waitFor(LONG)).as(loop.output()).isEqualTo(130);
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(child).map(h -> !h.isAlive())
                    .orElse(true));
            JsonNode state = Json.parse(Files.readString(repo.path(".loki/autonomy-state.json")));
            assertThat(state.path("status").asText()).isEqualTo("interrupted");
            assertThat(marker.carrying()).as("the agent script and all it started are gone").isEmpty();
        } finally {
            loop.kill();
        }
    }
}
