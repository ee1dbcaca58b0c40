package dev.loki.work;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.testing.Leftovers;
import dev.loki.testing.Loki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Different tasks whose text reduces to the same slug ("add x" and "Add X.", or two long texts
 * cut at 40 characters) never share a worktree, a branch or a run; the same task resumes its own.
 */
class SlugCollisionTest {
    @TempDir
    Path base;

    @RegisterExtension
    final Leftovers.Marker marker = new Leftovers.Marker();

    @AfterEach
    void no_process_is_left_behind() {
        WorkFixture.assertNoProcessLeft(base, marker);
    }

    private static String source(Path worktree) throws Exception {
        return Json.parse(Files.readString(worktree.resolve(".loki/work/worktree.json"))).path("source").asText();
    }

    @Test
    void tasks_with_colliding_slugs_get_their_own_worktree_and_branch_and_the_same_task_resumes_its_own()
            throws Exception {
        WorkFixture f = WorkFixture.create(base);
        Map<String, String> env = marker.mark(f.withAgent(""));
        Path root = Worktrees.of(f.repo.dir(), env).root();
        String longA = "refactor the authentication module so that sessions expire after thirty minutes of inactivity";
        String longB = "refactor the authentication module so that sessions never expire";
        for (String task : List.of("add x", "Add X.", longA, longB)) {
            Loki.Result r = Loki.run(f.repo.dir(), env, "start", task, "--isolation", "worktree",
                    "--max-iterations", "1");
            assertThat(r.exit()).as(task + ": " + r).isZero();
            assertThat(r.err()).as(task).doesNotContain("stale COMPLETED");
        }

        String addX2 = "add-x-" + Worktrees.shortHash("Add X.");
        String auth = "refactor-the-authentication-module-so-th";
        String auth2 = auth + "-" + Worktrees.shortHash(longB);
        assertThat(source(root.resolve("add-x"))).isEqualTo("add x");
        assertThat(source(root.resolve(addX2))).isEqualTo("Add X.");
        assertThat(source(root.resolve(auth))).isEqualTo(longA);
        assertThat(source(root.resolve(auth2))).isEqualTo(longB);
        assertThat(Files.readString(root.resolve("add-x/.loki/work/spec/task.md"))).contains("add x")
                .doesNotContain("Add X.");
        assertThat(Files.readString(root.resolve(addX2).resolve(".loki/work/spec/task.md"))).contains("Add X.");
        // one commit of its own task on each branch, none on top of another task's
        assertThat(f.repo.git("log", "--format=%s", "main..loki/add-x").strip()).isEqualTo("add x");
        assertThat(f.repo.git("log", "--format=%s", "main..loki/" + addX2).strip()).isEqualTo("Add X.");
        assertThat(f.repo.git("log", "--format=%s", "main..loki/" + auth2).lines().toList()).hasSize(1);
        assertThat(f.repo.git("check-ref-format", "--branch", "loki/" + addX2).strip()).isEqualTo("loki/" + addX2);

        // the same text again resumes its own worktree, not the other one
        Loki.Result again = Loki.run(f.repo.dir(), env, "start", "Add X.", "--isolation", "worktree",
                "--max-iterations", "1");
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.err() + again.out()).contains(addX2);
        assertThat(root.toFile().list()).hasSize(4);
    }

    @Test
    void backlog_entries_with_colliding_slugs_run_in_distinct_worktrees() throws Exception {
        WorkFixture f = WorkFixture.create(base);
        Map<String, String> env = new HashMap<>(marker.mark(f.withAgent("")));
        env.put("LOKI_BACKLOG_POLL_MS", "50");
        Path root = Worktrees.of(f.repo.dir(), env).root();

        Loki.Result r = Loki.run(f.repo.dir(), env, "backlog", "run", "port the parser to C",
                "port the parser to C++", "--parallel", "2", "--max-iterations", "1", "--json");

        assertThat(r.exit()).as(r.toString()).isZero();
        Map<String, String> runs = new HashMap<>();
        for (JsonNode n : r.json().path("runs")) {
            assertThat(n.path("status").asText()).as(n.toString()).isEqualTo("completed");
            runs.put(n.path("input").asText(), n.path("run").asText());
        }
        String plus = "port-the-parser-to-c-" + Worktrees.shortHash("port the parser to C++");
        assertThat(runs).containsEntry("port the parser to C", "port-the-parser-to-c")
                .containsEntry("port the parser to C++", plus);
        assertThat(source(root.resolve("port-the-parser-to-c"))).isEqualTo("port the parser to C");
        assertThat(source(root.resolve(plus))).isEqualTo("port the parser to C++");
        assertThat(f.repo.git("log", "--format=%s", "main..loki/" + plus).strip())
                .isEqualTo("port the parser to C++");
    }
}
