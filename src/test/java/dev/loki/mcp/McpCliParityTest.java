package dev.loki.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.checkpoint.CheckpointRequest;
import dev.loki.checkpoint.CheckpointService;
import dev.loki.proof.ProofStore;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An MCP answer the docs equate with a CLI's JSON has the CLI's fields, built by the same code. */
class McpCliParityTest {
    @TempDir
    Path base;

    private static JsonNode call(McpContext ctx, String tool, Map<String, Object> args) {
        LokiMcpServer server = new LokiMcpServer(ctx, ex -> Optional.of(Caller.STDIO));
        ToolSpec t = server.tools().stream().filter(x -> x.name().equals(tool)).findFirst().orElseThrow();
        McpSchema.CallToolResult r = server.call(t, null, new McpSchema.CallToolRequest(tool, args));
        assertThat(r.isError()).as(r.toString()).isFalse();
        return Json.MAPPER.valueToTree(r.structuredContent());
    }

    private static List<String> keys(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void project_status_has_the_fields_of_loki_status_json() {
        TestRepo repo = TestRepo.create(base);
        LokiDir loki = new LokiDir(repo.path(".loki"), repo.dir());
        CheckpointService.open(loki, repo.env()).create(CheckpointRequest.manual("base"));
        Loki.Result cli = Loki.run(repo, "status", "--json");
        assertThat(cli.exit()).as(cli.toString()).isZero();
        try (McpContext ctx = new McpContext(loki, repo.env())) {
            JsonNode mcp = call(ctx, "loki_project_status", Map.of());
            assertThat(keys(mcp)).containsExactlyInAnyOrderElementsOf(keys(cli.json()));
            assertThat(mcp.has("rollback_in_progress")).isTrue();
        }
    }

    @Test
    void checkpoint_list_items_are_what_rollback_list_json_prints() {
        TestRepo repo = TestRepo.create(base);
        LokiDir loki = new LokiDir(repo.path(".loki"), repo.dir());
        CheckpointService svc = CheckpointService.open(loki, repo.env());
        svc.create(CheckpointRequest.manual("first"));
        repo.write("a.txt", "a\n");
        svc.create(CheckpointRequest.manual("second"));
        Loki.Result cli = Loki.run(repo, "rollback", "list", "--json");
        assertThat(cli.exit()).as(cli.toString()).isZero();
        try (McpContext ctx = new McpContext(loki, repo.env())) {
            JsonNode items = call(ctx, "loki_checkpoint_list", Map.of()).path("checkpoints");
            assertThat(items.size()).isEqualTo(2);
            // MCP lists newest first, the CLI oldest first
            assertThat(items.get(0)).isEqualTo(cli.json().get(1));
            assertThat(items.get(1)).isEqualTo(cli.json().get(0));
            assertThat(items.get(0).path("snapshot").path("status").asText()).isNotEmpty();
        }
    }
    /** A pinned checkpoint carries the CLI's {@code pinned}; the kept paths of a dry run are the CLI's. */
    @Test
    void a_pinned_checkpoint_and_the_kept_paths_of_a_rollback_are_what_the_cli_prints() {
        TestRepo repo = TestRepo.create(base);
        repo.write(".gitignore", "*.log\n").write("secret.log", "mine\n").commitAll("base");
        LokiDir loki = new LokiDir(repo.path(".loki"), repo.dir());
        CheckpointService svc = CheckpointService.open(loki, repo.env());
        String first = svc.create(CheckpointRequest.manual("first")).id();
        repo.write("a.txt", "a\n");
        Loki.Result rb = Loki.run(repo, "rollback", "to", first, "--json");
        assertThat(rb.exit()).as(rb.toString()).isZero();
        repo.write(".gitignore", "");
        Loki.Result list = Loki.run(repo, "rollback", "list", "--json");
        Loki.Result diff = Loki.run(repo, "rollback", "diff", first, "--json");
        assertThat(diff.exit()).as(diff.toString()).isZero();
        try (McpContext ctx = new McpContext(loki, repo.env())) {
            JsonNode items = call(ctx, "loki_checkpoint_list", Map.of()).path("checkpoints");
            assertThat(items.get(0).path("pinned").asText()).isEqualTo("undo of the last rollback");
            assertThat(items.get(0)).isEqualTo(list.json().get(1));
            JsonNode mcpDiff = call(ctx, "loki_checkpoint_diff", Map.of("checkpoint_id", first));
            assertThat(mcpDiff.path("kept")).hasSize(1).isEqualTo(diff.json().path("kept"));
            assertThat(mcpDiff.path("kept").get(0).path("path").asText()).isEqualTo("secret.log");
            assertThat(mcpDiff.path("protected_paths")).isEqualTo(diff.json().path("protected"));
            JsonNode done = call(ctx, "loki_checkpoint_restore", Map.of("checkpoint_id", first, "confirm", true));
            assertThat(done.path("kept").get(0).path("reason_then").asText()).isEqualTo("ignored by its .gitignore");
            assertThat(repo.read("secret.log")).isEqualTo("mine\n");
        }
    }

    @Test
    void proof_list_items_have_what_proof_list_json_prints() throws Exception {
        TestRepo repo = TestRepo.create(base);
        LokiDir loki = new LokiDir(repo.path(".loki"), repo.dir()).ensureExists();
        ProofStore store = new ProofStore(loki);
        java.nio.file.Files.createDirectories(store.root().resolve("run-1"));
        java.nio.file.Files.writeString(store.root().resolve("run-1/proof.json"), "{\"generated_at\":\"2026-12-01T00:00:00Z\","
                + "\"run\":{\"status\":\"completed\"},\"council\":{\"final_verdict\":\"APPROVE\"},"
                + "\"cost\":{\"usd\":0.25},\"files_changed\":{\"count\":3}}\n");
        java.nio.file.Files.writeString(store.root().resolve("run-1/index.html"), "<html></html>\n");
        Loki.Result cli = Loki.run(repo, "proof", "list", "--json");
        assertThat(cli.exit()).as(cli.toString()).isZero();
        try (McpContext ctx = new McpContext(loki, repo.env())) {
            JsonNode item = call(ctx, "loki_proof_list", Map.of()).path("proofs").get(0);
            JsonNode expected = cli.json().get(0);
            for (String k : keys(expected)) {
                assertThat(item.get(k)).as(k).isEqualTo(expected.get(k));
            }
            assertThat(item.path("final_verdict").asText()).isEqualTo("APPROVE");
            assertThat(item.path("has_html").asBoolean()).isTrue();
            assertThat(item.path("resource").asText()).isEqualTo("loki://proofs/run-1");
        }
    }
}
