package dev.loki.council;

import static dev.loki.council.CouncilFixture.APPROVE;
import static dev.loki.council.CouncilFixture.REJECT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.council.CouncilDecision.Verdict;
import dev.loki.store.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CouncilVotingTest {
    @TempDir
    Path tmp;

    @Test
    void two_of_three_approvals_approve_and_write_the_council_files() throws Exception {
        CouncilFixture f = new CouncilFixture(tmp);
        CouncilDecision d = f.evaluate(5, CouncilFixture.byRole(APPROVE, REJECT, APPROVE, "unused"));

        assertThat(d.verdict()).isEqualTo(Verdict.APPROVE);
        assertThat(d.votes()).extracting(Vote::vote).containsExactly("APPROVE", "REJECT", "APPROVE");
        assertThat(d.votes().get(1).reason()).isEqualTo("login is missing");
        assertThat(f.contrarianCalls()).isZero();
        assertThat(f.prompts).hasSize(3).allSatisfy(p -> assertThat(p).contains("Build a login page.")
                .contains("git log --oneline -10").contains("VOTE: APPROVE or REJECT"));
        assertThat(Files.readString(f.loki.resolve("COMPLETED"))).startsWith("Council approved at iteration 5 on ");

        JsonNode round = f.json("council/votes/round-1.json");
        assertThat(round.path("complete_votes").asInt()).isEqualTo(2);
        assertThat(round.path("continue_votes").asInt()).isEqualTo(1);
        assertThat(round.path("threshold").asInt()).isEqualTo(2);
        assertThat(round.path("verdict").asText()).isEqualTo("COMPLETE");
        assertThat(round.path("votes").get(0).path("role").asText()).isEqualTo("requirements-verifier");
        assertThat(f.loki.resolve("council/votes/iteration-5/evidence.md")).content().contains("Build a login page.");
        assertThat(f.loki.resolve("council/votes/iteration-5/member-2.txt")).content().contains("login is missing");
        assertThat(f.loki.resolve("council/report.md")).content().contains("APPROVE");

        JsonNode t = Json.parse(Files.readString(f.transcript()));
        assertThat(f.transcript().getFileName().toString()).isEqualTo(t.path("iteration_id").asText() + ".json");
        assertThat(t.path("iteration").asInt()).isEqualTo(5);
        assertThat(t.path("outcome").asText()).isEqualTo("APPROVED");
        assertThat(t.path("approve_count").asInt()).isEqualTo(2);
        assertThat(t.path("reject_count").asInt()).isEqualTo(1);
        assertThat(t.path("total_members").asInt()).isEqualTo(3);
        assertThat(t.path("contrarian_triggered").asBoolean(true)).isFalse();
        assertThat(t.path("task_or_prd").asText()).startsWith("# Spec");
        assertThat(t.path("voters")).hasSize(3);
        assertThat(t.path("voters").get(1).path("issues").get(0).path("severity").asText()).isEqualTo("HIGH");

        JsonNode state = f.json("council/state.json");
        assertThat(state.path("total_votes").asInt()).isEqualTo(3);
        assertThat(state.path("approve_votes").asInt()).isEqualTo(2);
        assertThat(state.path("reject_votes").asInt()).isEqualTo(1);
        assertThat(state.path("last_check_iteration").asInt()).isEqualTo(5);
        assertThat(state.path("verdicts").get(0).path("result").asText()).isEqualTo("APPROVED");
        assertThat(f.loki.events().tail(5)).anySatisfy(e ->
                assertThat(e.path("type").asText()).isEqualTo("council_decision"));
    }

    @Test
    void one_approval_of_three_continues_and_writes_no_completed_marker() {
        CouncilFixture f = new CouncilFixture(tmp);
        CouncilDecision d = f.evaluate(5, CouncilFixture.byRole(APPROVE, REJECT, REJECT, "unused"));
        assertThat(d.verdict()).isEqualTo(Verdict.CONTINUE);
        assertThat(d.reason()).contains("1 of 3 approved (needed 2)");
        assertThat(f.loki.resolve("COMPLETED")).doesNotExist();
        assertThat(f.json("council/votes/round-1.json").path("verdict").asText()).isEqualTo("CONTINUE");
        assertThat(f.json("council/state.json").path("verdicts").get(0).path("result").asText()).isEqualTo("REJECTED");
    }

    @Test
    void failing_or_silent_reviewers_count_as_reject_and_never_throw() {
        CouncilFixture f = new CouncilFixture(tmp);
        CouncilDecision d = f.evaluate(3, (p, t) -> {
            if (p.contains("the requirements-verifier.")) {
                throw new IOException("provider not logged in");
            }
            if (p.contains("the test-auditor.")) {
                return "";
            }
            return APPROVE;
        });
        assertThat(d.verdict()).isEqualTo(Verdict.CONTINUE);
        assertThat(d.votes()).extracting(Vote::vote).containsExactly("REJECT", "REJECT", "APPROVE");
        assertThat(d.votes().get(0).reason()).contains("provider not logged in").contains("counted as REJECT");
        assertThat(d.votes().get(1).reason()).contains("no answer");
    }

    @Test
    void a_member_that_hangs_is_a_reject_after_the_timeout() {
        CouncilFixture f = new CouncilFixture(tmp).set("LOKI_COUNCIL_TIMEOUT", "1");
        CouncilDecision d = f.evaluate(3, (p, t) -> {
            if (p.contains("the test-auditor.")) {
                Thread.sleep(60_000);
            }
            return APPROVE;
        });
        assertThat(d.verdict()).isEqualTo(Verdict.APPROVE);
        assertThat(d.votes().get(1).vote()).isEqualTo("REJECT");
        assertThat(d.votes().get(1).reason()).contains("timed out after 1s");
    }

    @Test
    void malformed_answers_are_rejects() {
        CouncilFixture f = new CouncilFixture(tmp);
        CouncilDecision d = f.evaluate(3, CouncilFixture.byRole("Looks great, ship it!",
                "VOTE: APPROVE\nVOTE: REJECT\n", "VOTE: CANNOT_VALIDATE\nREASON: no tests to run", "unused"));
        assertThat(d.verdict()).isEqualTo(Verdict.CONTINUE);
        assertThat(d.votes()).extracting(Vote::vote).containsOnly("REJECT");
        assertThat(d.votes().get(0).reason()).contains("no VOTE line");
        assertThat(d.votes().get(1).reason()).contains("contradicting");
        assertThat(d.votes().get(2).reason()).contains("no tests to run");
    }

    @Test
    void a_failing_critical_checklist_item_blocks_without_asking_anyone() throws Exception {
        CouncilFixture f = new CouncilFixture(tmp);
        Files.createDirectories(f.loki.resolve("checklist"));
        Files.writeString(f.loki.resolve("checklist/verification-results.json"),
                "{\"items\":[{\"id\":\"login\",\"priority\":\"critical\",\"status\":\"failing\"},"
                        + "{\"id\":\"docs\",\"priority\":\"critical\",\"status\":\"failing\"}]}");
        Files.writeString(f.loki.resolve("checklist/waivers.json"), "{\"waivers\":[{\"item_id\":\"docs\"}]}");
        CouncilDecision d = f.evaluate(5, (p, t) -> APPROVE);
        assertThat(d.verdict()).isEqualTo(Verdict.CONTINUE);
        assertThat(d.reason()).contains("login").doesNotContain("docs");
        assertThat(f.prompts).isEmpty();
        JsonNode block = f.json("council/gate-block.json");
        assertThat(block.path("blocked").asBoolean()).isTrue();
        assertThat(block.path("items").get(0).asText()).isEqualTo("login");
    }

    @Test
    void the_threshold_is_two_thirds_of_the_size_and_can_only_be_raised() {
        assertThat(CouncilSettings.fromEnv(java.util.Map.of()).threshold()).isEqualTo(2);
        assertThat(CouncilSettings.fromEnv(java.util.Map.of("LOKI_COUNCIL_SIZE", "5")).threshold()).isEqualTo(4);
        assertThat(CouncilSettings.fromEnv(java.util.Map.of("LOKI_COUNCIL_THRESHOLD", "1")).threshold()).isEqualTo(2);
        assertThat(CouncilSettings.fromEnv(java.util.Map.of("LOKI_COUNCIL_THRESHOLD", "3")).threshold()).isEqualTo(3);
    }
}
