package dev.loki.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.testing.FakeAgents;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A STOP left by an earlier run (a {@code loki stop} or {@code loki backlog stop} that landed as
 * the run ended) is stale: the start removes it. The run's STOP watcher used to start before
 * that, see it, and stop the new run at once, so a stopped run or backlog could not be resumed.
 */
class StaleStopTest {
    @TempDir
    Path base;

    @Test
    void a_stop_left_by_an_earlier_run_does_not_stop_the_next_one() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path agent = FakeAgents.script(base, "agent", """
                cat > /dev/null
                echo done > result.txt
                echo "implemented it"
                echo "done" > .loki/signals/COMPLETION_REQUESTED
                exit 0""");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        Files.createDirectories(repo.path(".loki"));
        Files.writeString(repo.path(".loki/STOP"), "");

        Loki.Result r = Loki.run(repo.dir(), env, "start", "--max-iterations", "1");

        String all = r.out() + r.err();
        assertThat(all).as(r.toString()).contains("Removed a stale STOP").doesNotContain("STOP signal received");
        assertThat(repo.path("result.txt")).as("the agent ran").exists();
        assertThat(r.exit()).as(r.toString()).isZero();
    }
}
