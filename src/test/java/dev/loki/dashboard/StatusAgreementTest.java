package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.checkpoint.Checkpoint;
import dev.loki.checkpoint.CheckpointRequest;
import dev.loki.checkpoint.CheckpointService;
import dev.loki.dashboard.auth.Scope;
import dev.loki.store.SessionLock;
import dev.loki.testing.Loki;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 9 item 12: /api/status and `loki status` tell the same story, also after a rollback through the API. */
class StatusAgreementTest {
    @TempDir
    Path tmp;

    @Test
    void status_and_controls_agree_with_loki_status_before_and_after_a_rollback() throws Exception {
        try (ServerFixture f = ServerFixture.start(tmp)) {
            Path state = f.loki.resolve("autonomy-state.json");
            Files.writeString(state, "{\"retryCount\":0,\"iterationCount\":1,\"status\":\"running\"}");
            Checkpoint mid = CheckpointService.open(f.loki, f.repo.env())
                    .create(CheckpointRequest.iteration(1, "t1", "mid-run", "claude"));
            Files.writeString(state, "{\"retryCount\":0,\"iterationCount\":4,\"status\":\"completed\"}");

            assertAgree(f, "completed", 4);
            JsonNode c = f.as(Scope.READ).get("/api/status").json().path("controls");
            assertThat(c.path("stop").asBoolean()).as("stop on a finished run").isFalse();
            assertThat(c.path("pause").asBoolean()).isFalse();
            assertThat(c.path("resume").asBoolean()).isFalse();
            assertThat(c.path("rollback").asBoolean()).isTrue();

            try (SessionLock lock = SessionLock.tryAcquire(f.loki).orElseThrow()) {
                JsonNode live = f.as(Scope.READ).get("/api/status").json();
                assertThat(live.path("status").asText()).isEqualTo("running");
                assertThat(live.path("controls").path("stop").asBoolean()).isTrue();
                assertThat(live.path("controls").path("pause").asBoolean()).isTrue();
                assertThat(live.path("controls").path("rollback").asBoolean()).isFalse();
                assertThat(f.as(Scope.CONTROL).post("/api/checkpoints/" + mid.id() + "/rollback", "{}").status())
                        .as("the API refuses what the UI disables").isEqualTo(409);
            }

            Api.Answer r = f.as(Scope.CONTROL).post("/api/checkpoints/" + mid.id() + "/rollback", "{}");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            // the restored agent state says "running" with no run alive: loki status calls that crashed
            assertAgree(f, "crashed", 1);
            assertThat(f.as(Scope.READ).get("/api/status").json().path("controls").path("stop").asBoolean())
                    .isFalse();
        }
    }

    private static void assertAgree(ServerFixture f, String expected, int iteration) {
        JsonNode api = f.as(Scope.READ).get("/api/status").json();
        Loki.Result cli = Loki.run(f.repo, "status", "--json");
        assertThat(cli.exit()).as(cli.toString()).isZero();
        assertThat(api.path("status").asText()).isEqualTo(cli.json().path("status").asText()).isEqualTo(expected);
        assertThat(api.path("iteration").asInt()).isEqualTo(cli.json().path("iteration").asInt())
                .isEqualTo(iteration);
    }
}
