package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.dashboard.auth.Scope;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Path traversal, oversized and malformed bodies, and out-of-range parameters are refused cleanly. */
class InputValidationTest {
    @TempDir
    static Path tmp;

    static ServerFixture f;
    static Api admin;

    @BeforeAll
    static void up() throws Exception {
        f = ServerFixture.start(tmp, Map.of("LOKI_DASHBOARD_RATE_ADMIN", "100000", "LOKI_DASHBOARD_RATE_READ", "100000",
                "LOKI_DASHBOARD_RATE_CONTROL", "100000"));
        admin = f.as(Scope.ADMIN);
        // a secret next to .loki that traversal would reach
        Files.writeString(f.repo.path("secret.txt"), "TOP-SECRET\n");
        Files.createDirectories(f.loki.resolve("proofs/run-1"));
        Files.writeString(f.loki.resolve("proofs/run-1/proof.json"), "{\"run_id\":\"run-1\"}");
    }

    @AfterAll
    static void down() {
        f.close();
    }

    @Test
    void traversal_in_ids_never_reaches_a_file_outside_its_directory() {
        List<String> evil = List.of("..", "..%2F..%2Fsecret.txt", "%2e%2e%2fsecret", "..%5c..%5csecret.txt",
                ".hidden", "a.b", "a%00b", "%2e%2e", "foo%2F..%2F..%2Fsecret.txt");
        for (String id : evil) {
            for (String route : List.of("/api/checkpoints/", "/api/proofs/", "/api/council/transcripts/")) {
                Api.Answer a = admin.get(route + id);
                assertThat(a.status()).as(route + id + " -> " + a).isIn(400, 404);
                assertThat(a.body()).doesNotContain("TOP-SECRET");
            }
            Api.Answer html = admin.get("/api/proofs/" + id + "/html");
            assertThat(html.status()).as("html " + id).isIn(400, 404);
            Api.Answer rb = admin.post("/api/checkpoints/" + id + "/rollback", null);
            assertThat(rb.status()).as("rollback " + id).isIn(400, 404);
        }
        Api.Answer statik = f.anonymous().get("/..%2F..%2Fsecret.txt");
        assertThat(statik.status()).isIn(400, 404);
        assertThat(f.anonymous().get("/%2e%2e/%2e%2e/secret.txt").body()).doesNotContain("TOP-SECRET");
        assertThat(admin.get("/api/proofs/run-1").status()).as("a valid id still works").isEqualTo(200);
    }

    @Test
    void an_oversized_body_is_refused_with_413() {
        String big = "{\"message\":\"" + "x".repeat(100_000) + "\"}";
        Api.Answer a = admin.post("/api/checkpoints", big);
        assertThat(a.status()).isEqualTo(413);
        assertThat(a.json().path("error").asText()).isEqualTo("payload_too_large");
    }

    @Test
    void malformed_or_mistyped_bodies_are_refused_with_400_or_415() {
        assertThat(admin.post("/api/checkpoints", "{not json").status()).isEqualTo(400);
        assertThat(admin.post("/api/checkpoints", "[1,2]").status()).isEqualTo(400);
        assertThat(admin.post("/api/checkpoints", "{\"message\": 42}").status()).isEqualTo(400);
        assertThat(admin.post("/api/checkpoints", "{\"message\":\"" + "y".repeat(501) + "\"}").status())
                .isEqualTo(400);
        assertThat(admin.post("/api/checkpoints/x/rollback", "{\"state_only\":\"yes\"}").status()).isEqualTo(400);
        Api.Answer form = admin.post("/api/control/pause", "application/x-www-form-urlencoded",
                "a=b".getBytes(StandardCharsets.UTF_8));
        assertThat(form.status()).isEqualTo(415);
        assertThat(admin.post("/api/auth/login", "{\"token\": []}").status()).isEqualTo(400);
    }

    @Test
    void list_parameters_out_of_range_are_refused_not_clamped_silently() {
        for (String q : List.of("/api/logs?lines=-5", "/api/logs?lines=100000", "/api/logs?lines=abc",
                "/api/checkpoints?limit=0", "/api/checkpoints?limit=201", "/api/checkpoints?offset=-1",
                "/api/events?limit=5000", "/api/council/transcripts?iter_min=-1", "/api/tasks?limit=x")) {
            Api.Answer a = admin.get(q);
            assertThat(a.status()).as(q).isEqualTo(400);
            assertThat(a.json().path("error").asText()).isEqualTo("bad_request");
        }
        assertThat(admin.get("/api/logs?lines=1000").status()).isEqualTo(200);
    }

    @Test
    void unknown_routes_answer_json_404() {
        Api.Answer a = admin.get("/api/does-not-exist");
        assertThat(a.status()).isEqualTo(404);
        assertThat(a.json().path("error").asText()).isEqualTo("not_found");
        Api.Answer b = admin.post("/api/does-not-exist", "{}");
        assertThat(b.status()).isEqualTo(404);
        assertThat(b.json().path("error").asText()).isEqualTo("not_found");
    }
}
