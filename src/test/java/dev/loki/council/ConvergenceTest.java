package dev.loki.council;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.council.CouncilDecision.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvergenceTest {
    @TempDir
    Path tmp;

    @Test
    void every_iteration_is_tracked_in_state_json_and_convergence_log() throws Exception {
        CouncilFixture f = new CouncilFixture(tmp);
        CompletionCouncil c = f.council();
        c.recordIteration(f.loki, 1, true, false);
        c.recordIteration(f.loki, 2, false, true);
        c.recordIteration(f.loki, 3, false, true);

        JsonNode s = f.json("council/state.json");
        assertThat(s.path("initialized").asBoolean()).isTrue();
        assertThat(s.path("enabled").asBoolean()).isTrue();
        assertThat(s.path("consecutive_no_change").asInt()).isEqualTo(2);
        assertThat(s.path("done_signals").asInt()).isEqualTo(2);
        assertThat(s.path("consecutive_done_signals").asInt()).isEqualTo(2);
        assertThat(s.path("convergence_history")).hasSize(3);
        assertThat(Files.readString(f.loki.resolve("council/state.json"))).contains("\n  \"initialized\": true");
        List<String> log = Files.readAllLines(f.loki.resolve("council/convergence.log"));
        assertThat(log).hasSize(3);
        assertThat(log.get(2)).matches("\\d{4}-.+Z\\|3\\|0\\|2\\|2");
    }

    @Test
    void recording_the_same_iteration_twice_does_not_double_count() throws Exception {
        CouncilFixture f = new CouncilFixture(tmp);
        CompletionCouncil c = f.council();
        c.recordIteration(f.loki, 1, false, true);
        c.recordIteration(f.loki, 1, false, true);
        JsonNode s = f.json("council/state.json");
        assertThat(s.path("done_signals").asInt()).isEqualTo(1);
        assertThat(s.path("consecutive_no_change").asInt()).isEqualTo(1);
        assertThat(Files.readAllLines(f.loki.resolve("council/convergence.log"))).hasSize(1);
    }

    @Test
    void a_code_change_resets_the_stagnation_streak() {
        CouncilFixture f = new CouncilFixture(tmp);
        CompletionCouncil c = f.council();
        c.recordIteration(f.loki, 1, false, false);
        c.recordIteration(f.loki, 2, false, false);
        c.recordIteration(f.loki, 3, true, false);
        assertThat(f.json("council/state.json").path("consecutive_no_change").asInt()).isZero();
    }

    @Test
    void the_council_convenes_on_the_interval_after_the_minimum_and_on_a_claim() {
        CouncilFixture f = new CouncilFixture(tmp);
        CompletionCouncil c = f.council();
        assertThat(c.shouldConvene(f.loki, 1, false)).isFalse();
        assertThat(c.shouldConvene(f.loki, 4, false)).isFalse();
        assertThat(c.shouldConvene(f.loki, 5, false)).isTrue();
        assertThat(c.shouldConvene(f.loki, 10, false)).isTrue();
        assertThat(c.shouldConvene(f.loki, 1, true)).isTrue();
    }

    @Test
    void stagnation_or_two_done_signals_in_a_row_convene_early_but_not_before_the_minimum() {
        CouncilFixture f = new CouncilFixture(tmp).set("LOKI_COUNCIL_STAGNATION_LIMIT", "2");
        CompletionCouncil c = f.council();
        c.recordIteration(f.loki, 1, false, false);
        c.recordIteration(f.loki, 2, false, false);
        assertThat(c.shouldConvene(f.loki, 2, false)).isFalse();
        c.recordIteration(f.loki, 3, false, false);
        assertThat(c.shouldConvene(f.loki, 3, false)).isTrue();

        CouncilFixture g = new CouncilFixture(tmp.resolve("g"));
        CompletionCouncil cg = g.council();
        cg.recordIteration(g.loki, 3, true, true);
        assertThat(cg.shouldConvene(g.loki, 3, false)).isFalse();
        cg.recordIteration(g.loki, 4, true, true);
        assertThat(cg.shouldConvene(g.loki, 4, false)).isTrue();
    }

    @Test
    void a_dashboard_review_request_convenes_the_council_and_is_consumed() throws Exception {
        CouncilFixture f = new CouncilFixture(tmp);
        Files.createDirectories(f.loki.resolve("signals"));
        Files.writeString(f.loki.resolve(CompletionCouncil.REVIEW_REQUESTED), "now");
        assertThat(f.council().shouldConvene(f.loki, 1, false)).isTrue();
        f.evaluate(1, (p, t) -> CouncilFixture.REJECT);
        assertThat(f.loki.resolve(CompletionCouncil.REVIEW_REQUESTED)).doesNotExist();
    }

    @Test
    void stagnation_for_twice_the_limit_forces_a_stop_that_is_not_success() {
        CouncilFixture f = new CouncilFixture(tmp).set("LOKI_COUNCIL_STAGNATION_LIMIT", "2");
        CompletionCouncil c = f.council();
        for (int i = 1; i <= 4; i++) {
            c.recordIteration(f.loki, i, false, false);
        }
        assertThat(c.shouldConvene(f.loki, 4, false)).isTrue();
        CouncilDecision d = f.evaluate(4, (p, t) -> CouncilFixture.REJECT);
        assertThat(d.verdict()).isEqualTo(Verdict.FORCE_STOP);
        assertThat(d.reason()).contains("no code change for 4 iterations");
        assertThat(d.votes()).hasSize(3);
        assertThat(f.loki.resolve("COMPLETED")).doesNotExist();
        assertThat(f.json("council/state.json").path("verdicts").get(0).path("result").asText()).isEqualTo("FORCE_STOPPED");
    }

    @Test
    void an_approval_wins_over_a_tripped_valve() {
        CouncilFixture f = new CouncilFixture(tmp).set("LOKI_COUNCIL_STAGNATION_LIMIT", "1");
        CompletionCouncil c = f.council();
        c.recordIteration(f.loki, 1, false, false);
        c.recordIteration(f.loki, 2, false, false);
        assertThat(f.evaluate(2, CouncilFixture.byRole(CouncilFixture.APPROVE, CouncilFixture.APPROVE,
                CouncilFixture.REJECT, "")).verdict()).isEqualTo(Verdict.APPROVE);
    }

    @Test
    void too_many_done_signals_force_a_stop_even_with_the_council_disabled() {
        CouncilFixture f = new CouncilFixture(tmp).set("LOKI_COUNCIL_DONE_SIGNAL_LIMIT", "3")
                .set("LOKI_COUNCIL_ENABLED", "false");
        CompletionCouncil c = f.council();
        c.recordIteration(f.loki, 1, true, true);
        c.recordIteration(f.loki, 2, true, true);
        assertThat(c.shouldConvene(f.loki, 2, true)).isFalse();
        c.recordIteration(f.loki, 3, true, true);
        assertThat(c.shouldConvene(f.loki, 3, false)).isTrue();
        CouncilDecision d = f.evaluate(3, (p, t) -> CouncilFixture.APPROVE);
        assertThat(d.verdict()).isEqualTo(Verdict.FORCE_STOP);
        assertThat(d.reason()).contains("signalled completion 3 times");
        assertThat(f.prompts).isEmpty();
        assertThat(f.loki.resolve("council/report.md")).content().contains("FORCE_STOP");
    }

    @Test
    void a_corrupt_state_file_is_kept_aside_and_tracking_starts_fresh() throws Exception {
        CouncilFixture f = new CouncilFixture(tmp);
        Files.createDirectories(f.loki.resolve("council"));
        Files.writeString(f.loki.resolve("council/state.json"), "{\"total_votes\": ");
        f.council().recordIteration(f.loki, 1, false, true);
        assertThat(f.json("council/state.json").path("done_signals").asInt()).isEqualTo(1);
        try (var s = Files.list(f.loki.resolve("council"))) {
            assertThat(s.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("state.json.corrupt."));
        }
    }
}
