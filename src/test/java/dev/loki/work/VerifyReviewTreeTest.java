package dev.loki.work;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.testing.FakeAgents;
import dev.loki.testing.Loki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loki verify}'s reviewers and council members work in a throwaway checkout, not the user's tree. */
class VerifyReviewTreeTest {
    @TempDir
    Path base;

    @Test
    void reviewers_that_write_files_leave_the_users_tree_untouched_and_see_the_commit() throws Exception {
        WorkFixture f = WorkFixture.create(base);
        f.repo.git("checkout", "-q", "-b", "feature");
        f.repo.write("sub.sh", "sub() { echo $(( $1 - $2 )); }\n");
        f.repo.commitAll("sub");
        Path reviewer = FakeAgents.script(base, "reviewer", """
                prompt="$(cat)"
                echo "scribbled by a $LOKI_CALL" > "scribble-$LOKI_CALL-$$.txt"
                echo "$LOKI_CALL" >> src/app.txt
                [ -f sub.sh ] && echo "$LOKI_CALL" >> "$FAKE_GH/saw-sub"
                case "$prompt" in
                  *"VOTE:"*) printf 'VOTE: APPROVE\\nREASON: fine\\nISSUES: none\\n' ;;
                  *) printf 'VERDICT: PASS\\nFINDINGS:\\n- none\\n' ;;
                esac""");
        Map<String, String> env = f.repo.env();
        env.put("PATH", base.resolve("bin") + ":" + env.get("PATH"));
        env.put("FAKE_GH", f.gh.toString());
        FakeAgents.command(env, reviewer);
        env.put("LOKI_TEST_CMD", "true");
        Map<String, String> before = f.userTree();
        before.keySet().removeIf(k -> k.startsWith(".loki"));

        Loki.Result r = Loki.run(f.repo.dir(), env, "verify", "main", "--json");

        assertThat(r.exit()).as(r.toString()).isZero();
        Map<String, String> after = f.userTree();
        after.keySet().removeIf(k -> k.startsWith(".loki"));
        assertThat(after).isEqualTo(before);
        assertThat(Files.readAllLines(f.gh.resolve("saw-sub"))).contains("review", "council");
    }
}
