package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.dashboard.auth.Scope;
import dev.loki.store.SessionLock;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints and rollback over HTTP: the same code path as the CLI, undoable, refused under a live run. */
class RollbackApiTest {
    @TempDir
    Path tmp;

    @Test
    void rollback_via_api_restores_code_and_state_and_is_undone_via_api() throws Exception {
        try (ServerFixture f = ServerFixture.start(tmp)) {
            Api control = f.as(Scope.CONTROL);
            f.repo.write("app.txt", "version 1\n").write("notes/untracked.md", "draft 1\n");
            Files.writeString(f.loki.resolve("CONTINUITY.md"), "state at v1\n");

            Api.Answer created = control.post("/api/checkpoints", "{\"message\":\"before the agent\"}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String id = created.json().path("id").asText();
            assertThat(created.json().path("snapshot_status").asText()).isEqualTo("captured");
            assertThat(created.json().path("message").asText()).isEqualTo("before the agent");

            f.repo.write("app.txt", "version 2 (agent)\n").delete("notes/untracked.md").write("junk.tmp", "new\n");
            Files.writeString(f.loki.resolve("CONTINUITY.md"), "state at v2\n");

            Api.Answer rb = control.post("/api/checkpoints/" + id + "/rollback", "{\"state_only\":false}");
            assertThat(rb.status()).as(rb.toString()).isEqualTo(200);
            JsonNode r = rb.json();
            assertThat(r.path("success").asBoolean()).isTrue();
            assertThat(r.path("checkpoint_id").asText()).isEqualTo(id);
            assertThat(r.path("restored_code").asBoolean()).isTrue();
            assertThat(r.path("files_changed").asInt()).isEqualTo(1);
            assertThat(r.path("files_added").asInt()).isEqualTo(1);
            assertThat(r.path("files_removed").asInt()).isEqualTo(1);
            String pre = r.path("pre_rollback_snapshot").asText();
            assertThat(pre).startsWith("rb-pre-");
            assertThat(f.repo.read("app.txt")).isEqualTo("version 1\n");
            assertThat(f.repo.read("notes/untracked.md")).isEqualTo("draft 1\n");
            assertThat(f.repo.exists("junk.tmp")).isFalse();
            assertThat(Files.readString(f.loki.resolve("CONTINUITY.md"))).isEqualTo("state at v1\n");

            Api.Answer undo = control.post("/api/checkpoints/" + pre + "/rollback", null);
            assertThat(undo.status()).as(undo.toString()).isEqualTo(200);
            assertThat(f.repo.read("app.txt")).isEqualTo("version 2 (agent)\n");
            assertThat(f.repo.exists("notes/untracked.md")).isFalse();
            assertThat(f.repo.read("junk.tmp")).isEqualTo("new\n");
            assertThat(Files.readString(f.loki.resolve("CONTINUITY.md"))).isEqualTo("state at v2\n");

            JsonNode list = f.as(Scope.READ).get("/api/checkpoints?limit=50").json();
            assertThat(list.path("total").asInt()).isGreaterThanOrEqualTo(3);
            assertThat(list.path("items").get(0).path("kind").asText()).as("newest first").isEqualTo("pre-rollback");
            JsonNode one = f.as(Scope.READ).get("/api/checkpoints/" + id).json();
            assertThat(one.path("id").asText()).isEqualTo(id);
            assertThat(one.path("state_files").isArray()).isTrue();
        }
    }

    @Test
    void rollback_answers_409_while_a_live_run_holds_the_session_and_force_needs_admin() throws Exception {
        try (ServerFixture f = ServerFixture.start(tmp)) {
            f.repo.write("app.txt", "v1\n");
            String id = f.as(Scope.CONTROL).post("/api/checkpoints", null).json().path("id").asText();
            f.repo.write("app.txt", "v2\n");
            try (SessionLock lock = SessionLock.tryAcquire(f.loki).orElseThrow()) {
                Api.Answer busy = f.as(Scope.CONTROL).post("/api/checkpoints/" + id + "/rollback", "{}");
                assertThat(busy.status()).isEqualTo(409);
                assertThat(busy.json().path("error").asText()).isEqualTo("conflict");
                assertThat(busy.json().path("message").asText()).contains("active");
                assertThat(f.repo.read("app.txt")).isEqualTo("v2\n");

                Api.Answer forcedByControl = f.as(Scope.CONTROL).post("/api/checkpoints/" + id + "/rollback",
                        "{\"force\":true}");
                assertThat(forcedByControl.status()).isEqualTo(403);
                assertThat(f.repo.read("app.txt")).isEqualTo("v2\n");

                JsonNode status = f.as(Scope.READ).get("/api/status").json();
                assertThat(status.path("status").asText()).isEqualTo("running");
                assertThat(status.path("session_active").asBoolean()).isTrue();

                Api.Answer forced = f.as(Scope.ADMIN).post("/api/checkpoints/" + id + "/rollback", "{\"force\":true}");
                assertThat(forced.status()).as(forced.toString()).isEqualTo(200);
                assertThat(f.repo.read("app.txt")).isEqualTo("v1\n");
            }
        }
    }

    @Test
    void rollback_of_an_unknown_or_malformed_id_changes_nothing() {
        try (ServerFixture f = ServerFixture.start(tmp)) {
            f.repo.write("app.txt", "v1\n");
            Api control = f.as(Scope.CONTROL);
            assertThat(control.post("/api/checkpoints/chk-nope/rollback", null).status()).isEqualTo(404);
            assertThat(control.post("/api/checkpoints/a.b/rollback", null).status()).isEqualTo(400);
            assertThat(control.get("/api/checkpoints/chk-nope").status()).isEqualTo(404);
            assertThat(f.repo.read("app.txt")).isEqualTo("v1\n");
            assertThat(Files.exists(f.loki.checkpointsDir())).as("no pre-rollback checkpoint was taken").isFalse();
        }
    }
}
