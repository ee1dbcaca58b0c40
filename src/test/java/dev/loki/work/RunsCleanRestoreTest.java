package dev.loki.work;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.testing.Leftovers;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The restore command {@code loki runs clean --force} prints, run as printed. */
class RunsCleanRestoreTest {
    @TempDir
    Path base;

    @RegisterExtension
    final Leftovers.Marker marker = new Leftovers.Marker();

    @Test
    void the_printed_restore_command_brings_the_branch_back_and_the_same_task_resumes_on_it() {
        WorkFixture f = WorkFixture.create(base).issue(1, "One", "- [ ] a");
        Map<String, String> env = f.withAgent("");
        assertThat(Loki.run(f.repo.dir(), env, "start", "#1").exit()).isZero();
        String tip = f.repo.git("rev-parse", "loki/issue-1").strip();

        Loki.Result forced = Loki.run(f.repo.dir(), env, "runs", "clean", "issue-1", "--force");
        assertThat(forced.exit()).as(forced.toString()).isZero();
        Matcher m = Pattern.compile("\\(restore the branch: (.*)\\)\\s*$", Pattern.MULTILINE).matcher(forced.out());
        assertThat(m.find()).as(forced.out()).isTrue();
        TestRepo.run(List.of("bash", "-c", m.group(1)), f.repo.dir(), f.env);
        assertThat(f.repo.git("rev-parse", "loki/issue-1").strip()).isEqualTo(tip);
        f.repo.write("later.txt", "the user's work after the run\n");
        f.repo.commitAll("later on main");

        Loki.Result again = Loki.run(f.repo.dir(), env, "start", "#1");

        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.err()).contains("on branch loki/issue-1\n", "on branch loki/issue-1 ");
        assertThat(f.repo.git("branch", "--list", "--format=%(refname:short)", "loki/*").strip()).isEqualTo("loki/issue-1");
        assertThat(f.repo.git("show", "loki/issue-1:result-issue-1.txt")).contains("work for issue-1");
        // the branch's commits neither lose the restored work nor undo what main did since
        assertThat(f.repo.git("log", "--format=%s", "--name-status", "main..loki/issue-1"))
                .startsWith("One (#1)").doesNotContain("later.txt");
    }

    @Test
    void uncommitted_work_alone_is_kept_as_files_and_no_bundle_is_promised() throws Exception {
        WorkFixture f = WorkFixture.create(base).issue(2, "Two", "- [ ] b");
        Map<String, String> env = f.withAgent("");
        assertThat(Loki.run(f.repo.dir(), env, "start", "#2", "--pr").exit()).isZero();
        Path wt = Worktrees.of(f.repo.dir(), env).root().resolve("issue-2");
        Files.writeString(wt.resolve("late-edit.txt"), "not committed\n");

        Loki.Result forced = Loki.run(f.repo.dir(), env, "runs", "clean", "issue-2", "--force");

        assertThat(forced.exit()).as(forced.toString()).isZero();
        assertThat(forced.out()).doesNotContain("branch.bundle", "git fetch");
        Matcher m = Pattern.compile("the uncommitted files are in (\\S+)").matcher(forced.out());
        assertThat(m.find()).as(forced.out()).isTrue();
        assertThat(Path.of(m.group(1)).resolve("late-edit.txt")).hasContent("not committed");
    }

    @Test
    void a_run_directory_whose_worktree_an_agent_deleted_is_listed_and_cleaned() throws Exception {
        WorkFixture f = WorkFixture.create(base).issue(3, "Three", "- [ ] c");
        Map<String, String> env = f.withAgent("");
        assertThat(Loki.run(f.repo.dir(), env, "start", "#3", "--pr").exit()).isZero();
        Path wt = Worktrees.of(f.repo.dir(), env).root().resolve("issue-3");
        // what an agent did: its files and .git gone, git told to forget the worktree; .loki stays
        try (var files = Files.list(wt)) {
            for (Path p : files.filter(p -> !p.getFileName().toString().equals(".loki")).toList()) {
                dev.loki.store.FileTrees.delete(p);
            }
        }
        f.repo.git("worktree", "prune");

        Loki.Result runs = Loki.run(f.repo.dir(), env, "runs", "--json");
        assertThat(runs.exit()).as(runs.toString()).isZero();
        assertThat(runs.json().get(0).path("run").asText()).isEqualTo("issue-3");
        assertThat(runs.json().get(0).path("status").asText()).isEqualTo("worktree-missing");
        assertThat(runs.json().get(0).path("disk_bytes").asLong()).isGreaterThan(0);

        Loki.Result clean = Loki.run(f.repo.dir(), env, "runs", "clean", "issue-3");
        assertThat(clean.exit()).as(clean.toString()).isZero();
        assertThat(wt).doesNotExist();
        assertThat(f.repo.git("branch", "--list", "loki/*")).isEmpty();
    }

    @Test
    void a_run_whose_worktree_lost_its_git_ends_at_once_and_says_how_to_clean_it_not_to_resume()
            throws Exception {
        WorkFixture f = WorkFixture.create(base).issue(4, "Four", "- [ ] d");
        // the agent removes the worktree's .git (a file pointing at the repository) in its first iteration
        Map<String, String> env = f.withAgent("rm -f .git");
        Loki.Result r = Loki.run(f.repo.dir(), env, "start", "#4", "--pr", "--max-iterations", "20");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("the work tree's .git was removed during iteration 1")
                .contains("is no longer a git worktree").doesNotContain("Start it again to resume");
        assertThat(r.err()).doesNotContain("Iteration 2/");
        String clean = r.err().replaceAll("(?s).*then: (loki runs clean \\S+).*", "$1");
        assertThat(clean).isEqualTo("loki runs clean issue-4");
        Loki.Result cleaned = Loki.run(f.repo.dir(), env, clean.substring("loki ".length()).split(" "));
        assertThat(cleaned.exit()).as(cleaned.toString()).isZero();
        assertThat(Worktrees.of(f.repo.dir(), env).root().resolve("issue-4")).doesNotExist();
    }
}
