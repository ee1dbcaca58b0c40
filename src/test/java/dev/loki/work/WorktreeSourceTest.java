package dev.loki.work;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.testing.TestRepo;
import java.nio.file.Path;
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
}
