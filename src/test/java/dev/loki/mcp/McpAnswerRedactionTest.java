package dev.loki.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.dashboard.auth.Scope;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import dev.loki.testing.TestRepo;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tool's answer passes the same secret masks as the dashboard's pages: gate output an agent
 * filled with a provider key or the environment's secret values reaches a read-scoped MCP
 * client masked, as /api/quality serves it.
 */
class McpAnswerRedactionTest {
    private static final String PROVIDER_KEY = "sk-ant-api03-" + "Q".repeat(40);
    private static final String ENV_VALUE = "plain-Value-9f3k2m7q";

    @TempDir
    Path base;

    @Test
    void the_quality_report_masks_provider_keys_and_environment_secrets() throws Exception {
        TestRepo repo = TestRepo.create(base);
        LokiDir loki = new LokiDir(repo.path(".loki"), repo.dir()).ensureExists();
        Map<String, String> env = repo.env();
        env.put("DB_PASSWORD", ENV_VALUE);
        String detail = "test printed " + PROVIDER_KEY + " and " + ENV_VALUE;
        Files.createDirectories(loki.resolve("quality"));
        Files.writeString(loki.resolve("quality/latest.json"), "{\"output\":" + Json.MAPPER.writeValueAsString(detail)
                + "}\n");
        Files.writeString(loki.resolve("quality/gate-failures.txt"), detail + "\n");
        try (McpContext ctx = new McpContext(loki, env)) {
            LokiMcpServer server = new LokiMcpServer(ctx,
                    ex -> Optional.of(new Caller("ro", "token", Scope.READ, "127.0.0.1")));
            ToolSpec t = server.tools().stream().filter(x -> x.name().equals("loki_quality_report")).findFirst()
                    .orElseThrow();
            McpSchema.CallToolResult r = server.call(t, null, new McpSchema.CallToolRequest(t.name(), Map.of()));
            assertThat(r.isError()).isFalse();
            String text = ((McpSchema.TextContent) r.content().get(0)).text();
            String structured = Json.compact(Json.MAPPER.valueToTree(r.structuredContent()));
            for (String answer : new String[] {text, structured}) {
                assertThat(answer).contains("test printed").doesNotContain(PROVIDER_KEY).doesNotContain(ENV_VALUE);
            }
        }
    }
}
