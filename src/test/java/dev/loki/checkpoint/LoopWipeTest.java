package dev.loki.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.run.LoopResult;
import dev.loki.testing.FakeAgents;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reproduction 6 of issue 8: an agent that runs {@code rm -rf .loki} and then
 * {@code git clean -fdx} mid-run. The loop used to die with {@code Internal error:
 * NoSuchFileException}, exit 4; now it recreates what it needs, says so, and goes on, and the
 * checkpoints taken before the wipe are still listed.
 */
class LoopWipeTest {
    @TempDir
    Path base;

    @Test
    void a_loop_whose_loki_dir_is_wiped_twice_goes_on_and_keeps_its_checkpoints() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path calls = base.resolve("calls");
        Path agent = FakeAgents.script(base, "agent", """
                cat > /dev/null
                echo "call $LOKI_ITERATION" >> %s
                echo "x$LOKI_ITERATION" >> work.txt
                [ "$LOKI_ITERATION" = 2 ] && rm -rf .loki
                [ "$LOKI_ITERATION" = 3 ] && git clean -fdxq
                if [ "$LOKI_ITERATION" = 4 ]; then
                  cat .loki/loki.pid > %s 2>/dev/null
                  [ -f .loki/session.lock ] && echo present >> %s
                fi
                echo "did iteration $LOKI_ITERATION"
                exit 0
                """.formatted(calls, base.resolve("pid4"), base.resolve("pid4")));
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);

        Loki.Result r = Loki.run(repo.dir(), env, "start", "PRD.md", "--max-iterations", "4");

        assertThat(r.exit()).as("not the internal error's 4, but the cap's 3 after four good iterations\n" + r)
                .isNotEqualTo(4).isEqualTo(LoopResult.MAX_ITERATIONS);
        assertThat(r.err()).doesNotContain("Internal error").doesNotContain("NoSuchFileException");
        assertThat(Files.readAllLines(calls)).containsExactly("call 1", "call 2", "call 3", "call 4");
        assertThat(r.err()).contains("had been removed");
        assertThat(Files.readAllLines(base.resolve("pid4")))
                .as("the run's pid file and session lock are back, so status/stop still find the run")
                .containsExactly(Long.toString(ProcessHandle.current().pid()), "present");
        assertThat(repo.path(".loki/.gitignore")).exists();
        assertThat(repo.git("status", "--porcelain")).doesNotContain(".loki");
        try (Stream<Path> s = Files.list(repo.path(".git/loki/checkpoints"))) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.matches("cp-\\d-\\d+.*")))
                    .as("the run-start and every iteration's checkpoint, before and after the wipes")
                    .anyMatch(n -> n.startsWith("cp-0-")).anyMatch(n -> n.startsWith("cp-1-"))
                    .anyMatch(n -> n.startsWith("cp-2-")).anyMatch(n -> n.startsWith("cp-3-"))
                    .anyMatch(n -> n.startsWith("cp-4-"));
        }
        Loki.Result list = Loki.run(repo.dir(), env, "rollback", "list", "--json");
        assertThat(list.json().toString()).contains("\"id\":\"cp-1-");
    }
}
