package dev.loki.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.testing.FakeAgents;
import dev.loki.testing.Leftovers;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reviewers work in a throwaway checkout of the iteration's snapshot and see exactly the
 * iteration's change: what they write never reaches the user's tree, the user's own uncommitted
 * work from before the run is not in their diff, and a diff too large is cut by whole files,
 * naming the ones left out.
 */
class ReviewIsolationTest {
    private static final String AGENT = """
            prompt="$(cat)"
            if [ "$LOKI_CALL" = review ] || [ "$LOKI_CALL" = council ]; then
              pwd > "$BASE/review-cwd"
              cat calc.sh > "$BASE/review-saw" 2>/dev/null
              echo hacked > reviewer-wrote.txt
              echo hacked >> calc.sh
              printf 'VERDICT: PASS\\nFINDINGS:\\n- none\\n'
              exit 0
            fi
            printf 'add() { echo $(( $1 + $2 )); }\\n' > calc.sh
            if [ -n "$BIG" ]; then
              head -c 75000 /dev/zero | tr '\\0' 'a' | fold -w 100 > big-a.txt
              head -c 75000 /dev/zero | tr '\\0' 'b' | fold -w 100 > big-b.txt
              echo small > small.txt
            fi
            echo done
            """;

    @TempDir
    Path base;

    /** Marks loki and everything it starts; also kills the loki under test after each test. */
    @RegisterExtension
    final Leftovers.Marker marker = new Leftovers.Marker();

    private Map<String, String> env(TestRepo repo) {
        return FakeAgents.reviewedEnv(repo, base, AGENT, marker);
    }

    @Test
    void a_reviewer_that_writes_files_leaves_the_users_tree_unchanged_and_sees_only_the_iterations_change()
            throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        repo.write("dirty.txt", "the user's own work, not committed\n");
        Loki.Result r = Loki.run(repo.dir(), env(repo), "start", "--max-iterations", "1");

        assertThat(base.resolve("review-cwd")).as(r.toString()).exists();
        assertThat(repo.path("reviewer-wrote.txt")).doesNotExist();
        assertThat(repo.read("calc.sh")).isEqualTo("add() { echo $(( $1 + $2 )); }\n");
        Path cwd = Path.of(Files.readAllLines(base.resolve("review-cwd")).get(0));
        assertThat(cwd).isNotEqualTo(repo.dir()).doesNotExist();
        assertThat(Files.readString(base.resolve("review-saw"))).isEqualTo("add() { echo $(( $1 + $2 )); }\n");

        Path review = FakeAgents.reviewDir(repo);
        String diff = Files.readString(review.resolve("diff.txt"));
        assertThat(diff).contains("calc.sh", "+add() { echo $(( $1 + $2 )); }").doesNotContain("dirty.txt");
        assertThat(Files.readString(review.resolve("files.txt"))).isEqualTo("calc.sh\n");
        assertThat(marker.carrying()).isEmpty();
    }

    @Test
    void a_large_change_is_cut_by_whole_files_and_the_cut_names_the_files_left_out() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Map<String, String> env = env(repo);
        env.put("BIG", "1");
        Loki.Result r = Loki.run(repo.dir(), env, "start", "--max-iterations", "1");

        Path review = FakeAgents.reviewDir(repo);
        String diff = Files.readString(review.resolve("diff.txt"));
        assertThat(Files.readAllLines(review.resolve("files.txt")))
                .as(r.toString()).containsExactly("big-a.txt", "big-b.txt", "calc.sh", "small.txt");
        assertThat(diff).contains("diff --git a/big-a.txt", "diff --git a/calc.sh", "diff --git a/small.txt", "+small");
        assertThat(diff).doesNotContain("diff --git a/big-b.txt").doesNotContain("+bbbb");
        assertThat(diff).contains("1 of 4 changed file(s) left out", "- big-b.txt (");
        assertThat(diff.length()).isLessThanOrEqualTo(dev.loki.gate.IterationDiff.MAX_CHARS);
    }
}
