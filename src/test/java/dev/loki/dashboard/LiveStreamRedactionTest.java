package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.dashboard.auth.Scope;
import dev.loki.store.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live stream carries the same events and gate results as /api/events and /api/quality: it
 * masks what they mask (provider keys, the environment's secret values), not only loki's own
 * credentials.
 */
class LiveStreamRedactionTest {
    private static final String PROVIDER_KEY = "sk-ant-api03-" + "Q".repeat(40);
    private static final String ENV_VALUE = "plain-Value-9f3k2m7q";

    @TempDir
    Path tmp;

    @Test
    void events_and_gate_results_on_the_stream_pass_the_full_redactor() throws Exception {
        try (ServerFixture f = ServerFixture.start(tmp, Map.of("LOKI_DASHBOARD_WATCH_MS", "100",
                "DB_PASSWORD", ENV_VALUE))) {
            Files.createDirectories(f.loki.eventsFile().getParent());
            Files.writeString(f.loki.eventsFile(), "");
            Files.createDirectories(f.loki.resolve("quality"));
            String detail = "agent echoed " + PROVIDER_KEY + " and " + ENV_VALUE;
            try (SseClient sse = new SseClient(SseClient.newHttp(), f.base() + "/api/events/stream",
                    f.token(Scope.READ))) {
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (sse.status() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                // appended until both arrive: the watcher's first look at a file only sets where it starts
                int n = 0;
                while (!(sse.has("gate", "agent echoed") && sse.has("event", "agent echoed"))
                        && System.nanoTime() < deadline) {
                    Files.writeString(f.loki.eventsFile(), "{\"type\":\"note\",\"detail\":"
                            + Json.MAPPER.writeValueAsString(detail) + "}\n", StandardOpenOption.APPEND);
                    Files.writeString(f.loki.resolve("quality/latest.json"), "{\"n\":" + n++ + ",\"output\":"
                            + Json.MAPPER.writeValueAsString(detail) + "}\n");
                    Thread.sleep(300);
                }
                assertThat(sse.has("event", "agent echoed")).as("the event reached the stream").isTrue();
                assertThat(sse.has("gate", "agent echoed")).as("the gate result reached the stream").isTrue();
                for (SseClient.Event e : sse.events) {
                    assertThat(e.data()).as("SSE " + e.name()).doesNotContain(PROVIDER_KEY).doesNotContain(ENV_VALUE);
                }
            }
        }
    }
}
