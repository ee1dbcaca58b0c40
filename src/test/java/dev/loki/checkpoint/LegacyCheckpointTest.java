package dev.loki.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints written by upstream Loki Mode 7.15's writers are listed and restorable. */
class LegacyCheckpointTest {
    @TempDir
    Path tmp;

    TestRepo repo;
    Path cps;
    String stashSha;

    @BeforeEach
    void seedUpstreamCheckpoints() throws Exception {
        repo = TestRepo.create(tmp);
        repo.write("src/app.py", "print('committed')\n");
        repo.write("src/util.py", "util\n");
        repo.commitAll("base");
        cps = Files.createDirectories(repo.path(".loki/state/checkpoints"));

        // run.sh writer: cp-<iter>-<epoch>, 9-key metadata, a git stash create snapshot + ref
        repo.write("src/app.py", "print('iteration 3 work')\n");
        stashSha = repo.git("stash", "create", "loki checkpoint cp-3-1795546315").strip();
        repo.git("update-ref", "refs/loki/cp/cp-3-1795546315", stashSha);
        Path cp3 = Files.createDirectories(cps.resolve("cp-3-1795546315"));
        write(cp3.resolve("metadata.json"), """
                {
                  "id": "cp-3-1795546315",
                  "timestamp": "2026-11-24T18:51:55Z",
                  "iteration": 3,
                  "task_id": "iteration-3",
                  "task_description": "iteration-3 complete",
                  "git_sha": "%s",
                  "git_branch": "main",
                  "provider": "claude",
                  "phase": "DEV"
                }""".formatted(repo.head()));
        write(cp3.resolve("worktree-snapshot.txt"), stashSha + "\n");
        write(cp3.resolve("state/orchestrator.json"), "{\"currentPhase\": \"DEV\"}");
        write(cp3.resolve("CONTINUITY.md"), "iteration 3 context\n");
        write(cp3.resolve("queue/pending.json"), "[]");

        // manual writer: cp-<YYYYmmdd-HHMMSS>, indent=4, different keys
        Path manual = Files.createDirectories(cps.resolve("cp-20261124-120000"));
        write(manual.resolve("metadata.json"), """
                {
                    "id": "cp-20261124-120000",
                    "timestamp": "2026-11-24T12:00:00Z",
                    "git_sha": "%s",
                    "git_branch": "main",
                    "message": "manual one",
                    "files_copied": 1,
                    "created_by": "loki checkpoint create"
                }""".formatted(repo.head()));
        write(manual.resolve("session.json"), "{\"status\": \"manual\"}");

        // dashboard writer: chk-<ts>, isoformat with +00:00 and microseconds
        Path chk = Files.createDirectories(cps.resolve("chk-20261124-130000"));
        write(chk.resolve("metadata.json"), """
                {"id": "chk-20261124-130000", "created_at": "2026-11-24T13:00:00.123456+00:00",
                 "git_sha": "", "message": "from the dashboard", "files": ["dashboard-state.json"]}""");
        write(chk.resolve("dashboard-state.json"), "{\"phase\": \"dash\"}");

        // bash pre-rollback writer: copied state/ recursively, including the store itself (F6)
        Path rb = Files.createDirectories(cps.resolve("rb-pre-20261124-140000"));
        write(rb.resolve("metadata.json"), """
                {"id": "rb-pre-20261124-140000", "timestamp": "2026-11-24T14:00:00Z",
                 "message": "pre-rollback snapshot", "created_by": "loki rollback"}""");
        write(rb.resolve("state/orchestrator.json"), "{\"currentPhase\": \"RB\"}");
        write(rb.resolve("state/checkpoints/index.jsonl"), "{\"id\": \"stale\"}\n");
        write(rb.resolve("state/checkpoints/cp-1-1/metadata.json"), "{}");

        write(cps.resolve("index.jsonl"), """
                {"id": "cp-20261124-120000", "timestamp": "2026-11-24T12:00:00Z", "git_sha": "x", "git_branch": "main", "message": "manual one"}
                {"id": "chk-20261124-130000", "created_at": "2026-11-24T13:00:00.123456+00:00", "git_sha": "", "message": "from the dashboard", "files": []}
                {"id": "rb-pre-20261124-140000", "timestamp": "2026-11-24T14:00:00Z", "message": "pre-rollback snapshot"}
                {"id": "cp-3-1795546315", "ts": "2026-11-24T18:51:55Z", "iter": 3, "task": "iteration-3 complete", "sha": "x"}
                """);
    }

