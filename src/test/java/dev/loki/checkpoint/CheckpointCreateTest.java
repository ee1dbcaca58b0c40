package dev.loki.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a checkpoint records on disk, in upstream's formats plus ours. */
class CheckpointCreateTest {
    @TempDir
    Path tmp;

    private static List<String> keys(JsonNode n) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
            out.add(it.next());
        }
        return out;
    }

    /**
     * One service (the loop's) checkpoints the same repository again and again, starting each
     * snapshot where the repository was last time while git says where it is now: what the record
     * says (HEAD, the parentless note) is still what git says now.
     */
    @Test
    void a_service_s_later_checkpoints_record_the_repository_as_it_is_now() {
        TestRepo repo = TestRepo.createEmpty(tmp);
        repo.write("first.txt", "hello\n");
        CheckpointService svc = CheckpointService.open(
                dev.loki.store.LokiDir.locate(java.util.Optional.empty(), repo.env(), repo.dir()), repo.env());
        Checkpoint first = svc.create(CheckpointRequest.manual("no commit yet"));
        assertThat(first.metadata().path("git_sha").asText()).isEqualTo("no-commit");
        assertThat(first.metadata().path("snapshot").path("note").asText()).contains("parentless");

        repo.commitAll("first");
        repo.write("first.txt", "changed\n");
        Checkpoint second = svc.create(CheckpointRequest.manual("after the first commit"));
        assertThat(second.metadata().path("git_sha").asText()).isEqualTo(repo.head());
        assertThat(second.metadata().path("snapshot").path("status").asText()).isEqualTo("captured");
        assertThat(second.metadata().path("snapshot").has("note")).as("not parentless any more").isFalse();
        assertThat(svc.rollback(first.id(), RollbackOptions.defaults()).codeRestored()).isTrue();
        assertThat(repo.read("first.txt")).isEqualTo("hello\n");
    }

    @Test
    void metadata_keeps_upstreams_nine_keys_first_and_index_lines_keep_upstreams_keys() throws Exception {
        TestRepo repo = TestRepo.create(tmp);
        Path loki = Files.createDirectories(repo.path(".loki/state"));
        Files.writeString(loki.resolve("orchestrator.json"), "{\"currentPhase\":\"DEVELOPMENT\"}");
        Loki.Result r = Loki.run(repo, "checkpoint", "create", "say \"hi\" \\ there", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        String id = r.json().path("id").asText();
        assertThat(id).matches("cp-\\d{8}-\\d{6}");

        JsonNode m = Json.parse(Files.readString(repo.path(".loki/state/checkpoints/" + id + "/metadata.json")));
        assertThat(keys(m).subList(0, 9)).containsExactly("id", "timestamp", "iteration", "task_id",
                "task_description", "git_sha", "git_branch", "provider", "phase");
        assertThat(m.path("iteration").isInt()).isTrue();
        assertThat(m.path("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(m.path("git_sha").asText()).isEqualTo(repo.head());
        assertThat(m.path("git_branch").asText()).isEqualTo("main");
        assertThat(m.path("phase").asText()).isEqualTo("DEVELOPMENT");
        assertThat(m.path("message").asText()).as("stored once, not double-escaped").isEqualTo("say \"hi\" \\ there");
        assertThat(m.path("kind").asText()).isEqualTo("manual");

        String sidecar = Files.readString(repo.path(".loki/state/checkpoints/" + id + "/worktree-snapshot.txt"));
        assertThat(sidecar.strip()).isEqualTo(m.path("snapshot").path("commit").asText()).hasSize(40);

        List<String> lines = Files.readAllLines(repo.path(".loki/state/checkpoints/index.jsonl"));
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("{\"id\": \"" + id + "\", \"ts\": ");
        assertThat(keys(Json.parse(lines.get(0)))).startsWith("id", "ts", "iter", "task", "sha");
    }

    @Test
    void the_state_copy_excludes_the_store_logs_proofs_and_events() throws Exception {
        TestRepo repo = TestRepo.create(tmp);
        Path loki = repo.path(".loki");
        for (String f : List.of("session.json", "dashboard-state.json", "autonomy-state.json", "queue/pending.json",
                "queue/completed.json", "council/state.json", "council/votes/round-1.json", "logs/run.log",
                "proofs/p1/proof.json", "events.jsonl", "CONTINUITY.md", "memory/notes.json")) {
            Files.createDirectories(loki.resolve(f).getParent());
            Files.writeString(loki.resolve(f), "{}");
        }
        Loki.run(repo, "checkpoint", "create", "first");
        Loki.Result r = Loki.run(repo, "checkpoint", "create", "second", "--json");
        JsonNode state = r.json().path("state_files");
        assertThat(state.toString()).contains("session.json", "dashboard-state.json", "autonomy-state.json",
                "queue/pending.json", "queue/completed.json", "council/state.json", "council/votes/round-1.json",
                "CONTINUITY.md");
        assertThat(state.toString()).doesNotContain("logs/", "proofs/", "events.jsonl", "checkpoints", "memory/");
        Path dir = repo.path(".loki/state/checkpoints/" + r.json().path("id").asText());
        assertThat(dir.resolve("state/checkpoints")).doesNotExist();
        assertThat(dir.resolve("queue/pending.json")).exists();
    }

    @Test
    void ids_are_unique_within_one_second() throws Exception {
        TestRepo repo = TestRepo.create(tmp);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(Loki.checkpoint(repo, "n" + i));
        }
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(Files.readAllLines(repo.path(".loki/state/checkpoints/index.jsonl"))).hasSize(4);
        assertThat(Loki.run(repo, "checkpoint", "list", "--json").json().size()).isEqualTo(4);
    }

    @Test
    void outside_git_a_checkpoint_holds_state_only_and_says_why() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("plain"));
        Files.createDirectories(dir.resolve(".loki"));
        Files.writeString(dir.resolve(".loki/CONTINUITY.md"), "ctx\n");
        Map<String, String> env = TestRepo.isolatedEnv(tmp);
        Loki.Result r = Loki.run(dir, env, "checkpoint", "create", "no git", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.json().path("git_sha").asText()).isEqualTo("no-git");
        assertThat(r.json().path("snapshot").path("status").asText()).isEqualTo("none");
        assertThat(r.json().path("snapshot").path("reason").asText()).contains("not a git repository");

        Files.writeString(dir.resolve(".loki/CONTINUITY.md"), "changed\n");
        Loki.Result back = Loki.run(dir, env, "rollback", "to", r.json().path("id").asText());
        assertThat(back.exit()).as(back.toString()).isZero();
        assertThat(back.out()).contains("Not a git repository");
        assertThat(dir.resolve(".loki/CONTINUITY.md")).hasContent("ctx");
    }

    @Test
    void files_over_the_size_limit_are_left_out_with_a_warning_and_never_deleted_by_rollback() throws Exception {
        TestRepo repo = TestRepo.create(tmp);
        Map<String, String> env = repo.env();
        env.put("LOKI_CHECKPOINT_MAX_FILE_MB", "1");
        String id = Loki.run(repo.dir(), env, "checkpoint", "create", "before", "--json").json().path("id").asText();
        repo.writeBytes("data/huge.bin", new byte[2 * 1024 * 1024]);
        repo.write("small.txt", "s\n");

        Loki.Result second = Loki.run(repo.dir(), env, "checkpoint", "create", "with huge");
        assertThat(second.exit()).isZero();
        assertThat(second.err()).contains("Warning: left data/huge.bin out of the code snapshot", "larger than 1 MiB");

        Loki.Result back = Loki.run(repo.dir(), env, "rollback", "to", id);
        assertThat(back.exit()).as(back.toString()).isZero();
        assertThat(repo.exists("small.txt")).isFalse();
        assertThat(Files.size(repo.path("data/huge.bin"))).as("a file no snapshot holds is never deleted")
                .isEqualTo(2 * 1024 * 1024);
        assertThat(back.out()).contains("kept    data/huge.bin");
    }

    @Test
    void a_snapshot_over_its_time_budget_records_a_state_only_checkpoint_with_the_reason() {
        TestRepo repo = TestRepo.create(tmp);
        Map<String, String> env = FakeGit.stalling(tmp, repo.env(), "ls-files");
        env.put("LOKI_CHECKPOINT_TIMEOUT", "1");
        repo.write("new.txt", "forces a listing\n");
        Loki.Result r = Loki.run(repo.dir(), env, "checkpoint", "create", "slow", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.json().path("snapshot").path("status").asText()).isEqualTo("timeout");
        assertThat(r.json().path("snapshot").path("reason").asText()).contains("longer than 1s");

        Loki.Result ok = Loki.run(repo, "checkpoint", "create", "after", "--json");
        assertThat(ok.json().path("snapshot").path("status").asText()).as("the store recovers").isEqualTo("captured");
    }

    @Test
    void bad_settings_are_usage_errors() {
        TestRepo repo = TestRepo.create(tmp);
        Map<String, String> env = repo.env();
        env.put("LOKI_CHECKPOINT_RETENTION", "lots");
        Loki.Result r = Loki.run(repo.dir(), env, "checkpoint", "create");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("LOKI_CHECKPOINT_RETENTION='lots'");
    }
}
