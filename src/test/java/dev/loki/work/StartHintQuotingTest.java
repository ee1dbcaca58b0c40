package dev.loki.work;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code loki start ...} commands an isolated run prints for the user to paste carry the
 * task text: pasted into a shell, they must pass it back as one argument, run nothing and lose
 * nothing (a {@code #} is no comment, a {@code ;} no second command).
 */
class StartHintQuotingTest {
    private static final List<String> TASKS = List.of("greet; touch PWNED", "add hello script", "#123",
            "it's \"done\" $(touch PWNED) `touch PWNED` ${HOME}", "first line\nsecond; touch PWNED\n", "-rf /",
            "--pr", "a # comment", "tab\there|touch PWNED&", "'", "x\\");

    @TempDir
    Path base;

    @Test
    void every_hint_pastes_back_as_the_same_task_and_flags() {
        for (String task : TASKS) {
            WorkStart.Plan plan = new WorkStart.Plan(base, base, Optional.empty(), Optional.empty(), "t", task, false,
                    false);
            assertThat(pasted(Finisher.startCommand(plan, List.of("--pr")))).as(task)
                    .isEqualTo(task.startsWith("-") ? List.of("start", "--pr", "--", task) : List.of("start", task,
                            "--pr"));
            assertThat(pasted(Finisher.startCommand(plan, List.of("--isolation", "worktree")))).as(task)
                    .contains(task, "--isolation", "worktree").hasSize(task.startsWith("-") ? 5 : 4);
        }
        WorkStart.Plan auto = new WorkStart.Plan(base, base, Optional.empty(), Optional.empty(), "t",
                WorkStart.AUTO_SPEC, false, false);
        assertThat(pasted(Finisher.startCommand(auto, List.of("--pr")))).containsExactly("start", "--pr");
        assertThat(base.resolve("PWNED")).doesNotExist();
    }

    @Test
    void the_printed_pr_hint_runs_as_printed_and_opens_the_pr_for_the_same_task() {
        WorkFixture f = WorkFixture.create(base);
        Map<String, String> env = f.withAgent("");
        String task = "-n greet; touch PWNED $(touch PWNED) `touch PWNED` #123 it's";

        Loki.Result first = Loki.run(f.repo.dir(), env, "start", "--isolation", "worktree", "--", task);

        assertThat(first.exit()).as(first.toString()).isZero();
        String marker = "open a pull request with: ";
        String line = first.err().lines().filter(l -> l.contains(marker)).findFirst().orElseThrow();
        String hint = line.substring(line.indexOf(marker) + marker.length());
        List<String> argv = pasted(hint);
        assertThat(argv).containsExactly("start", "--pr", "--", task);
        assertThat(base.resolve("PWNED")).doesNotExist();

        // what the user pastes is what loki reads: the same task's run, now pushed and opened as a PR
        Loki.Result second = Loki.run(f.repo.dir(), env, argv.toArray(String[]::new));

        assertThat(second.exit()).as(second.toString()).isZero();
        assertThat(second.out()).contains("Pull request: https://github.com/acme/app/pull/1");
        assertThat(f.ghCalls()).anyMatch(l -> l.startsWith("pr create --title " + task + " --body-file"));
        assertThat(f.repo.dir().resolve("PWNED")).doesNotExist();
    }

    @Test
    void the_resume_hint_of_a_failed_run_pastes_back_as_the_same_request() {
        WorkFixture f = WorkFixture.create(base).issue(7, "Never done", "- [ ] x");
        f.env.put("FAIL_ON", "issue-7");

        Loki.Result r = Loki.run(f.repo.dir(), f.withAgent(""), "start", "#7", "--pr", "--draft");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        String marker = "Start it again to resume: ";
        String line = r.err().lines().filter(l -> l.contains(marker)).findFirst().orElseThrow();
        assertThat(pasted(line.substring(line.indexOf(marker) + marker.length())))
                .containsExactly("start", "#7", "--pr", "--draft");
    }

    /** The words bash hands to {@code loki} when the user pastes {@code line} (loki stands in as a printer). */
    private List<String> pasted(String line) {
        String out = TestRepo.run(List.of("bash", "-c", "loki() { printf '%s\\0' \"$@\"; }; " + line), base,
                Map.of("PATH", "/usr/bin:/bin", "HOME", base.toString()));
        List<String> words = new ArrayList<>(Arrays.asList(out.split("\0", -1)));
        assertThat(words.remove(words.size() - 1)).as("output ends with a NUL: " + out).isEmpty();
        return words;
    }
}