    private static void write(Path p, String text) throws Exception {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void every_upstream_format_is_listed_with_its_kind_in_time_order() {
        Loki.Result r = Loki.run(repo, "rollback", "list", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        List<String> ids = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        for (JsonNode n : r.json()) {
            ids.add(n.path("id").asText());
            kinds.add(n.path("kind").asText());
        }
        assertThat(ids).containsExactly("cp-20261124-120000", "chk-20261124-130000", "rb-pre-20261124-140000",
                "cp-3-1795546315");
        assertThat(kinds).containsExactly("manual", "dashboard", "pre-rollback", "iteration");
        assertThat(r.json().get(3).path("snapshot").path("status").asText()).isEqualTo("legacy");
        Loki.Result show = Loki.run(repo, "checkpoint", "show", "chk-20261124-130000");
        assertThat(show.out()).contains("from the dashboard", "written by upstream");
    }

    @Test
    void an_upstream_iteration_checkpoint_restores_tracked_code_and_state_but_never_removes_untracked_files()
            throws Exception {
        repo.write("src/app.py", "print('iteration 4 broke it')\n");
        repo.delete("src/util.py");
        repo.write("later-untracked.txt", "user's new file\n");
        Files.writeString(repo.path(".loki/CONTINUITY.md"), "now\n");
        String refsBefore = repo.refs();

        Loki.Result r = Loki.run(repo, "rollback", "to", "cp-3-1795546315");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(repo.read("src/app.py")).isEqualTo("print('iteration 3 work')\n");
        assertThat(repo.read("src/util.py")).isEqualTo("util\n");
        assertThat(repo.read("later-untracked.txt")).isEqualTo("user's new file\n");
        assertThat(repo.path(".loki/CONTINUITY.md")).hasContent("iteration 3 context");
        assertThat(repo.path(".loki/state/orchestrator.json")).content().contains("DEV");
        assertThat(r.out()).contains("tracked files only");
        assertThat(repo.refs()).isEqualTo(refsBefore);

        // and the rollback of an upstream checkpoint is itself undoable, untracked work included
        String pre = r.out().lines().filter(l -> l.startsWith("Undo this rollback with: "))
                .findFirst().orElseThrow().substring("Undo this rollback with: loki rollback to ".length());
        assertThat(Loki.run(repo, "rollback", "to", pre).exit()).isZero();
        assertThat(repo.read("src/app.py")).isEqualTo("print('iteration 4 broke it')\n");
        assertThat(repo.exists("src/util.py")).isFalse();
        assertThat(repo.path(".loki/CONTINUITY.md")).hasContent("now");
    }

    @Test
    void restoring_an_upstream_pre_rollback_copy_never_overwrites_the_live_store() throws Exception {
        Path index = cps.resolve("index.jsonl");
        String indexBefore = Files.readString(index);
        Loki.Result r = Loki.run(repo, "rollback", "to", "rb-pre-20261124-140000", "--state-only");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(repo.path(".loki/state/orchestrator.json")).content().contains("RB");
        assertThat(Files.readString(index)).startsWith(indexBefore).doesNotContain("\"stale\"");
        assertThat(cps.resolve("cp-1-1")).doesNotExist();
        assertThat(cps.resolve("rb-pre-20261124-140000/state/checkpoints/index.jsonl")).exists();
    }

    @Test
    void an_upstream_manual_checkpoint_restores_its_session_file() throws Exception {
        Files.writeString(repo.path(".loki/session.json"), "{\"status\": \"later\"}");
        Loki.Result r = Loki.run(repo, "checkpoint", "rollback", "cp-20261124-120000");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(repo.path(".loki/session.json")).content().contains("manual");
        assertThat(r.out()).contains("has no code snapshot");
    }
}
