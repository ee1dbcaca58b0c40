package dev.loki.proof;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.loki.store.Json;
import dev.loki.testing.Loki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loki proof share --hosted} against a real HTTP server on 127.0.0.1. */
class HostedShareTest {
    @TempDir
    static Path tmp;

    /** One run and proof for the class (setting up a run is the slow part); each test restores the proof. */
    static RunFixture fx;
    static byte[] proofJson;
    static byte[] attestation;
    static byte[] proofHtml;

    HttpServer server;
    final List<Request> requests = new CopyOnWriteArrayList<>();

    record Request(String method, String path, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            List<String> v = headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(Map.Entry::getValue).findFirst().orElse(List.of());
            return v.isEmpty() ? null : v.get(0);
        }
    }

    record Reply(int status, String body, Map<String, String> headers, long delayMs) {
        static Reply of(int status, String body) {
            return new Reply(status, body, Map.of(), 0);
        }
    }

    @BeforeAll
    static void createRun() throws IOException {
        fx = RunFixture.create(tmp);
        ProofResult r = ProofService.generateNow(fx.dir, fx.repo.env(), RunFixture.RUN_ID, false);
        assertThat(r.written()).as(r.warnings().toString()).isTrue();
        proofJson = Files.readAllBytes(fx.proofDir().resolve(ProofStore.JSON));
        attestation = Files.readAllBytes(fx.proofDir().resolve(Attestation.FILE));
        proofHtml = Files.readAllBytes(fx.proofDir().resolve(ProofStore.HTML));
    }

    @BeforeEach
    void restoreProof() throws IOException {
        Files.write(fx.proofDir().resolve(ProofStore.JSON), proofJson);
        Files.write(fx.proofDir().resolve(Attestation.FILE), attestation);
        Files.write(fx.proofDir().resolve(ProofStore.HTML), proofHtml);
        Files.deleteIfExists(fx.proofDir().resolve(ProofStore.PUBLISH_LOG));
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** Starts a server whose n-th request (from 0) gets {@code replies.apply(n)}. */
    private String serve(Function<Integer, Reply> replies) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        AtomicInteger n = new AtomicInteger();
        server.createContext("/", (HttpExchange ex) -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            requests.add(new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(), ex.getRequestHeaders(), body));
            Reply r = replies.apply(n.getAndIncrement());
            if (r.delayMs() > 0) {
                try {
                    Thread.sleep(r.delayMs());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(r.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                ex.getResponseBody().write(out);
            }
            ex.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/publish";
    }

    private Map<String, String> env(String endpoint) {
        Map<String, String> env = fx.repo.env();
        env.put("LOKI_HOSTED_ENDPOINT", endpoint);
        env.put("LOKI_HOSTED_TIMEOUT_MS", "2000");
        env.put("LOKI_HOSTED_BACKOFF_MS", "10");
        env.put("LOKI_HOSTED_ATTEMPTS", "3");
        return env;
    }

    private Loki.Result share(Map<String, String> env, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("proof", "share", "--hosted"));
        args.addAll(List.of(extra));
        args.add(RunFixture.RUN_ID);
        return fx.loki(env, args.toArray(String[]::new));
    }

    private JsonNode proof() throws IOException {
        return Json.parse(Files.readString(fx.proofDir().resolve("proof.json")));
    }

    @Test
    void success_with_url_prints_it_records_it_and_the_proof_still_verifies() throws Exception {
        String ep = serve(i -> Reply.of(201, "{\"url\": \"https://proofs.example/p/123\"}"));
        Loki.Result r = share(env(ep));
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Published: https://proofs.example/p/123");
        assertThat(requests).hasSize(1);
        Request req = requests.get(0);
        assertThat(req.method()).isEqualTo("POST");
        assertThat(req.header("X-Loki-Proof-Id")).isEqualTo(RunFixture.RUN_ID);
        assertThat(req.header("Content-Type")).startsWith("text/html");
        assertThat(req.header("Authorization")).isNull();
        assertThat(req.body()).isEqualTo(Files.readAllBytes(fx.proofDir().resolve("index.html")));

        assertThat(proof().path("deployment").path("public_url").asText()).isEqualTo("https://proofs.example/p/123");
        Loki.Result verify = fx.loki("proof", "verify", RunFixture.RUN_ID);
        assertThat(verify.exit()).as(verify.toString()).isZero();
        List<String> log = Files.readAllLines(fx.proofDir().resolve(ProofStore.PUBLISH_LOG));
        assertThat(log).hasSize(1);
        assertThat(Json.parse(log.get(0)).path("url").asText()).isEqualTo("https://proofs.example/p/123");
        assertThat(Json.parse(log.get(0)).path("target").asText()).isEqualTo("hosted");
    }

    @Test
    void success_without_url_says_so_and_invents_none() throws Exception {
        String ep = serve(i -> Reply.of(200, "{\"ok\": true}"));
        Loki.Result r = share(env(ep));
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("(HTTP 200)").contains("did not return a 'url' field")
                .doesNotContain("Published: http");
        assertThat(proof().path("deployment").path("public_url").isNull()).isTrue();
    }

    @Test
    void json_format_sends_proof_json() throws Exception {
        String ep = serve(i -> Reply.of(200, "{\"public_url\": \"https://proofs.example/j\"}"));
        byte[] before = Files.readAllBytes(fx.proofDir().resolve("proof.json"));
        Loki.Result r = share(env(ep), "--format", "json");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(requests.get(0).header("Content-Type")).isEqualTo("application/json");
        assertThat(requests.get(0).body()).isEqualTo(before);
        assertThat(r.out()).contains("Published: https://proofs.example/j");
    }

    @Test
    void a_re_formatted_proof_json_is_sent_as_loki_wrote_it() throws Exception {
        String ep = serve(i -> Reply.of(200, "{\"public_url\": \"https://proofs.example/j\"}"));
        byte[] before = Files.readAllBytes(fx.proofDir().resolve("proof.json"));
        String text = new String(before, StandardCharsets.UTF_8);
        String reformatted = text.replaceFirst("(\"usd\"\\s*:\\s*)([0-9.]+)", "$1$2e0");
        assertThat(reformatted).isNotEqualTo(text);
        Files.writeString(fx.proofDir().resolve("proof.json"), reformatted);
        Loki.Result r = share(env(ep), "--format", "json");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("re-formatted");
        // the content as loki writes it: here, byte for byte the file the attestation names
        assertThat(requests.get(0).body()).isEqualTo(before);

        // sorted and compact: the same content, written by loki's pretty printer (key order as found)
        requests.clear();
        restoreProof();
        Files.writeString(fx.proofDir().resolve("proof.json"), CanonicalJson.write(proof()));
        Loki.Result sorted = share(env(ep), "--format", "json");
        assertThat(sorted.exit()).as(sorted.toString()).isZero();
        byte[] body = requests.get(0).body();
        assertThat(Json.parse(new String(body, StandardCharsets.UTF_8))).isEqualTo(Json.parse(text));
        assertThat(new String(body, StandardCharsets.UTF_8)).startsWith("{\n  \"");
    }

    @Test
    void client_error_is_not_retried_and_shows_the_reply() throws Exception {
        String ep = serve(i -> Reply.of(403, "forbidden: " + "x".repeat(600)));
        Loki.Result r = share(env(ep));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("Hosted endpoint returned HTTP 403").contains("Response: forbidden: ");
        String response = r.err().lines().filter(l -> l.startsWith("Response: ")).findFirst().orElseThrow();
        assertThat(response.length()).isEqualTo("Response: ".length() + 500);
        assertThat(requests).hasSize(1);
        assertThat(r.out()).doesNotContain("Published:");
        assertThat(proof().path("deployment").path("public_url").isNull()).isTrue();
    }

    @Test
    void server_error_is_retried_then_succeeds() throws Exception {
        String ep = serve(i -> i == 0 ? Reply.of(503, "busy") : Reply.of(200, "{\"url\": \"https://proofs.example/2\"}"));
        Loki.Result r = share(env(ep));
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(requests).hasSize(2);
        assertThat(r.out()).contains("Published: https://proofs.example/2");
    }

    @Test
    void server_errors_until_the_last_attempt_fail_with_the_status() throws Exception {
        String ep = serve(i -> Reply.of(500, "boom"));
        Loki.Result r = share(env(ep));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(requests).hasSize(3);
        assertThat(r.err()).contains("HTTP 500").contains("Response: boom");
    }

    @Test
    void timeout_is_retried_and_reported() throws Exception {
        String ep = serve(i -> new Reply(200, "{\"url\": \"https://late.example\"}", Map.of(), 1500));
        Map<String, String> env = env(ep);
        env.put("LOKI_HOSTED_TIMEOUT_MS", "300");
        env.put("LOKI_HOSTED_ATTEMPTS", "2");
        Loki.Result r = share(env);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("after 2 attempt(s)").contains("timed out");
        assertThat(requests).hasSize(2);
        assertThat(r.out()).doesNotContain("Published:");
    }

    @Test
    void connection_refused_is_reported_after_the_retries() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Loki.Result r = share(env("http://127.0.0.1:" + port + "/publish"));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("Failed to reach hosted endpoint after 3 attempt(s)")
                .contains("connection refused").contains("loki proof share " + RunFixture.RUN_ID);
    }

    @Test
    void redirect_is_not_followed() throws Exception {
        String ep = serve(i -> new Reply(302, "", Map.of("Location", "http://127.0.0.1:9/elsewhere"), 0));
        Loki.Result r = share(env(ep));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("HTTP 302").contains("redirected to http://127.0.0.1:9/elsewhere");
        assertThat(requests).hasSize(1);
    }

    @Test
    void license_key_is_sent_as_bearer_and_a_paid_tier_without_one_is_refused() throws Exception {
        String ep = serve(i -> Reply.of(200, "{\"url\": \"https://proofs.example/k\"}"));
        Map<String, String> env = env(ep);
        env.put("LOKI_TIER", "enterprise");
        Loki.Result refused = share(env);
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("no LOKI_LICENSE_KEY set").contains("refused by the tier gate");
        assertThat(requests).isEmpty();

        env.put("LOKI_LICENSE_KEY", "k-secret");
        Loki.Result ok = share(env);
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(ok.err()).contains("not verified");
        assertThat(requests.get(0).header("Authorization")).isEqualTo("Bearer k-secret");
    }

    @Test
    void no_endpoint_fails_honestly_without_a_gist_fallback() {
        Map<String, String> env = fx.repo.env();
        Loki.Result r = share(env);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("Hosted publishing backend not available").contains("LOKI_HOSTED_ENDPOINT")
                .contains("loki proof share " + RunFixture.RUN_ID);
        assertThat(r.out() + r.err()).doesNotContain("http://").doesNotContain("https://hosted");
    }

    @Test
    void unredacted_or_altered_proofs_are_never_sent() throws Exception {
        String ep = serve(i -> Reply.of(200, "{\"url\": \"https://proofs.example/x\"}"));
        Path file = fx.proofDir().resolve("proof.json");
        String original = Files.readString(file);

        ObjectNode p = (ObjectNode) Json.parse(original);
        ((ObjectNode) p.path("redaction")).put("applied", false);
        Files.writeString(file, Json.pretty(p));
        Loki.Result notApplied = share(env(ep));
        assertThat(notApplied.exit()).isEqualTo(1);
        assertThat(notApplied.err()).contains("redaction was not confirmed");

        p = (ObjectNode) Json.parse(original);
        p.remove("redaction");
        Files.writeString(file, Json.pretty(p));
        assertThat(share(env(ep)).err()).contains("redaction was not confirmed");

        p = (ObjectNode) Json.parse(original);
        ((ObjectNode) p.path("cost")).put("usd", 0);
        Files.writeString(file, Json.pretty(p));
        assertThat(share(env(ep)).err()).contains("altered after it was written");

        p = (ObjectNode) Json.parse(original);
        ObjectNode scan = (ObjectNode) p.path("redaction").path("second_scan");
        scan.put("clean", false);
        scan.putArray("findings").add("GITHUB_TOKEN");
        Verification.seal(p, ProofSigner.none());
        Files.writeString(file, Json.pretty(p));
        assertThat(share(env(ep)).err()).contains("secret-shaped text (GITHUB_TOKEN)");

        Files.writeString(file, original);
        Files.writeString(fx.proofDir().resolve("index.html"), "<p>leak " + RunFixture.TOKEN + "</p>");
        assertThat(share(env(ep)).err()).contains("page to be shared contains secret-shaped text");
        assertThat(requests).isEmpty();
    }

    @Test
    void free_commands_ignore_the_tier() {
        Map<String, String> paid = fx.repo.env();
        paid.put("LOKI_TIER", "enterprise");
        Loki.Result a = fx.loki("proof", "list");
        Loki.Result b = fx.loki(paid, "proof", "list");
        assertThat(b.exit()).isEqualTo(a.exit());
        assertThat(b.out()).isEqualTo(a.out());
        assertThat(b.out() + b.err()).doesNotContainIgnoringCase("license").doesNotContainIgnoringCase("tier");
        Loki.Result v = fx.loki(paid, "proof", "verify", RunFixture.RUN_ID);
        assertThat(v.exit()).isZero();
    }
}
