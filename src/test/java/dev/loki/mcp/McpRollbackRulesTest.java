package dev.loki.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.checkpoint.Checkpoint;
import dev.loki.checkpoint.CheckpointRequest;
import dev.loki.checkpoint.CheckpointService;
import dev.loki.dashboard.auth.Scope;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import dev.loki.store.SessionLock;
import dev.loki.testing.TestRepo;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rollback rules through the tool dispatcher: live run, force and its scope, audit. */
class McpRollbackRulesTest {
    @TempDir
    Path base;

    private static McpSchema.CallToolResult call(McpContext ctx, Caller who, String tool, Map<String, Object> args) {
        LokiMcpServer server = new LokiMcpServer(ctx, ex -> Optional.of(who));
        ToolSpec t = server.tools().stream().filter(x -> x.name().equals(tool)).findFirst().orElseThrow();
        return server.call(t, null, new McpSchema.CallToolRequest(tool, args));
    }

    private static String text(McpSchema.CallToolResult r) {
        return ((McpSchema.TextContent) r.content().get(0)).text();
    }

    @Test
    void a_restore_during_a_live_run_is_refused_unless_forced_and_force_needs_admin() throws Exception {
        TestRepo repo = TestRepo.create(base);
        LokiDir loki = new LokiDir(repo.path(".loki"), repo.dir());
        Checkpoint cp = CheckpointService.open(loki, repo.env()).create(CheckpointRequest.manual("base"));
        repo.write("README.md", "changed\n");
        Caller control = new Caller("ctl", "token", Scope.CONTROL, "127.0.0.1");
        Caller admin = new Caller("adm", "token", Scope.ADMIN, "127.0.0.1");
        try (McpContext ctx = new McpContext(loki, repo.env());
                SessionLock lock = SessionLock.tryAcquire(loki).orElseThrow()) {
            McpSchema.CallToolResult refused = call(ctx, control, "loki_checkpoint_restore",
                    Map.of("checkpoint_id", cp.id(), "confirm", true));
            assertThat(refused.isError()).isTrue();
            assertThat(text(refused)).contains("is active in this project").contains("force: true")
                    .doesNotContain("\n");
            assertThat(repo.read("README.md")).isEqualTo("changed\n");

            McpSchema.CallToolResult notAdmin = call(ctx, control, "loki_checkpoint_restore",
                    Map.of("checkpoint_id", cp.id(), "confirm", true, "force", true));
            assertThat(text(notAdmin)).isEqualTo("'force' needs a token with the admin scope.");
            assertThat(repo.read("README.md")).isEqualTo("changed\n");

            McpSchema.CallToolResult forced = call(ctx, admin, "loki_checkpoint_restore",
                    Map.of("checkpoint_id", cp.id(), "confirm", true, "force", true));
            assertThat(forced.isError()).as(text(forced)).isFalse();
            assertThat(repo.read("README.md")).isEqualTo("# test\n");
        }
        List<String> audit;
        try (var files = Files.list(repo.path(".loki/audit"))) {
            audit = Files.readAllLines(files.filter(f -> f.toString().endsWith(".jsonl")).findFirst().orElseThrow());
        }
        assertThat(audit).hasSize(3);
        assertThat(audit.get(0)).contains("\"actor\":\"ctl\"", "\"status\":409", "\"resource\":\"" + cp.id() + "\"");
        assertThat(audit.get(1)).contains("\"actor\":\"ctl\"", "\"status\":403");
        assertThat(audit.get(2)).contains("\"actor\":\"adm\"", "\"status\":200", "\"success\":true");
    }

    @Test
    void a_dry_run_restore_is_audited_as_a_dry_run_and_a_real_one_names_its_pre_rollback_checkpoint() throws Exception {
        TestRepo repo = TestRepo.create(base);
        LokiDir loki = new LokiDir(repo.path(".loki"), repo.dir());
        Checkpoint cp = CheckpointService.open(loki, repo.env()).create(CheckpointRequest.manual("base"));
        repo.write("README.md", "changed\n");
        try (McpContext ctx = new McpContext(loki, repo.env())) {
            McpSchema.CallToolResult dry = call(ctx, Caller.STDIO, "loki_checkpoint_restore",
                    Map.of("checkpoint_id", cp.id()));
            assertThat(dry.isError()).as(text(dry)).isFalse();
            assertThat(repo.read("README.md")).isEqualTo("changed\n");
            McpSchema.CallToolResult real = call(ctx, Caller.STDIO, "loki_checkpoint_restore",
                    Map.of("checkpoint_id", cp.id(), "confirm", true));
            assertThat(real.isError()).as(text(real)).isFalse();
            assertThat(repo.read("README.md")).isEqualTo("# test\n");
        }
        List<String> audit;
        try (var files = Files.list(repo.path(".loki/audit"))) {
            audit = Files.readAllLines(files.filter(f -> f.toString().endsWith(".jsonl")).findFirst().orElseThrow());
        }
        assertThat(audit).hasSize(2);
        assertThat(Json.parse(audit.get(0)).path("detail").asText()).isEqualTo("dry_run");
        String preRollback = CheckpointService.open(loki, repo.env()).list().stream().map(Checkpoint::id)
                .filter(id -> !id.equals(cp.id())).findFirst().orElseThrow();
        assertThat(Json.parse(audit.get(1)).path("detail").asText()).isEqualTo("pre_rollback_id=" + preRollback);
    }

    @Test
    void a_read_caller_cannot_change_state_and_an_unauthenticated_one_gets_nothing() {
        TestRepo repo = TestRepo.create(base);
        LokiDir loki = new LokiDir(repo.path(".loki"), repo.dir());
        try (McpContext ctx = new McpContext(loki, repo.env())) {
            Caller reader = new Caller("ro", "token", Scope.READ, "127.0.0.1");
            McpSchema.CallToolResult r = call(ctx, reader, "loki_stop", Map.of());
            assertThat(r.isError()).isTrue();
            assertThat(text(r)).isEqualTo("loki_stop needs the 'control' scope; this token has 'read'.");
            assertThat(Files.exists(repo.path(".loki/STOP"))).isFalse();
            LokiMcpServer none = new LokiMcpServer(ctx, ex -> Optional.empty());
            ToolSpec status = none.tools().get(0);
            assertThat(none.call(status, null, new McpSchema.CallToolRequest(status.name(), Map.of())).isError()).isTrue();
        }
    }
}
