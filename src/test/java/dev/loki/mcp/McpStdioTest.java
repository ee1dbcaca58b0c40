package dev.loki.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.testing.Leftovers;
import dev.loki.testing.LokiProcess;
import dev.loki.testing.TestRepo;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code loki mcp} over stdio as a real child process fed by hand, lines a client should never send included. */
class McpStdioTest {
    @TempDir
    Path base;

    @RegisterExtension
    final Leftovers.Marker marker = new Leftovers.Marker();

    @Test
    void a_malformed_line_gets_a_json_rpc_error_and_the_server_keeps_serving_and_exits_at_the_end_of_stdin()
            throws Exception {
        TestRepo repo = TestRepo.create(base);
        Map<String, String> env = marker.mark(TestRepo.isolatedEnv(base));
        LokiProcess p = LokiProcess.start(repo.dir(), env, base.resolve("logs"), "mcp");
        try {
            OutputStream stdin = p.process.getOutputStream();
            send(stdin, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                    + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}",
                    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                    "{not json}",
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}",
                    "{\"hello\":1}",
                    "",
                    "[1,2]",
                    "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":\"x\"}",
                    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}");
            // our own error answers may overtake the SDK's: match answers by id, not by position
            List<JsonNode> answers = awaitAnswers(p, 7);
            assertThat(byId(answers, 0).path("result").path("serverInfo").path("name").asText()).isEqualTo("loki");
            assertThat(byId(answers, 1).has("result")).as(p.output()).isTrue();
            assertThat(byId(answers, 2).has("result")).as("still serving after four bad lines: " + p.output()).isTrue();
            assertThat(byId(answers, 7).path("error").path("code").asInt())
                    .as("the id of a bad request is answered when it has one").isEqualTo(-32600);
            assertThat(answers.stream().filter(a -> a.get("id").isNull()).map(a -> a.path("error").path("code").asInt()))
                    .containsExactlyInAnyOrder(-32700, -32600, -32600);

            stdin.close();
            assertThat(p.waitFor(Duration.ofSeconds(30))).isZero();
            assertThat(marker.carrying()).as("nothing outlives the end of stdin").isEmpty();
        } finally {
            p.kill();
        }
    }

    @Test
    void the_server_exits_at_the_end_of_stdin_right_after_a_malformed_line() throws Exception {
        TestRepo repo = TestRepo.create(base);
        Map<String, String> env = marker.mark(TestRepo.isolatedEnv(base));
        LokiProcess p = LokiProcess.start(repo.dir(), env, base.resolve("logs"), "mcp");
        try {
            OutputStream stdin = p.process.getOutputStream();
            send(stdin, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                    + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
            awaitAnswers(p, 1);
            send(stdin, "{not json");
            stdin.close();
            assertThat(p.waitFor(Duration.ofSeconds(30))).isZero();
            assertThat(awaitAnswers(p, 2).get(1).path("error").path("code").asInt()).isEqualTo(-32700);
            assertThat(marker.carrying()).isEmpty();
        } finally {
            p.kill();
        }
    }

    /**
     * A ping before the client's notifications/initialized (the MCP spec allows one at any time)
     * is answered at once; the SDK alone held it until the notification came. Found by a stranger.
     */
    @Test
    void a_ping_before_the_initialized_notification_is_answered() throws Exception {
        TestRepo repo = TestRepo.create(base);
        Map<String, String> env = marker.mark(TestRepo.isolatedEnv(base));
        LokiProcess p = LokiProcess.start(repo.dir(), env, base.resolve("logs"), "mcp");
        try {
            OutputStream stdin = p.process.getOutputStream();
            send(stdin, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                    + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}",
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
            List<JsonNode> answers = awaitAnswers(p, 2);
            assertThat(byId(answers, 1).path("result").isObject()).as(p.output()).isTrue();
            send(stdin, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
            assertThat(byId(awaitAnswers(p, 3), 2).path("result").path("tools").size()).isPositive();
            stdin.close();
            assertThat(p.waitFor(Duration.ofSeconds(30))).isZero();
            assertThat(marker.carrying()).isEmpty();
        } finally {
            p.kill();
        }
    }

    private static JsonNode byId(List<JsonNode> answers, int id) {
        return answers.stream().filter(a -> a.path("id").isInt() && a.path("id").asInt() == id).findFirst()
                .orElseThrow(() -> new AssertionError("no answer with id " + id + ": " + answers));
    }

    private static void send(OutputStream stdin, String... lines) throws Exception {
        stdin.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** The first {@code n} lines the server wrote, as JSON; fails after 30 s without them. */
    private static List<JsonNode> awaitAnswers(LokiProcess p, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            String out = Files.readString(p.out);
            List<String> lines = out.substring(0, out.lastIndexOf('\n') + 1).lines().toList(); // whole lines only
            if (lines.size() >= n) {
                List<JsonNode> answers = new ArrayList<>();
                for (String line : lines.subList(0, n)) {
                    answers.add(Json.parse(line));
                }
                return answers;
            }
            if (System.nanoTime() > deadline || !p.process.isAlive()) {
                throw new AssertionError("expected " + n + " answers\n" + p.output());
            }
            Thread.sleep(50);
        }
    }
}
