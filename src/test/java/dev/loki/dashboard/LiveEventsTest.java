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
