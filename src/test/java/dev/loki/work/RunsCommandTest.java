package dev.loki.work;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.testing.Leftovers;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code loki runs} and {@code loki runs clean}: listing worktrees, and never losing unpushed work. */
class RunsCommandTest {
    @TempDir
    Path base;

    @RegisterExtension
    final Leftovers.Marker marker = new Leftovers.Marker();

    @Test
    void runs_lists_each_worktree_with_its_disk_and_unpushed_commits() {
        WorkFixture f = WorkFixture.create(base).issue(1, "One", "- [ ] a");
        Map<String, String> env = f.withAgent("");
        assertThat(Loki.run(f.repo.dir(), env, "start", "#1").exit()).isZero();

        Loki.Result r = Loki.run(f.repo.dir(), env, "runs", "--json");

        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode run = r.json().get(0);
        assertThat(run.path("run").asText()).isEqualTo("issue-1");
        assertThat(run.path("branch").asText()).isEqualTo("loki/issue-1");
        assertThat(run.path("status").asText()).isEqualTo("completed");
        assertThat(run.path("active").asBoolean()).isFalse();
        assertThat(run.path("unpushed_commits").asInt()).isEqualTo(1);
        assertThat(run.path("dirty").asBoolean()).isFalse();
        assertThat(run.path("disk_bytes").asLong()).isGreaterThan(0);
        Loki.Result table = Loki.run(f.repo.dir(), env, "runs");
        assertThat(table.out()).contains("RUN", "DISK", "issue-1", "completed");
    }

    @Test
    void clean_keeps_unpushed_work_unless_forced_and_then_keeps_a_restorable_copy() {
        WorkFixture f = WorkFixture.create(base).issue(1, "One", "- [ ] a");
        Map<String, String> env = f.withAgent("");
        assertThat(Loki.run(f.repo.dir(), env, "start", "#1").exit()).isZero();
        Path wt = Worktrees.of(f.repo.dir(), env).root().resolve("issue-1");
        String tip = f.repo.git("rev-parse", "loki/issue-1").strip();

        Loki.Result kept = Loki.run(f.repo.dir(), env, "runs", "clean", "issue-1");
        assertThat(kept.exit()).as(kept.toString()).isEqualTo(1);
        assertThat(kept.out()).contains("kept", "1 unpushed commit(s)", "--force");
        assertThat(wt).exists();

        Loki.Result forced = Loki.run(f.repo.dir(), env, "runs", "clean", "--force");
        assertThat(forced.exit()).as(forced.toString()).isZero();
        assertThat(forced.out()).contains("removed", "a copy is kept at");
        assertThat(wt).doesNotExist();
        assertThat(f.repo.git("branch", "--list", "loki/*")).isEmpty();
        Path trash = Path.of(forced.out().replaceAll("(?s).*a copy is kept at (\\S+) .*", "$1"));
        assertThat(trash.resolve("tree/result-issue-1.txt")).exists();
        f.repo.git("fetch", "-q", trash.resolve("branch.bundle").toString(), "loki/issue-1:restored");
        assertThat(f.repo.git("rev-parse", "restored").strip()).isEqualTo(tip);
    }

    @Test
    void clean_removes_a_pushed_run_without_force() {
        WorkFixture f = WorkFixture.create(base).issue(2, "Two", "- [ ] b");
        Map<String, String> env = f.withAgent("");
        assertThat(Loki.run(f.repo.dir(), env, "start", "#2", "--pr").exit()).isZero();
        Path wt = Worktrees.of(f.repo.dir(), env).root().resolve("issue-2");

        Loki.Result r = Loki.run(f.repo.dir(), env, "runs", "clean");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("removed  issue-2: removed");
        assertThat(wt).doesNotExist();
        assertThat(f.repo.git("worktree", "list")).doesNotContain("issue-2");
        assertThat(TestRepo.run(List.of("git", "--git-dir", f.origin.toString(), "branch"), base, f.env))
                .contains("loki/issue-2");
        assertThat(Loki.run(f.repo.dir(), env, "runs", "--json").json()).isEmpty();
    }

    @Test
    void a_run_interrupted_mid_way_resumes_in_its_worktree_on_the_next_start() throws Exception {
        WorkFixture f = WorkFixture.create(base).issue(5, "Five", "- [ ] e");
        Map<String, String> env = marker.mark(f.withAgent("""
                echo "start $slug" >> "$FAKE_GH/agents.log"
                while [ -f "$FAKE_GH/hold" ]; do sleep 0.05; done
                """));
        WorkFixture.write(f.gh.resolve("hold"), "");
        Process p = WorkProcesses.startLoki(List.of("start", "#5"), f.repo.dir(), env, base.resolve("logs/start.log"));
        Path agents = f.gh.resolve("agents.log");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> Files.exists(agents));
        Path wt = Worktrees.of(f.repo.dir(), env).root().resolve("issue-5");
        String runId = dev.loki.store.Json.parse(Files.readString(wt.resolve(".loki/state/run.json")))
                .path("run_id").asText();
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor();
        Files.delete(f.gh.resolve("hold"));

        Loki.Result again = Loki.run(f.repo.dir(), env, "start", "#5");

        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.err()).contains("Resuming " + runId);
        assertThat(f.repo.git("log", "--format=%s", "loki/issue-5")).startsWith("Five (#5)");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(() -> {
                    assertThat(WorkFixture.processesMentioning(base.toString())).isEmpty();
                    assertThat(marker.carrying()).as("marked processes (one whose command line does not name base)")
                            .isEmpty();
                });
    }
}
