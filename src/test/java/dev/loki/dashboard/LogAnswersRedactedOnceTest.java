package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.dashboard.auth.Scope;
import dev.loki.store.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log tail is redacted once: line by line where the lines are read (a private key's inner lines
 * need the lines around them), and the rest of the answer or event by the one redaction every
 * answer passes. Secrets in the lines and in the rest are still masked, on /api/logs and on the
 * live stream.
 */
class LogAnswersRedactedOnceTest {
    private static final String PROVIDER_KEY = "sk-ant-api03-" + "Q".repeat(40);
    private static final String ENV_VALUE = "plain-Value-9f3k2m7q";
    private static final String KEY_BODY = "MIIEowIBAAKCAQEAfake" + "0".repeat(40);
    private static final String LOG = "agent echoed " + PROVIDER_KEY + " and " + ENV_VALUE + "\n"
            + "-----BEGIN " + "RSA PRIVATE KEY-----\n" + KEY_BODY + "\n-----END RSA PRIVATE KEY-----\n";

    @TempDir
    Path tmp;

    @Test
    void the_fields_named_as_redacted_are_kept_and_the_rest_is_redacted_in_place() {
        LogRedaction r = new LogRedaction("/work/repo", "/home/u", Map.of("DB_PASSWORD", ENV_VALUE));
        ObjectNode event = Json.object();
        event.put("line", "as the caller left it: " + ENV_VALUE);
        event.put("file", "run-" + ENV_VALUE + ".log");
        event.put("n", 3);
        JsonNode out = r.applyExcept(event, Set.of("line"));
        assertThat(List.of(out.fieldNames().next(), out.size())).isEqualTo(List.of("line", 3));
        assertThat(out.path("line").asText()).isEqualTo("as the caller left it: " + ENV_VALUE);
        assertThat(out.path("file").asText()).isEqualTo("run-[REDACTED:ENV:DB_PASSWORD].log");
        assertThat(out.path("n").asInt()).isEqualTo(3);
        // nothing named: the whole tree, as apply gives it
        assertThat(r.applyExcept(event, Set.of())).isEqualTo(r.apply(event));
    }

    @Test
    void the_log_answer_still_masks_its_lines_and_its_file_name() throws Exception {
        try (ServerFixture f = ServerFixture.start(tmp, Map.of("DB_PASSWORD", ENV_VALUE))) {
            Files.createDirectories(f.loki.resolve("logs"));
            Files.writeString(f.loki.resolve("logs/run-" + ENV_VALUE + ".log"), LOG);
            Api.Answer logs = f.as(Scope.READ).get("/api/logs?lines=50");
            assertThat(logs.status()).isEqualTo(200);
            assertThat(logs.body()).contains("agent echoed").doesNotContain(PROVIDER_KEY).doesNotContain(ENV_VALUE)
                    .doesNotContain(KEY_BODY).contains("[REDACTED:ENV:DB_PASSWORD]");
            JsonNode answer = Json.parse(logs.body());
            assertThat(answer.path("file").asText()).isEqualTo("run-[REDACTED:ENV:DB_PASSWORD].log");
            assertThat(answer.path("lines").get(2).asText()).isEqualTo("[REDACTED:PRIVATE_KEY]");
        }
    }

    @Test
    void a_log_line_on_the_live_stream_is_still_masked() throws Exception {
        try (ServerFixture f = ServerFixture.start(tmp, Map.of("LOKI_DASHBOARD_WATCH_MS", "100",
                "DB_PASSWORD", ENV_VALUE))) {
            Path log = f.loki.resolve("logs/run-" + ENV_VALUE + ".log");
            Files.createDirectories(log.getParent());
            Files.writeString(log, "");
            try (SseClient sse = new SseClient(SseClient.newHttp(), f.base() + "/api/events/stream",
                    f.token(Scope.READ))) {
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (sse.status() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                // appended until it arrives: the watcher's first look at a file only sets where it starts
                while (!(sse.has("log", "agent echoed") && sse.has("log", "PRIVATE_KEY"))
                        && System.nanoTime() < deadline) {
                    Files.writeString(log, LOG, StandardOpenOption.APPEND);
                    Thread.sleep(300);
                }
                assertThat(sse.has("log", "agent echoed")).as("the log line reached the stream").isTrue();
                assertThat(sse.has("log", "PRIVATE_KEY")).as("the key block reached the stream").isTrue();
                for (SseClient.Event e : sse.events) {
                    assertThat(e.data()).as("SSE " + e.name()).doesNotContain(PROVIDER_KEY).doesNotContain(ENV_VALUE)
                            .doesNotContain(KEY_BODY);
                }
                assertThat(sse.has("log", "run-[REDACTED:ENV:DB_PASSWORD].log")).isTrue();
            }
        }
    }
}
