package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loki.dashboard.auth.Scope;
import dev.loki.store.Json;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Server-sent events: status, checkpoints, gates, logs and events reach every subscriber. */
class LiveEventsTest {
    @TempDir
    Path tmp;

    @Test
    void subscribers_get_status_then_checkpoint_gate_log_and_iteration_events() throws Exception {
        try (ServerFixture f = ServerFixture.start(tmp, Map.of("LOKI_DASHBOARD_WATCH_MS", "100"))) {
            Files.createDirectories(f.loki.resolve("logs"));
            Files.writeString(f.loki.resolve("logs/run.log"), "old line\n");
            HttpClient http = SseClient.newHttp();
            String token = f.token(Scope.READ);
            try (SseClient a = new SseClient(http, f.base() + "/api/events/stream", token);
                    SseClient b = new SseClient(http, f.base() + "/api/events/stream", token)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> a.has("status", "\"status\":\"idle\"")
                        && b.has("status", "\"status\":\"idle\""));
                assertThat(a.status()).isEqualTo(200);

                f.as(Scope.CONTROL).post("/api/control/pause", null);
                await().atMost(Duration.ofSeconds(10)).until(() -> a.has("status", "\"pause_requested\":true")
                        && b.has("status", "\"pause_requested\":true"));

                String id = f.as(Scope.CONTROL).post("/api/checkpoints", "{\"message\":\"live\"}").json()
                        .path("id").asText();
                await().atMost(Duration.ofSeconds(10)).until(() -> a.has("checkpoint", id) && b.has("checkpoint", id));

                Files.writeString(f.loki.resolve("logs/run.log"), "hello from the agent\n",
                        StandardOpenOption.APPEND);
                await().atMost(Duration.ofSeconds(10)).until(() -> a.has("log", "hello from the agent"));
                assertThat(a.has("log", "old line")).as("history is not replayed as live").isFalse();

                Files.createDirectories(f.loki.resolve("quality"));
                Files.writeString(f.loki.resolve("quality/latest.json"), "{\"passed\":false,\"gate\":\"tests\"}");
                await().atMost(Duration.ofSeconds(10)).until(() -> a.has("gate", "\"gate\":\"tests\""));

                Files.writeString(f.loki.resolve("autonomy-state.json"), "{\"iterationCount\": 3}");
                await().atMost(Duration.ofSeconds(10)).until(() -> a.has("iteration", "\"iteration\":3"));

                f.loki.events().append("council.vote", Json.object().put("verdict", "APPROVE"));
                await().atMost(Duration.ofSeconds(10)).until(() -> a.has("council", "APPROVE"));
                assertThat(f.server.liveSubscribers()).isEqualTo(2);
            }
        }
    }

    @Test
    void a_stream_ends_when_its_token_is_revoked_or_its_session_closed() throws Exception {
        try (ServerFixture f = ServerFixture.start(tmp, Map.of("LOKI_DASHBOARD_WATCH_MS", "100"))) {
            Files.createDirectories(f.loki.resolve("logs"));
            Files.writeString(f.loki.resolve("logs/run.log"), "old line\n");
            HttpClient http = SseClient.newHttp();
            String doomed = f.server.tokens().create("doomed", Scope.READ, java.util.Optional.empty());
            try (SseClient revoked = new SseClient(http, f.base() + "/api/events/stream", doomed);
                    SseClient kept = new SseClient(http, f.base() + "/api/events/stream", f.token(Scope.READ))) {
                await().atMost(Duration.ofSeconds(10)).until(() -> revoked.has("status", "\"status\"")
                        && kept.has("status", "\"status\""));
                assertThat(f.server.tokens().revoke("doomed")).isTrue();
                Thread.sleep(dev.loki.dashboard.live.LiveHubAccess.recheckMillis() + 100);
                Files.writeString(f.loki.resolve("logs/run.log"), "after the revocation\n", StandardOpenOption.APPEND);
                await().atMost(Duration.ofSeconds(10)).until(() -> kept.has("log", "after the revocation"));
                await().atMost(Duration.ofSeconds(10)).until(() -> f.server.liveSubscribers() == 1);
                assertThat(revoked.has("log", "after the revocation")).as("a revoked token's stream gets nothing")
                        .isFalse();
            }
        }
        // a session: logged out, expired, or opened with a token since revoked
        dev.loki.store.LokiDir loki = dev.loki.store.LokiDir.locate(java.util.Optional.empty(), Map.of(),
                Files.createDirectories(tmp.resolve("unit"))).ensureExists();
        dev.loki.dashboard.auth.TokenStore tokens = new dev.loki.dashboard.auth.TokenStore(loki);
        dev.loki.dashboard.auth.SessionStore sessions = new dev.loki.dashboard.auth.SessionStore(Duration.ofHours(1));
        dev.loki.dashboard.auth.Authenticator auth = new dev.loki.dashboard.auth.Authenticator(tokens, sessions,
                java.util.Optional.empty());
        String t = tokens.create("viewer", Scope.READ, java.util.Optional.empty());
        String tokenId = tokens.verify(t).orElseThrow().id();
        String cookie = sessions.open(new dev.loki.dashboard.auth.Principal("viewer", Scope.READ, "token", tokenId))
                .cookieValue();
        String other = sessions.open(new dev.loki.dashboard.auth.Principal("login-link", Scope.ADMIN, "login-link",
                "")).cookieValue();
        assertThat(auth.stillValid(null, cookie, Scope.READ)).isTrue();
        assertThat(auth.stillValid("Bearer " + t, null, Scope.READ)).isTrue();
        assertThat(auth.stillValid("Bearer " + t, null, Scope.CONTROL)).isFalse();
        tokens.revoke("viewer");
        assertThat(auth.stillValid(null, cookie, Scope.READ)).isFalse();
        assertThat(auth.stillValid("Bearer " + t, null, Scope.READ)).isFalse();
        assertThat(auth.stillValid(null, other, Scope.READ)).isTrue();
        sessions.close(other);
        assertThat(auth.stillValid(null, other, Scope.READ)).isFalse();
        assertThat(auth.stillValid(null, null, Scope.READ)).isFalse();
    }

    @Test
    void the_stream_needs_read_scope() {
        try (ServerFixture f = ServerFixture.start(tmp)) {
            HttpClient http = SseClient.newHttp();
            try (SseClient anon = new SseClient(http, f.base() + "/api/events/stream", "loki_bogus")) {
                await().atMost(Duration.ofSeconds(10)).until(() -> anon.status() != 0);
                assertThat(anon.status()).isEqualTo(401);
                assertThat(anon.events).isEmpty();
            }
        }
    }
}
