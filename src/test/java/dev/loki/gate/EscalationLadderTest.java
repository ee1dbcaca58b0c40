package dev.loki.gate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EscalationLadderTest {
    @TempDir
    Path tmp;

    private GateFixture blockingReview() {
        GateFixture f = new GateFixture(tmp).only(CodeReview.NAME);
        f.repo.write("app.js", "password\n");
        return f;
    }

    @Test
    void the_ladder_fails_then_clears_at_3_escalates_at_5_and_pauses_at_10() throws Exception {
        GateFixture f = blockingReview();
        List<GateReport> reports = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            reports.add(f.run(i, CodeReviewGateTest.SECURITY_BLOCKS));
            if (i == 4) {
                assertThat(f.loki.resolve("signals/GATE_ESCALATION")).doesNotExist();
            }
            if (i == 5) {
                assertThat(f.read(f.loki.resolve("signals/GATE_ESCALATION")))
                        .isEqualTo("ESCALATE\ncode_review gate failed 5 consecutive times\n");
                assertThat(f.loki.resolve("PAUSE")).doesNotExist();
            }
        }
        List<Boolean> blocked = reports.stream().map(GateReport::codeReviewBlocked).toList();
        assertThat(blocked).containsExactly(true, true, false, false, true, true, true, true, true, true);
        assertThat(GateFixture.result(reports.get(2), CodeReview.NAME).status()).isEqualTo(GateResult.PASS);
        assertThat(GateFixture.result(reports.get(2), CodeReview.NAME).summary()).contains("cleared by the escalation ladder");
        assertThat(reports.get(4).failuresText()).startsWith("code_review,code_review_ESCALATED,\n");
        assertThat(reports.subList(0, 9)).noneMatch(GateReport::pauseRequested);

        GateReport tenth = reports.get(9);
        assertThat(tenth.pauseRequested()).isTrue();
        assertThat(tenth.failuresText()).startsWith("code_review,code_review_PAUSED,\n");
        assertThat(f.loki.resolve("PAUSE")).exists();
        assertThat(f.read(f.loki.resolve("signals/GATE_ESCALATION"))).startsWith("PAUSE\ncode_review gate failed 10");
        try (var s = Files.list(f.loki.resolve("escalations"))) {
            assertThat(s.map(p -> p.getFileName().toString()).toList())
                    .singleElement().satisfies(n -> assertThat(n).startsWith("handoff-").endsWith("-code_review.md"));
        }
        JsonNode counts = Json.parse(f.read(f.quality("gate-failure-count.json")));
        assertThat(counts.path("code_review").asInt()).isEqualTo(10);
    }

    @Test
    void cleared_reviews_still_tell_the_next_prompt_about_the_findings() {
        GateFixture f = blockingReview().set("LOKI_GATE_CLEAR_LIMIT", "1");
        GateReport r = f.run(1, CodeReviewGateTest.SECURITY_BLOCKS);
        assertThat(r.codeReviewBlocked()).isFalse();
        assertThat(r.failuresText()).startsWith("\n").contains("code_review (advisory)").contains("password logged");
        assertThat(f.quality("gate-failures.txt")).exists();
    }

    @Test
    void a_pass_resets_the_counter_and_removes_gate_failures_txt() throws Exception {
        GateFixture f = blockingReview();
        f.run(1, CodeReviewGateTest.SECURITY_BLOCKS);
        f.run(2, CodeReviewGateTest.SECURITY_BLOCKS);
        assertThat(f.read(f.quality("gate-failures.txt"))).startsWith("code_review,");
        GateReport clean = f.run(3);
        assertThat(clean.failuresText()).isEmpty();
        assertThat(f.quality("gate-failures.txt")).doesNotExist();
        assertThat(Json.parse(f.read(f.quality("gate-failure-count.json"))).path("code_review").asInt()).isZero();
        assertThat(f.run(4, CodeReviewGateTest.SECURITY_BLOCKS).codeReviewBlocked()).isTrue();
    }

    @Test
    void failing_tests_are_never_cleared_but_pause_at_the_limit_and_later_gates_stop() {
        GateFixture f = new GateFixture(tmp).set("PHASE_STATIC_ANALYSIS", "false").set("LOKI_TEST_CMD", "exit 1")
                .set("LOKI_GATE_PAUSE_LIMIT", "3").set("LOKI_GATE_ESCALATE_LIMIT", "2");
        f.repo.write("a.txt", "x\n");
        GateReport r = null;
        for (int i = 1; i <= 3; i++) {
            r = f.run(i);
            assertThat(GateFixture.result(r, TestGate.NAME).status()).isEqualTo(GateResult.FAIL);
        }
        assertThat(r.pauseRequested()).isTrue();
        assertThat(GateFixture.result(r, CodeReview.NAME).status()).isEqualTo(GateResult.SKIPPED);
        assertThat(GateFixture.result(r, CodeReview.NAME).summary()).contains("escalation ladder paused");
        assertThat(f.loki.resolve("PAUSE")).exists();
    }

    @Test
    void a_malformed_counter_file_reads_as_empty() throws Exception {
        GateFixture f = blockingReview();
        Files.createDirectories(f.quality(""));
        Files.writeString(f.quality("gate-failure-count.json"), "{\"code_review\": \"many\", \"x\": ");
        EscalationLadder ladder = new EscalationLadder(f.loki, GateSettings.fromEnv(f.env));
        assertThat(ladder.counts()).isEmpty();
        assertThat(ladder.recordFailure("code_review")).isEqualTo(1);
        Files.writeString(f.quality("gate-failure-count.json"), "{\"code_review\": \"many\", \"tests\": 2}");
        assertThat(ladder.counts()).containsExactly(java.util.Map.entry("tests", 2));
    }

    @Test
    void clearing_without_a_counter_file_writes_nothing() {
        GateFixture f = blockingReview();
        new EscalationLadder(f.loki, GateSettings.fromEnv(f.env)).recordPass("code_review");
        assertThat(f.quality("gate-failure-count.json")).doesNotExist();
    }
}
