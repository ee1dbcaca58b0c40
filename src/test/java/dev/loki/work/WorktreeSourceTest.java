package dev.loki.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loki.testing.TestRepo;
import dev.loki.LokiException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which start inputs name the same work (and so share a worktree), and the slug another one gets. */
class WorktreeSourceTest {
    @TempDir
    Path base;

    @Test
    void the_same_issue_in_any_spelling_is_the_same_source_and_other_texts_are_not() {
        assertThat(Worktrees.sameSource("#12", "https://github.com/acme/app/issues/12")).isTrue();
        assertThat(Worktrees.sameSource("#12", "acme/app#12")).isTrue();
        assertThat(Worktrees.sameSource("Acme/App#12", "acme/app#12")).isTrue();
        assertThat(Worktrees.sameSource("acme/app#12", "other/app#12")).isFalse();
        assertThat(Worktrees.sameSource("#12", "#13")).isFalse();
        assertThat(Worktrees.sameSource("add x", " add x ")).isTrue();
        assertThat(Worktrees.sameSource("add x", "Add X.")).isFalse();
        assertThat(Worktrees.sameSource("port the parser to C", "port the parser to C++")).isFalse();
        assertThat(Worktrees.sameSource("", "anything")).as("a record without a source (older versions)").isTrue();
    }

    @Test
    void a_slug_promised_to_another_source_gets_a_stable_hash_suffix_and_issues_keep_their_name() {
        TestRepo repo = TestRepo.create(base);
        repo.write("a.txt", "a\n");
        repo.commitAll("a");
        Worktrees trees = Worktrees.of(repo.dir(), repo.env());

        assertThat(trees.slugFor("issue-12", "#12", Set.of())).isEqualTo("issue-12");
        assertThat(trees.slugFor("add-x", "add x", Set.of())).isEqualTo("add-x");
        String other = trees.slugFor("add-x", "Add X.", Set.of("add-x"));
        assertThat(other).matches("add-x-[0-9a-f]{6}").isEqualTo(trees.slugFor("add-x", "Add X.", Set.of("add-x")));
        assertThat(trees.slugFor("add-x", "Add X.", Set.of("add-x", other))).isEqualTo(other + "-3");
    }

    @Test
    void a_branch_left_without_its_worktree_is_resumed_by_its_own_task_and_never_given_to_another() throws Exception {
        TestRepo repo = TestRepo.create(base);
        repo.write("a.txt", "a\n");
        repo.commitAll("a");
        Worktrees trees = Worktrees.of(repo.dir(), repo.env());
        RunWorktree wt = trees.open(trees.slugFor("add-x", "add x", Set.of()), Optional.empty(), "add x");
        assertThat(wt.branch()).isEqualTo("loki/add-x");
        repo.git("-C", wt.path().toString(), "commit", "-q", "--allow-empty", "-m", "work of add x");
        repo.git("worktree", "remove", "--force", wt.path().toString()); // by hand: the branch stays

        String other = trees.slugFor("add-x", "Add X.", Set.of());
        assertThat(other).as("another task never lands on add x's branch").matches("add-x-[0-9a-f]{6}");
        assertThatThrownBy(() -> trees.open("add-x", Optional.empty(), "Add X."))
                .isInstanceOf(LokiException.class).hasMessageContaining("loki/add-x");
        assertThat(trees.slugFor("add-x", "add x", Set.of())).as("the same task carries on on its branch")
                .isEqualTo("add-x");
        RunWorktree again = trees.open("add-x", Optional.empty(), "add x");
        assertThat(repo.git("-C", again.path().toString(), "log", "-1", "--format=%s").strip())
                .isEqualTo("work of add x");

        repo.git("branch", "loki/fix-y"); // made by hand (or by an older loki): it does not say for what
        assertThat(trees.slugFor("fix-y", "fix y", Set.of())).matches("fix-y-[0-9a-f]{6}");
    }
}
