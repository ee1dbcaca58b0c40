package dev.loki.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.testing.FakeAgents;
import dev.loki.testing.Leftovers;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code loki start --bg}: the run goes on detached, this command returns at once, nothing is left behind. */
class StartInBackgroundTest {
    @TempDir
    Path base;

    @RegisterExtension
    final Leftovers.Marker marker = new Leftovers.Marker();

    @Test
    void the_run_goes_on_in_the_background_and_a_second_one_is_refused_while_it_runs() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Map<String, String> env = marker.mark(FakeAgents.command(FakeAgents.env(repo, base), FakeAgents.script(base,
                "agent", "cat > /dev/null; sleep 3; echo 'echo hello' > hello.sh; echo wrote hello.sh;"
                        + " echo done > .loki/signals/COMPLETION_REQUESTED")));

        Loki.Result r = Loki.run(repo.dir(), env, "start", "--bg", "--max-iterations", "2", "PRD.md");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Started in the background: pid").contains(".loki/logs/start-bg.log")
                .contains("loki stop");
        assertThat(marker.carrying()).as("the run is a process of its own").isNotEmpty();

        Loki.Result again = Loki.run(repo.dir(), env, "start", "--bg", "PRD.md");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("already active in this project");

        JsonNode run = awaitEnd(repo.path(".loki/state/run.json"), Duration.ofSeconds(60));
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("completed");
        assertThat(repo.read("hello.sh")).isEqualTo("echo hello\n");
        assertThat(run.path("max_iterations").asInt()).as("its options went with it").isEqualTo(2);
        String log = Files.readString(repo.path(".loki/logs/start-bg.log"));
        assertThat(log).contains(run.path("run_id").asText()).doesNotContain("token=");
        awaitNoneLeft();
    }

    /**
     * An isolated run holds its worktree's {@code .loki}, not the project's: the command still
     * returns as soon as the run has started, and says where it runs (it used to wait its full
     * 20 seconds, then report "started" without knowing).
     */
    @Test
    void an_isolated_run_says_where_it_runs_as_soon_as_it_holds_its_worktree() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Map<String, String> env = marker.mark(FakeAgents.command(FakeAgents.env(repo, base), FakeAgents.script(base,
                "agent", "cat > /dev/null; sleep 2; echo hi > hello.txt; echo wrote hello.txt;"
                        + " echo done > .loki/signals/COMPLETION_REQUESTED")));

        Loki.Result r = Loki.run(repo.dir(), env, "start", "--bg", "add a hello file", "--isolation", "worktree",
                "--max-iterations", "1");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Started in the background: pid").contains(", running in ");
        assertThat(r.err()).doesNotContain("has not taken the project");
        String out = r.out();
        int at = out.indexOf(", running in ") + ", running in ".length();
        Path worktree = Path.of(out.substring(at, out.indexOf(", output in ", at)));
        assertThat(worktree).isNotEqualTo(repo.dir());
        assertThat(worktree.resolve(".loki/loki.pid")).as("the run holds the worktree it names").exists();
        assertThat(r.out()).as("followed in its worktree").contains("Follow it: loki -C " + worktree + " status")
                .contains("Stop it: loki -C " + worktree + " stop");

        JsonNode run = awaitEnd(worktree.resolve(".loki/state/run.json"), Duration.ofSeconds(60));
        assertThat(run.path("ended_at").asText()).as(run.toString()).isNotEmpty();
        assertThat(repo.path("hello.txt")).as("the user's tree is not where it ran").doesNotExist();
        awaitNoneLeft();
    }

    @Test
    void a_run_that_cannot_start_says_why_and_exits_with_its_code() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Map<String, String> env = marker.mark(FakeAgents.env(repo, base));
        Loki.Result r = Loki.run(repo.dir(), env, "start", "--bg", "--budget", "lots", "PRD.md");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("the background run exited at once (code 2)")
                .contains("--budget must be a number of USD");
        awaitNoneLeft();
    }

    private static JsonNode awaitEnd(Path runJson, Duration max) throws Exception {
        Instant deadline = Instant.now().plus(max);
        JsonNode run = Json.object();
        while (Instant.now().isBefore(deadline)) {
            if (Files.exists(runJson)) {
                run = Json.parse(Files.readString(runJson));
                if (!run.path("ended_at").asText("").isEmpty()) {
                    return run;
                }
            }
            Thread.sleep(100);
        }
        return run;
    }

    private void awaitNoneLeft() throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(15);
        while (!marker.carrying().isEmpty() && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertThat(marker.carrying()).as("no process of the run is left").isEmpty();
    }
}
