package dev.loki.work;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.dashboard.Api;
import dev.loki.dashboard.ServerFixture;
import dev.loki.dashboard.auth.Scope;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's runs view: {@code GET /api/runs} lists the repository's worktree runs, behind the read scope. */
class RunsRouteTest {
    @TempDir
    Path base;

    @Test
    void api_runs_lists_the_worktrees_to_a_reader_only() throws Exception {
        try (ServerFixture s = ServerFixture.start(base)) {
            Worktrees.of(s.repo.dir(), s.repo.env()).open("add-sub", Optional.empty(), "add sub");

            Api.Answer r = s.as(Scope.READ).get("/api/runs");

            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            JsonNode run = r.json().path("runs").get(0);
            assertThat(run.path("run").asText()).isEqualTo("add-sub");
            assertThat(run.path("branch").asText()).isEqualTo("loki/add-sub");
            assertThat(run.path("status").asText()).isEqualTo("new");
            assertThat(run.path("disk_bytes").asLong()).isPositive();
            assertThat(s.anonymous().get("/api/runs").status()).isEqualTo(401);
        }
    }
}
