package dev.loki.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import dev.loki.testing.TestRepo;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A path an MCP caller passes must name a file inside the project, symbolic links resolved. */
class McpPathRulesTest {
    @TempDir
    Path base;

    private static McpSchema.CallToolResult call(McpContext ctx, String tool, Map<String, Object> args) {
        LokiMcpServer server = new LokiMcpServer(ctx, ex -> Optional.of(Caller.STDIO));
        ToolSpec t = server.tools().stream().filter(x -> x.name().equals(tool)).findFirst().orElseThrow();
        return server.call(t, null, new McpSchema.CallToolRequest(tool, args));
    }

    private static String text(McpSchema.CallToolResult r) {
        return ((McpSchema.TextContent) r.content().get(0)).text();
    }

    @Test
    void a_spec_that_is_a_symbolic_link_leading_out_of_the_project_is_refused_before_any_run_starts()
            throws Exception {
        TestRepo repo = TestRepo.create(base);
        Path secret = Files.writeString(base.resolve("secret.txt"), "outside secret\n");
        Files.createSymbolicLink(repo.path("spec.md"), secret);
        Files.createDirectories(base.resolve("outdir"));
        Files.writeString(base.resolve("outdir/prd.md"), "outside\n");
        Files.createSymbolicLink(repo.path("docs"), base.resolve("outdir"));
        LokiDir loki = new LokiDir(repo.path(".loki"), repo.dir());
        try (McpContext ctx = new McpContext(loki, repo.env())) {
            for (String spec : List.of("spec.md", "docs/prd.md")) {
                McpSchema.CallToolResult r = call(ctx, "loki_start_project", Map.of("spec", spec, "provider", "command"));
                assertThat(r.isError()).as(spec).isTrue();
                assertThat(text(r)).isEqualTo("The spec must be inside the project, and " + spec
                        + " is a symbolic link (or passes through one) that leads out of it.");
            }
            McpSchema.CallToolResult up = call(ctx, "loki_start_project", Map.of("spec", "../secret.txt"));
            assertThat(text(up)).isEqualTo("The spec must be inside the project: ../secret.txt.");
        }
        assertThat(Files.exists(repo.path(".loki/logs/mcp-start.log"))).as("no run was started").isFalse();
        List<String> audit;
        try (var files = Files.list(repo.path(".loki/audit"))) {
            audit = Files.readAllLines(files.filter(f -> f.toString().endsWith(".jsonl")).findFirst().orElseThrow());
        }
        assertThat(audit).hasSize(3).allSatisfy(line -> assertThat(Json.parse(line).path("status").asInt()).isEqualTo(400));
    }

    @Test
    void a_symbolic_link_that_stays_inside_the_project_is_accepted_as_its_real_file() throws Exception {
        TestRepo repo = TestRepo.create(base);
        repo.write("specs/real.md", "# spec\n");
        Files.createSymbolicLink(repo.path("spec.md"), repo.path("specs/real.md"));
        assertThat(ProjectPath.existingFile(repo.dir(), "spec.md", "spec"))
                .isEqualTo(repo.path("specs/real.md").toRealPath());
    }
}
