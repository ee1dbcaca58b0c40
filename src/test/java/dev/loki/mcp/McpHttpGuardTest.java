package dev.loki.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.dashboard.auth.Scope;
import dev.loki.dashboard.auth.TokenStore;
import dev.loki.store.LokiDir;
import dev.loki.testing.TestRepo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP guard: failed authentications are throttled; a revoked token stops working at once. */
class McpHttpGuardTest {
    private static final String INIT = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
            + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";

    @TempDir
    java.nio.file.Path base;

    private static int post(HttpClient http, String url, Optional<String> token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").POST(HttpRequest.BodyPublishers.ofString(INIT));
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void failed_authentications_are_throttled_and_a_revoked_token_is_refused() throws Exception {
        TestRepo repo = TestRepo.create(base);
        LokiDir loki = new LokiDir(repo.path(".loki"), repo.dir());
        Map<String, String> env = repo.env();
        env.put("LOKI_DASHBOARD_RATE_AUTH", "3");
        TokenStore tokens = new TokenStore(loki);
        String good = tokens.create("agent", Scope.CONTROL, Optional.empty());
        HttpClient http = HttpClient.newHttpClient();
        try (McpContext ctx = new McpContext(loki, env); McpHttp server = McpHttp.start(ctx, "127.0.0.1", 0)) {
            assertThat(post(http, server.url(), Optional.of(good))).isEqualTo(200);
            List<Integer> bad = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                bad.add(post(http, server.url(), Optional.of("loki_not_a_token")));
            }
            assertThat(bad).containsExactly(401, 401, 401, 429, 429);
            assertThat(tokens.revoke("agent")).isTrue();
            assertThat(post(http, server.url(), Optional.of(good))).isIn(401, 429);
        }
    }

    /** The check above may meet the throttle's 429 first; here nothing is throttled, so only revocation refuses. */
    @Test
    void a_token_revoked_while_the_server_runs_is_refused_at_once() throws Exception {
        TestRepo repo = TestRepo.create(base);
        LokiDir loki = new LokiDir(repo.path(".loki"), repo.dir());
        TokenStore tokens = new TokenStore(loki);
        String good = tokens.create("agent", Scope.CONTROL, Optional.empty());
        HttpClient http = HttpClient.newHttpClient();
        try (McpContext ctx = new McpContext(loki, repo.env()); McpHttp server = McpHttp.start(ctx, "127.0.0.1", 0)) {
            assertThat(post(http, server.url(), Optional.of(good))).isEqualTo(200);
            assertThat(tokens.revoke("agent")).isTrue();
            assertThat(post(http, server.url(), Optional.of(good))).isEqualTo(401);
        }
    }
}
