package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.dashboard.audit.AuditLog;
import dev.loki.dashboard.auth.Scope;
import dev.loki.store.Json;
import dev.loki.testing.Loki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hash-chained audit log: what is recorded, and that `loki audit verify` finds tampering. */
class AuditTrailTest {
    @TempDir
    Path tmp;

    static List<JsonNode> records(ServerFixture f) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(f.loki.resolve("audit"))) {
            for (Path p : s.filter(x -> x.toString().endsWith(".jsonl")).sorted().toList()) {
                for (String l : Files.readAllLines(p)) {
                    out.add(Json.parse(l));
                }
            }
        }
        return out;
    }

    static Path auditFile(ServerFixture f) throws Exception {
        try (Stream<Path> s = Files.list(f.loki.resolve("audit"))) {
            return s.filter(x -> x.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
    }

    static Loki.Result verify(ServerFixture f) {
        return Loki.run(f.repo, "audit", "verify");
    }

    @Test
    void state_changes_and_refusals_are_recorded_with_who_what_and_result() throws Exception {
        try (ServerFixture f = ServerFixture.start(tmp)) {
            String token = f.server.tokens().create("ops-bot", Scope.CONTROL, java.util.Optional.empty());
            Api.bearer(f.base(), token).post("/api/control/pause", null);
            f.anonymous().get("/api/status");
            f.as(Scope.READ).post("/api/control/stop", null);
            Api.bearer(f.base(), token).get("/api/status");
            Api.bearer(f.base(), token).post("/api/no-such-route", "{}");

            List<JsonNode> recs = records(f);
            assertThat(recs).anySatisfy(r -> {
                assertThat(r.path("actor").asText()).isEqualTo("ops-bot");
                assertThat(r.path("action").asText()).isEqualTo("POST /api/control/pause");
                assertThat(r.path("status").asInt()).isEqualTo(200);
                assertThat(r.path("success").asBoolean()).isTrue();
            });
            assertThat(recs).anySatisfy(r -> {
                assertThat(r.path("actor").asText()).isEqualTo("anonymous");
                assertThat(r.path("status").asInt()).isEqualTo(401);
                assertThat(r.path("action").asText()).isEqualTo("GET /api/status");
            });
            assertThat(recs).anySatisfy(r -> {
                assertThat(r.path("status").asInt()).isEqualTo(403);
                assertThat(r.path("action").asText()).isEqualTo("POST /api/control/stop");
            });
            assertThat(recs).anySatisfy(r -> {
                assertThat(r.path("action").asText()).isEqualTo("POST /api/no-such-route");
                assertThat(r.path("status").asInt()).isEqualTo(404);
            });
            assertThat(recs).as("successful reads are not audited").noneSatisfy(r -> {
                assertThat(r.path("action").asText()).isEqualTo("GET /api/status");
                assertThat(r.path("status").asInt()).isEqualTo(200);
            });
            assertThat(recs.get(0).path("prev_hash").asText()).isEqualTo(AuditLog.GENESIS);
            for (int i = 1; i < recs.size(); i++) {
                assertThat(recs.get(i).path("prev_hash").asText()).isEqualTo(recs.get(i - 1).path("hash").asText());
            }
            assertThat(f.server.audit().latestHash()).contains(recs.get(recs.size() - 1).path("hash").asText());
            assertThat(AuditLog.latestHash(f.loki)).contains(recs.get(recs.size() - 1).path("hash").asText());
            assertThat(Files.readString(auditFile(f))).doesNotContain(token);

            Loki.Result ok = verify(f);
            assertThat(ok.exit()).as(ok.toString()).isEqualTo(0);
            assertThat(ok.out()).contains(recs.size() + " records");
        }
    }

    @Test
    void a_created_checkpoint_is_named_and_control_scope_reads_such_as_a_rollback_plan_are_recorded()
            throws Exception {
        try (ServerFixture f = ServerFixture.start(tmp)) {
            f.repo.write("a.txt", "one\n");
            f.repo.commitAll("base");
            String token = f.server.tokens().create("ops-bot", Scope.CONTROL, java.util.Optional.empty());
            Api ops = Api.bearer(f.base(), token);
            Api.Answer made = ops.post("/api/checkpoints", "{\"message\": \"before the refactor\"}");
            assertThat(made.status()).as(made.toString()).isEqualTo(201);
            String id = made.json().path("id").asText();
            f.repo.write("a.txt", "two\n");
            assertThat(ops.get("/api/checkpoints/" + id + "/rollback-plan").status()).isEqualTo(200);
            ops.get("/api/checkpoints/" + id);

            List<JsonNode> recs = records(f);
            assertThat(recs).as("the created checkpoint's id").anySatisfy(r -> {
                assertThat(r.path("action").asText()).isEqualTo("POST /api/checkpoints");
                assertThat(r.path("resource").asText()).isEqualTo(id);
                assertThat(r.path("actor").asText()).isEqualTo("ops-bot");
            });
            assertThat(recs).as("a plan snapshots the work tree: a control-scope GET").anySatisfy(r -> {
                assertThat(r.path("action").asText()).isEqualTo("GET /api/checkpoints/{id}/rollback-plan");
                assertThat(r.path("resource").asText()).isEqualTo(id);
                assertThat(r.path("status").asInt()).isEqualTo(200);
            });
            assertThat(recs).as("read-scope GETs stay out of the trail")
                    .noneSatisfy(r -> assertThat(r.path("action").asText()).isEqualTo("GET /api/checkpoints/{id}"));
            assertThat(verify(f).exit()).isZero();
        }
    }

    @Test
    void an_edited_record_is_found_and_named_by_line() throws Exception {
        try (ServerFixture f = ServerFixture.start(tmp)) {
            for (int i = 0; i < 4; i++) {
                f.anonymous().get("/api/status");
            }
            Path file = auditFile(f);
            List<String> lines = new ArrayList<>(Files.readAllLines(file));
            lines.set(2, lines.get(2).replace("\"anonymous\"", "\"someone-else\""));
            Files.write(file, lines);
            Loki.Result r = verify(f);
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("line 3").contains("edited");
        }
    }

    @Test
    void a_removed_or_reordered_record_is_found() throws Exception {
        try (ServerFixture f = ServerFixture.start(tmp)) {
            for (int i = 0; i < 4; i++) {
                f.anonymous().get("/api/status");
            }
            Path file = auditFile(f);
            List<String> lines = new ArrayList<>(Files.readAllLines(file));
            List<String> removed = new ArrayList<>(lines);
            removed.remove(1);
            Files.write(file, removed);
            Loki.Result r = verify(f);
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("line 2").contains("removed");

            List<String> swapped = new ArrayList<>(lines);
            swapped.set(1, lines.get(2));
            swapped.set(2, lines.get(1));
            Files.write(file, swapped);
            assertThat(verify(f).exit()).isEqualTo(1);

            Files.write(file, lines);
            assertThat(verify(f).exit()).as("restored original verifies again").isEqualTo(0);
        }
    }

    @Test
    void audit_disabled_writes_nothing() {
        try (ServerFixture f = ServerFixture.start(tmp, Map.of("LOKI_AUDIT_DISABLED", "true"))) {
            f.anonymous().get("/api/status");
            f.as(Scope.CONTROL).post("/api/control/pause", null);
            assertThat(Files.exists(f.loki.resolve("audit"))).isFalse();
        }
    }
}
