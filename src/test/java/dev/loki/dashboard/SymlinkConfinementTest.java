package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loki.dashboard.auth.Scope;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A symbolic link planted below .loki (by an agent, or committed in a cloned repository) never
 * hands a read-scoped client a file from outside: the dashboard read the newest "log" through a
 * link to ~/.loki/keys/audit.key, a council transcript or a proof page through a linked file or
 * directory, and streamed a linked log live.
 */
class SymlinkConfinementTest {
    private static final String OUTSIDE = "OUTSIDE-SECRET-4f1c9a0e77d2b3";

    @TempDir
    Path tmp;

    @Test
    void no_read_route_follows_a_link_out_of_dot_loki() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("elsewhere"));
        Path secret = Files.writeString(outside.resolve("audit.key"), OUTSIDE + "\n");
        Files.writeString(outside.resolve("iter-7-1.json"), "{\"iteration\": 7, \"note\": \"" + OUTSIDE + "\"}");
        Files.writeString(outside.resolve("state.json"), "{\"enabled\": true, \"note\": \"" + OUTSIDE + "\"}");
        Files.writeString(outside.resolve("index.html"), "<html>" + OUTSIDE + "</html>");
        Files.writeString(outside.resolve("proof.json"), "{\"run_id\": \"" + OUTSIDE + "\"}");
        try (ServerFixture f = ServerFixture.start(tmp.resolve("p"), Map.of("LOKI_DASHBOARD_WATCH_MS", "100"))) {
            Api read = f.as(Scope.READ);
            Path logs = Files.createDirectories(f.loki.resolve("logs"));
            Files.writeString(logs.resolve("run.log"), "a real log line\n");
            Files.setLastModifiedTime(logs.resolve("run.log"), FileTime.from(Instant.now().minusSeconds(60)));
            // the newest "log" is a link to a key outside the project
            Files.createSymbolicLink(logs.resolve("zz.log"), secret);
            // a linked transcripts directory and a linked council state
            Files.createDirectories(f.loki.resolve("council"));
            Files.createSymbolicLink(f.loki.resolve("council/transcripts"), outside);
            Files.createSymbolicLink(f.loki.resolve("council/state.json"), outside.resolve("state.json"));
            // a proof whose page and json are links
            Path proof = Files.createDirectories(f.loki.resolve("proofs/run-1"));
            Files.createSymbolicLink(proof.resolve("index.html"), outside.resolve("index.html"));
            Files.createSymbolicLink(proof.resolve("proof.json"), outside.resolve("proof.json"));

            Api.Answer log = read.get("/api/logs?lines=50");
            assertThat(log.status()).isEqualTo(200);
            assertThat(log.body()).doesNotContain(OUTSIDE).contains("a real log line");
            assertThat(log.json().path("file").asText()).isEqualTo("run.log");

            Api.Answer one = read.get("/api/council/transcripts/iter-7-1");
            assertThat(one.status()).isEqualTo(404);
            assertThat(one.body()).doesNotContain(OUTSIDE);
            assertThat(read.get("/api/council/transcripts").body()).doesNotContain(OUTSIDE);
            assertThat(read.get("/api/council").body()).doesNotContain(OUTSIDE);

            Api.Answer page = read.get("/api/proofs/run-1/html");
            assertThat(page.status()).isEqualTo(404);
            assertThat(page.body()).doesNotContain(OUTSIDE);
            Api.Answer json = read.get("/api/proofs/run-1");
            assertThat(json.status()).isEqualTo(404);
            assertThat(json.body()).doesNotContain(OUTSIDE);
            assertThat(read.get("/api/proofs").body()).doesNotContain(OUTSIDE)
                    .contains("\"has_html\":false");

            // the live stream follows the real log, never the link
            HttpClient http = SseClient.newHttp();
            try (SseClient live = new SseClient(http, f.base() + "/api/events/stream", f.token(Scope.READ))) {
                await().atMost(Duration.ofSeconds(10)).until(() -> live.has("status", "\"status\""));
                Files.writeString(secret, OUTSIDE + "-appended\n", StandardOpenOption.APPEND);
                Files.writeString(logs.resolve("run.log"), "a live line\n", StandardOpenOption.APPEND);
                await().atMost(Duration.ofSeconds(10)).until(() -> live.has("log", "a live line"));
                assertThat(live.events).noneMatch(e -> e.data().contains(OUTSIDE));
            }
        }
    }

    @Test
    void the_loki_directory_itself_may_be_a_link() throws Exception {
        try (ServerFixture f = ServerFixture.start(tmp.resolve("q"))) {
            Files.createDirectories(f.loki.resolve("logs"));
            Files.writeString(f.loki.resolve("logs/run.log"), "line through a linked root\n");
            Path linkedRoot = Files.createSymbolicLink(tmp.resolve("linked-loki"), f.loki.path().toAbsolutePath());
            dev.loki.store.LokiDir viaLink = new dev.loki.store.LokiDir(linkedRoot, f.loki.workTree());
            assertThat(BoundedFiles.tail(viaLink, linkedRoot.resolve("logs/run.log"), 10, 4096))
                    .containsExactly("line through a linked root");
            assertThat(BoundedFiles.confined(viaLink, linkedRoot.resolve("../elsewhere"))).isFalse();
        }
    }
}
