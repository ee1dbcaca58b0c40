package dev.loki.gate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GateReportFilesTest {
    @TempDir
    Path tmp;

    @Test
    void latest_json_quality_gates_json_and_events_describe_the_iteration() throws Exception {
        GateFixture f = new GateFixture(tmp).set("LOKI_TEST_CMD", "exit 0");
        f.repo.write("bad.json", "{");
        GateReport r = f.run(3);

        JsonNode latest = Json.parse(f.read(f.quality("latest.json")));
        assertThat(latest.path("iteration").asInt()).isEqualTo(3);
        assertThat(latest.path("passed").asBoolean(true)).isFalse();
        assertThat(latest.path("code_review_blocked").asBoolean(true)).isFalse();
        assertThat(latest.path("timestamp").asText()).isNotEmpty();
        assertThat(latest.path("results")).hasSize(3);
        assertThat(latest.path("results").get(0).path("name").asText()).isEqualTo("static_analysis");
        assertThat(latest.path("results").get(0).path("status").asText()).isEqualTo("fail");
        assertThat(latest.path("results").get(1).path("status").asText()).isEqualTo("pass");
        assertThat(latest.path("results").get(0).has("duration_ms")).isTrue();

        JsonNode state = Json.parse(f.read(f.loki.resolve("state/quality-gates.json")));
        assertThat(state.path("passed").asInt()).isEqualTo(2);
        assertThat(state.path("total").asInt()).isEqualTo(3);
        assertThat(state.path("gates").get(2).path("name").asText()).isEqualTo("code_review");

        List<JsonNode> events = f.loki.events().tail(20).stream()
                .filter(e -> e.path("type").asText().equals("gate_result")).toList();
        assertThat(events).hasSize(3);
        assertThat(events.get(0).path("data").path("gate").asText()).isEqualTo("static_analysis");
        assertThat(events.get(0).path("data").path("status").asText()).isEqualTo("fail");
        assertThat(r.results()).extracting(GateResult::name).containsExactly("static_analysis", "test_coverage", "code_review");
    }

    @Test
    void each_gate_has_its_upstream_switch() {
        GateFixture f = new GateFixture(tmp).set("PHASE_STATIC_ANALYSIS", "false").set("LOKI_PHASE_UNIT_TESTS", "0")
                .set("LOKI_PHASE_CODE_REVIEW", "off").set("LOKI_TEST_CMD", "exit 1");
        f.repo.write("bad.json", "{");
        GateReport r = f.run(1);
        assertThat(r.results()).allSatisfy(g -> assertThat(g.status()).isEqualTo(GateResult.SKIPPED));
        assertThat(r.results()).extracting(GateResult::summary).allSatisfy(s -> assertThat(s).startsWith("disabled by"));
        assertThat(r.passed()).isTrue();
        assertThat(f.prompts).isEmpty();
    }

    @Test
    void a_stop_requested_between_gates_skips_the_rest() throws Exception {
        GateFixture f = new GateFixture(tmp).set("LOKI_TEST_CMD", "touch .loki/STOP; exit 0");
        f.repo.write("a.txt", "x\n");
        GateReport r = f.run(1);
        assertThat(GateFixture.result(r, TestGate.NAME).status()).isEqualTo(GateResult.PASS);
        assertThat(GateFixture.result(r, CodeReview.NAME).summary()).isEqualTo("not run: STOP requested");
        assertThat(f.prompts).isEmpty();
    }
}
