package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.LokiException;
import dev.loki.checkpoint.Checkpoint;
import dev.loki.checkpoint.CheckpointDiff;
import dev.loki.checkpoint.CheckpointRequest;
import dev.loki.checkpoint.CheckpointService;
import dev.loki.dashboard.auth.Scope;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rollback plan (dry run) and iteration changes, file by file, from Java and over the API. */
class CheckpointDiffTest {
    @TempDir
    Path tmp;

    @Test
    void the_plan_lists_what_a_rollback_would_do_and_changes_nothing() throws Exception {
        try (ServerFixture f = ServerFixture.start(tmp)) {
            f.repo.write("src/app.txt", "version 1\n");
            CheckpointService cs = CheckpointService.open(f.loki, f.repo.env());
            Checkpoint first = cs.create(CheckpointRequest.iteration(1, "t1", "one", "claude"));
            f.repo.write("src/app.txt", "version 2\n");
            f.repo.write("notes/plan.md", "plan A\n");
            Checkpoint second = cs.create(CheckpointRequest.iteration(2, "t2", "two", "claude"));
            f.repo.write("src/app.txt", "version 3 api_key=sk-ant-api03-" + "A".repeat(40) + "\n");
            f.repo.delete("notes/plan.md");
            f.repo.write("src/extra.txt", "extra\n");

            CheckpointDiff d = new CheckpointDiff(cs);
            CheckpointDiff.RollbackPlan plan = d.rollbackPlan(second.id());
            assertThat(plan.changedBack()).extracting(CheckpointDiff.FileChange::path).containsExactly("src/app.txt");
            assertThat(plan.broughtBack()).extracting(CheckpointDiff.FileChange::path).containsExactly("notes/plan.md");
            assertThat(plan.removed()).extracting(CheckpointDiff.FileChange::path).containsExactly("src/extra.txt");
            assertThat(f.repo.read("src/app.txt")).startsWith("version 3");
            assertThat(f.repo.exists("src/extra.txt")).isTrue();

            CheckpointDiff.FileDiff app = d.rollbackFileDiff(second.id(), "src/app.txt");
            assertThat(app.diff()).contains("-version 3").contains("+version 2\n").contains("@@");
            assertThat(d.rollbackFileDiff(second.id(), "notes/plan.md").diff()).contains("+plan A");
            assertThat(d.rollbackFileDiff(second.id(), "src/extra.txt").diff()).contains("-extra");
            assertThatThrownBy(() -> d.rollbackFileDiff(second.id(), "../../etc/passwd"))
                    .isInstanceOf(LokiException.class).hasMessageContaining("does not change");

            CheckpointDiff.IterationChanges ch = d.iterationChanges(second.id());
            assertThat(ch.previousId()).contains(first.id());
            assertThat(ch.files()).extracting(c -> c.iterationEffect() + " " + c.path())
                    .containsExactlyInAnyOrder("modified src/app.txt", "added notes/plan.md");
            assertThat(d.iterationFileDiff(second.id(), "src/app.txt").diff()).contains("-version 1")
                    .contains("+version 2");

            // the same over HTTP: the plan needs control scope, the diff is redacted
            Api control = f.as(Scope.CONTROL);
            JsonNode p = control.get("/api/checkpoints/" + second.id() + "/rollback-plan").json();
            assertThat(p.path("changed_back").get(0).path("path").asText()).isEqualTo("src/app.txt");
            assertThat(p.path("removed").get(0).path("effect").asText()).isEqualTo("removed");
            assertThat(f.as(Scope.READ).get("/api/checkpoints/" + second.id() + "/rollback-plan").status())
                    .isEqualTo(403);
            JsonNode diff = control.get("/api/checkpoints/" + second.id() + "/rollback-plan/diff?path="
                    + URLEncoder.encode("src/app.txt", StandardCharsets.UTF_8)).json();
            assertThat(diff.path("diff").asText()).contains("+version 2").doesNotContain("AAAAAAAAAAAAAAAAAAAA");
            Api.Answer bad = control.get("/api/checkpoints/" + second.id() + "/rollback-plan/diff?path=README.md");
            assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
            JsonNode changes = f.as(Scope.READ).get("/api/checkpoints/" + second.id() + "/changes").json();
            assertThat(changes.path("previous_id").asText()).isEqualTo(first.id());
            assertThat(changes.path("files").size()).isEqualTo(2);
            JsonNode cd = f.as(Scope.READ).get("/api/checkpoints/" + second.id() + "/changes/diff?path=src%2Fapp.txt")
                    .json();
            assertThat(cd.path("diff").asText()).contains("+version 2");
            JsonNode firstChanges = f.as(Scope.READ).get("/api/checkpoints/" + first.id() + "/changes").json();
            assertThat(firstChanges.path("previous_id").isNull()).isTrue();
            assertThat(firstChanges.path("note").asText()).contains("no earlier checkpoint");
        }
    }

    /**
     * A file the checkpoint holds that has grown over the size cap is left as it is: the plan
     * says it differs and why, in the CLI's words, not "no snapshot could hold it" (the
     * checkpoint did hold it).
     */
    @Test
    void the_plan_says_why_each_kept_path_is_left_as_it_is() throws Exception {
        try (ServerFixture f = ServerFixture.start(tmp, java.util.Map.of("LOKI_CHECKPOINT_MAX_FILE_MB", "1"))) {
            f.repo.write("grow.bin", "small\n");
            CheckpointService cs = CheckpointService.open(f.loki, f.repo.env());
            Checkpoint cp = cs.create(CheckpointRequest.iteration(1, "t1", "one", "claude"));
            java.nio.file.Files.write(f.repo.path("grow.bin"), new byte[3_000_000]);

            JsonNode p = f.as(Scope.CONTROL).get("/api/checkpoints/" + cp.id() + "/rollback-plan").json();
            assertThat(p.path("kept")).hasSize(1);
            assertThat(p.path("kept").get(0).path("path").asText()).isEqualTo("grow.bin");
            assertThat(p.path("kept").get(0).path("message").asText())
                    .startsWith("differs from the checkpoint but is over the size cap now")
                    .contains("2.9 MiB, 3000000 bytes").endsWith("so it would be left as is");
            assertThat(f.repo.path("grow.bin")).hasSize(3_000_000);
        }
    }
}
