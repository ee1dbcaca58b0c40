package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.checkpoint.Checkpoint;
import dev.loki.checkpoint.CheckpointRequest;
import dev.loki.checkpoint.CheckpointService;
import dev.loki.dashboard.auth.Scope;
import dev.loki.store.Json;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secret-shaped text (a GitHub token, an AWS key, a private key block, the value of the
 * dashboard's own {@code MY_API_KEY}) planted in every file the dashboard reads - council state
 * and transcripts, legacy proofs (JSON and HTML), logs, events, quality results, status and
 * task state, checkpoints and their diffs, cost records, memory - never reaches a client: every
 * GET route is walked with real ids (not only made-up ones, which is how the older walk in
 * {@link SecretsNeverReadBackTest} missed the transcript list and legacy proofs) and with a read
 * and a control token, and the live stream is read while the same text is appended.
 */
class StoredContentRedactionTest {
    private static final String GITHUB = "ghp_" + "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final String AWS = "AKIAIOSFODNN7EXAMPLE";
    private static final String KEY_BODY = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun";
    private static final String PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\n" + KEY_BODY + "\n"
            + "VDnx3hnqDbvSuvXQ2q5aSuHhr7D9XMhVpYjQ1tZ1k0hC2ajtD5UXZ8mFq3Hn8nR1\n-----END RSA PRIVATE KEY-----";
    private static final String ENV_VALUE = "plain-Vq7x3kd9Lm2zR8";
    /** What each planted secret must never appear as (the key's markers and body alike). */
    private static final Map<String, String> RAW = new LinkedHashMap<>();

    static {
        RAW.put("GITHUB_TOKEN", GITHUB);
        RAW.put("AWS_KEY", AWS);
        RAW.put("PRIVATE_KEY body", KEY_BODY);
        RAW.put("PRIVATE_KEY marker", "BEGIN RSA PRIVATE KEY");
        RAW.put("ENV:MY_API_KEY", ENV_VALUE);
    }

    /** One line carrying all four. */
    private static final String SECRETS = "deploy with " + GITHUB + " and " + AWS + " env " + ENV_VALUE + " key:\n"
            + PRIVATE_KEY + "\n";

    @TempDir
    Path tmp;

    @Test
    void no_route_serves_a_planted_secret_from_any_stored_source() throws Exception {
        Set<Long> childrenBefore = children();
        try (ServerFixture f = ServerFixture.start(tmp, Map.of("MY_API_KEY", ENV_VALUE, "LOKI_DASHBOARD_WATCH_MS",
                "100", "LOKI_DASHBOARD_RATE_READ", "100000", "LOKI_DASHBOARD_RATE_CONTROL", "100000"))) {
            Planted p = plant(f);
            Api read = f.as(Scope.READ);
            Api control = f.as(Scope.CONTROL);
            Map<String, String> seen = new LinkedHashMap<>();
            List<String> walked = new ArrayList<>();
            for (RouteTable.Route r : f.server.routes()) {
                if (r.method() != HandlerType.GET || r.path().equals("/api/events/stream")) {
                    continue;
                }
                List<String> ids = r.path().contains("{id}")
                        ? List.of("does-not-exist", "legacy-1", "legacy-2", p.transcript(), p.first(), p.second())
                        : List.of("");
                for (String id : ids) {
                    String path = r.path().replace("{id}", id).replace("<path>", "index.html");
                    if (path.endsWith("/diff")) {
                        path += "?path=src/app.txt";
                    } else if (path.equals("/api/logs")) {
                        path += "?lines=1000";
                    }
                    for (Api who : List.of(read, control)) {
                        Api.Answer a = who.send(HttpRequest.newBuilder(URI.create(f.base() + path))
                                .header("Accept", "application/json").timeout(Duration.ofSeconds(20)).GET());
                        String where = "GET " + path + " (" + a.status() + ")";
                        assertClean(where, a.body());
                        a.raw().headers().map().forEach((k, v) -> assertClean("header " + k + " of " + where,
                                String.join(",", v)));
                        seen.merge(path, a.status() + " " + a.body(), (x, y) -> x + "\n" + y);
                    }
                    walked.add(path);
                }
            }
            // the walk reached the planted content (a route that answered 404 everywhere proves nothing)
            assertRedactedHere(seen, "/api/council/transcripts");
            assertRedactedHere(seen, "/api/council/transcripts/" + p.transcript());
            assertRedactedHere(seen, "/api/council");
            assertRedactedHere(seen, "/api/proofs/legacy-1");
            assertRedactedHere(seen, "/api/proofs/legacy-1/html");
            assertRedactedHere(seen, "/api/logs?lines=1000");
            assertRedactedHere(seen, "/api/events");
            assertRedactedHere(seen, "/api/quality");
            assertRedactedHere(seen, "/api/tasks");
            assertRedactedHere(seen, "/api/checkpoints");
            assertRedactedHere(seen, "/api/checkpoints/" + p.second());
            assertRedactedHere(seen, "/api/checkpoints/" + p.second() + "/changes/diff?path=src/app.txt");
            assertRedactedHere(seen, "/api/checkpoints/" + p.second() + "/rollback-plan/diff?path=src/app.txt");
            assertThat(seen.get("/api/status")).contains("[REDACTED:GITHUB_TOKEN]");
            assertThat(seen.get("/api/cost")).contains("[REDACTED:AWS_KEY]");
            assertThat(seen.get("/api/proofs/legacy-1/html")).startsWith("200 ").contains("<h1>Legacy proof</h1>");
            // a secret the page only spells out with character references: refused, not served
            assertThat(seen.get("/api/proofs/legacy-2/html")).startsWith("422 ").contains("unredactable")
                    .doesNotContain("&#103;hp_");
            assertThat(walked).contains("/api/council/transcripts", "/api/proofs", "/api/runs", "/api/auth/session");
            assertThat(f.server.routes()).filteredOn(r -> r.method() == HandlerType.GET).hasSizeGreaterThan(20);
            // answers to writes pass the same filter: a checkpoint's answer carries the stored task text
            Api.Answer created = control.post("/api/checkpoints", "{\"message\":" + Json.MAPPER.writeValueAsString(
                    "msg " + GITHUB + " " + ENV_VALUE) + "}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            assertClean("POST /api/checkpoints", created.body());
            assertThat(created.body()).contains("[REDACTED:GITHUB_TOKEN]");

            // the live stream: status, checkpoint, event, gate and log messages carry the same text
            try (SseClient sse = new SseClient(SseClient.newHttp(), f.base() + "/api/events/stream",
                    f.token(Scope.READ))) {
                long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                while (sse.status() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                int n = 0;
                while (!(sse.has("checkpoint", "REDACTED") && sse.has("event", "REDACTED") && sse.has("log", "REDACTED")
                        && sse.has("status", "round ")) && System.nanoTime() < deadline) {
                    n++;
                    Files.writeString(f.loki.eventsFile(), line("note", SECRETS) + "\n", StandardOpenOption.APPEND);
                    Files.writeString(f.loki.checkpointsDir().resolve("index.jsonl"), "{\"id\":\"chk-x" + n
                            + "\",\"task\":" + Json.MAPPER.writeValueAsString(SECRETS) + "}\n",
                            StandardOpenOption.APPEND);
                    Files.writeString(f.loki.resolve("logs/session.log"), "later " + GITHUB + " " + AWS + "\n",
                            StandardOpenOption.APPEND);
                    Files.writeString(f.loki.resolve("queue/current-task.json"), "{\"title\":"
                            + Json.MAPPER.writeValueAsString("round " + n + " " + SECRETS) + "}");
                    Thread.sleep(300);
                }
                assertThat(sse.has("checkpoint", "REDACTED")).as("checkpoint line on the stream").isTrue();
                assertThat(sse.has("event", "REDACTED")).as("event on the stream").isTrue();
                assertThat(sse.has("log", "REDACTED")).as("log line on the stream").isTrue();
                assertThat(sse.has("status", "round ")).as("status change on the stream").isTrue();
                for (SseClient.Event e : sse.events) {
                    assertClean("SSE " + e.name(), e.data());
                }
            }
        }
        assertThat(children()).as("no process left behind").isSubsetOf(childrenBefore);
    }

    record Planted(String transcript, String first, String second) {
    }

    static Planted plant(ServerFixture f) throws IOException {
        String secretJson = Json.MAPPER.writeValueAsString(SECRETS);
        // council: state and a transcript whose spec and votes quote the PRD
        write(f, "council/state.json", "{\"enabled\":true,\"total_votes\":1,\"verdicts\":[{\"reason\":" + secretJson
                + "}]}");
        String transcript = "iter-1-1700000000";
        write(f, "council/transcripts/" + transcript + ".json", "{\"iteration\":1,\"spec\":" + secretJson
                + ",\"votes\":[{\"member\":\"m1\",\"vote\":\"APPROVE\",\"reason\":" + secretJson + "}]}");
        // legacy proofs: written by hand or by upstream, never through loki's redactor
        write(f, "proofs/legacy-1/proof.json", "{\"generated_at\":\"2026-01-01T00:00:00Z\",\"summary\":" + secretJson
                + ",\"council\":{\"final_verdict\":" + secretJson + "}}");
        write(f, "proofs/legacy-1/index.html", "<!doctype html><html><body><h1>Legacy proof</h1><pre>" + SECRETS
                + "</pre><a title=\"" + GITHUB + "\" href=\"https://x.test/?k=" + AWS + "\">link</a></body></html>");
        write(f, "proofs/legacy-2/proof.json", "{\"summary\":\"fine\"}");
        write(f, "proofs/legacy-2/index.html", "<html><body><p>token &#103;hp_abcdefghijklmnopqrstuvwxyz0123456789"
                + "</p></body></html>");
        // logs, events, quality results
        write(f, "logs/session.log", "2026-01-01T00:00:00Z agent said " + SECRETS);
        Files.createDirectories(f.loki.eventsFile().getParent());
        Files.writeString(f.loki.eventsFile(), line("iteration.end", SECRETS) + "\n" + line("note", SECRETS) + "\n");
        write(f, "quality/latest.json", "{\"output\":" + secretJson + "}");
        write(f, "state/quality-gates.json", "{\"gates\":[{\"name\":\"lint\",\"output\":" + secretJson + "}]}");
        // status and task state
        write(f, "queue/current-task.json", "{\"title\":" + secretJson + "}");
        write(f, "queue/pending.json", "[{\"id\":\"t1\",\"title\":" + secretJson + ",\"description\":" + secretJson
                + "}]");
        write(f, "dashboard-state.json", "{\"phase\":" + secretJson + ",\"mode\":" + secretJson + ",\"tasks\":{"
                + "\"pending\":[{\"id\":\"t2\",\"title\":" + secretJson + "}]}}");
        write(f, "state/orchestrator.json", "{\"currentPhase\":" + secretJson + "}");
        write(f, "state/provider", "command " + GITHUB);
        // cost records
        write(f, "metrics/efficiency/iter-1.json", "{\"model\":\"m " + AWS + "\",\"phase\":" + secretJson
                + ",\"input_tokens\":10,\"output_tokens\":5,\"cost_usd\":0.01}");
        // memory (no route reads it today: planted so that one added later is covered)
        write(f, "memory/episodic/e1.json", "{\"note\":" + secretJson + "}");
        // checkpoints: a task description and a file that holds the secrets in the work tree
        f.repo.write("src/app.txt", "version 1\n");
        CheckpointService cs = CheckpointService.open(f.loki, f.repo.env());
        Checkpoint first = cs.create(CheckpointRequest.iteration(1, "t1", "one " + SECRETS, "claude"));
        f.repo.write("src/app.txt", "version 2 " + SECRETS);
        Checkpoint second = cs.create(CheckpointRequest.iteration(2, "t2", "two " + SECRETS, "claude"));
        f.repo.write("src/app.txt", "version 3 " + SECRETS);
        return new Planted(transcript, first.id(), second.id());
    }

    private static String line(String type, String detail) throws IOException {
        return "{\"timestamp\":\"2026-01-01T00:00:00Z\",\"type\":\"" + type + "\",\"data\":{\"detail\":"
                + Json.MAPPER.writeValueAsString(detail) + "}}";
    }

    private static void write(ServerFixture f, String rel, String content) throws IOException {
        Path p = f.loki.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content, StandardCharsets.UTF_8);
    }

    static void assertClean(String where, String body) {
        for (Map.Entry<String, String> e : RAW.entrySet()) {
            assertThat(body).as(where + " serves " + e.getKey() + " raw").doesNotContain(e.getValue());
        }
    }

    private static void assertRedactedHere(Map<String, String> seen, String path) {
        assertThat(seen).as("walked " + path).containsKey(path);
        assertThat(seen.get(path)).as(path).contains("[REDACTED:GITHUB_TOKEN]").contains("[REDACTED:AWS_KEY]")
                .contains("[REDACTED:PRIVATE_KEY]").contains("[REDACTED:ENV:MY_API_KEY]");
    }

    private static Set<Long> children() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }
}
