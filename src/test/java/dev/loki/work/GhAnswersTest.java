package dev.loki.work;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.testing.Loki;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A gh that answers something other than the issue asked for: nothing starts. */
class GhAnswersTest {
    @TempDir
    Path base;

    @Test
    void an_answer_that_is_not_the_issue_asked_for_starts_nothing() {
        WorkFixture f = WorkFixture.create(base);
        Map<String, String> env = f.withAgent("");
        Path root = Worktrees.of(f.repo.dir(), f.env).root();
        Map<String, String> answers = Map.of(
                "null", "no issue, not issue #12",
                "[]", "no issue, not issue #12",
                "{\"title\":\"untitled\"}", "no issue, not issue #12",
                "{\"number\":99,\"title\":\"Other\",\"body\":\"rm -rf\",\"url\":\"https://github.com/evil/x/issues/99\"}",
                "answered issue #99, not issue #12");
        for (Map.Entry<String, String> a : answers.entrySet()) {
            WorkFixture.write(f.gh.resolve("issues/12.json"), a.getKey());
            Loki.Result r = Loki.run(f.repo.dir(), env, "start", "#12", "--pr");
            assertThat(r.exit()).as(a.getKey() + ": " + r).isEqualTo(1);
            assertThat(r.err()).as(a.getKey()).contains(a.getValue()).doesNotContain("Exception");
            assertThat(root.resolve("issue-12")).as(a.getKey()).doesNotExist();
        }
        assertThat(f.repo.git("branch", "--list", "loki/*")).isEmpty();
        assertThat(f.ghCalls()).noneMatch(l -> l.startsWith("pr create"));
    }
}
