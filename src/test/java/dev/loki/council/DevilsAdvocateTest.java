package dev.loki.council;

import static dev.loki.council.CouncilFixture.APPROVE;
import static dev.loki.council.CouncilFixture.REJECT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.council.CouncilDecision.Verdict;
import dev.loki.gate.GateReport;
import dev.loki.gate.GateResult;
import dev.loki.store.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevilsAdvocateTest {
    @TempDir
    Path tmp;

    private static GateReport gates(String testStatus) {
        return new GateReport(4, List.of(new GateResult("static_analysis", "pass", "ok", 1),
                new GateResult("test_coverage", testStatus, "npm failed with exit code 1", 1)), false, false, "");
    }

    @Test
    void a_unanimous_approval_is_challenged_and_a_contrarian_reject_costs_one_approval() throws Exception {
        CouncilFixture f = new CouncilFixture(tmp);
        CouncilDecision d = f.evaluate(5, CouncilFixture.byRole(APPROVE, APPROVE, APPROVE, REJECT));

        assertThat(f.contrarianCalls()).isEqualTo(1);
        assertThat(d.verdict()).isEqualTo(Verdict.APPROVE);
        assertThat(d.reason()).contains("objected but the majority holds");
        JsonNode t = Json.parse(Files.readString(f.transcript()));
        assertThat(t.path("contrarian_triggered").asBoolean()).isTrue();
        assertThat(t.path("contrarian_flipped").asBoolean(true)).isFalse();
        assertThat(t.path("voters")).hasSize(4);
        assertThat(t.path("voters").get(3).path("is_contrarian").asBoolean()).isTrue();
        assertThat(f.loki.resolve("council/votes/devils-advocate-round-1.json")).exists();
        assertThat(f.loki.resolve("council/votes/iteration-5/contrarian.txt")).content().contains("login is missing");
    }

    @Test
    void with_a_unanimous_threshold_the_contrarian_flips_the_outcome() throws Exception {
        CouncilFixture f = new CouncilFixture(tmp).set("LOKI_COUNCIL_THRESHOLD", "3");
        CouncilDecision d = f.evaluate(5, CouncilFixture.byRole(APPROVE, APPROVE, APPROVE, REJECT));

        assertThat(d.verdict()).isEqualTo(Verdict.CONTINUE);
        assertThat(d.reason()).contains("devil's advocate overturned it").contains("login is missing");
        assertThat(f.loki.resolve("COMPLETED")).doesNotExist();
        JsonNode t = Json.parse(Files.readString(f.transcript()));
        assertThat(t.path("contrarian_flipped").asBoolean()).isTrue();
        assertThat(t.path("outcome").asText()).isEqualTo("REJECTED");
    }

    @Test
    void a_contrarian_that_cannot_answer_counts_as_reject() {
        CouncilFixture f = new CouncilFixture(tmp).set("LOKI_COUNCIL_THRESHOLD", "3");
        CouncilDecision d = f.evaluate(5, (p, t) -> {
            if (p.startsWith("ANTI-SYCOPHANCY CHECK")) {
                throw new java.io.IOException("rate limited");
            }
            return APPROVE;
        });
        assertThat(d.verdict()).isEqualTo(Verdict.CONTINUE);
        assertThat(d.reason()).contains("rate limited");
    }

    @Test
    void failing_tests_veto_a_unanimous_approval_without_asking_the_contrarian() throws Exception {
        CouncilFixture f = new CouncilFixture(tmp);
        CouncilDecision d = f.evaluate(5, (p, t) -> APPROVE, Optional.of(gates("fail")));

        assertThat(d.verdict()).isEqualTo(Verdict.CONTINUE);
        assertThat(d.reason()).contains("tests did not pass in iteration 4");
        assertThat(f.contrarianCalls()).isZero();
        JsonNode da = f.json("council/votes/devils-advocate-round-1.json");
        assertThat(da.path("vetoes").get(0).asText()).contains("npm failed");
        assertThat(da.path("flipped").asBoolean()).isTrue();
        JsonNode round = f.json("council/votes/round-1.json");
        assertThat(round.path("complete_votes").asInt()).isEqualTo(3);
        assertThat(round.path("effective_approvals").asInt()).isZero();
        assertThat(round.path("verdict").asText()).isEqualTo("CONTINUE");
        assertThat(Json.parse(Files.readString(f.transcript())).path("contrarian_flipped").asBoolean()).isTrue();
    }

    @Test
    void passing_tests_uphold_the_approval_when_the_contrarian_agrees() {
        CouncilFixture f = new CouncilFixture(tmp);
        CouncilDecision d = f.evaluate(5, (p, t) -> APPROVE, Optional.of(gates("pass")));
        assertThat(d.verdict()).isEqualTo(Verdict.APPROVE);
        assertThat(d.reason()).contains("found nothing");
        assertThat(f.contrarianCalls()).isEqualTo(1);
    }

    @Test
    void a_blocking_code_review_stops_the_council_before_any_vote() {
        CouncilFixture f = new CouncilFixture(tmp);
        GateReport blocked = new GateReport(4, List.of(new GateResult("code_review", "fail", "critical", 1)), true,
                false, "code_review,\n");
        CouncilDecision d = f.evaluate(5, (p, t) -> APPROVE, Optional.of(blocked));
        assertThat(d.verdict()).isEqualTo(Verdict.CONTINUE);
        assertThat(d.reason()).contains("code review blocked completion");
        assertThat(f.prompts).isEmpty();
    }
}
