package dev.loki.work;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.testing.FakeAgents;
import dev.loki.testing.Loki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loki verify [BASE]}: exit 0 verified, 1 blocked or concerns, 2 bad input; always a proof. */
class VerifyCommandTest {
    /** A reviewer that passes code review unless {@code block} exists, and approves unless {@code reject} exists. */
    private static final String REVIEWER = """
            prompt="$(cat)"
            case "$prompt" in
              *"VOTE:"*) if [ -f "$FAKE_GH/reject" ]; then printf 'VOTE: REJECT\\nREASON: no tests for sub\\n'
                         else printf 'VOTE: APPROVE\\nREASON: complete and tested\\nISSUES: none\\n'; fi ;;
              *) if [ -f "$FAKE_GH/block" ]; then printf 'VERDICT: FAIL\\nFINDINGS:\\n- [Critical] wrong sign (sub.sh:1)\\n'
                 else printf 'VERDICT: PASS\\nFINDINGS:\\n- none\\n'; fi ;;
            esac
            exit 0""";

    @TempDir
    Path base;

    WorkFixture f;
    Map<String, String> env;

    @BeforeEach
    void a_feature_branch_with_one_change() {
        f = WorkFixture.create(base);
        f.repo.git("checkout", "-q", "-b", "feature");
        f.repo.write("sub.sh", "sub() { echo $(( $1 - $2 )); }\n");
        f.repo.commitAll("sub");
        Path reviewer = FakeAgents.script(base, "reviewer", REVIEWER);
        env = f.repo.env();
        env.put("PATH", base.resolve("bin") + ":" + env.get("PATH"));
        env.put("FAKE_GH", f.gh.toString());
        FakeAgents.command(env, reviewer);
        env.put("LOKI_TEST_CMD", "true");
    }

    @Test
    void a_clean_change_is_verified_with_a_proof() throws Exception {
        Loki.Result r = Loki.run(f.repo.dir(), env, "verify", "--json");

        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode j = r.json();
        assertThat(j.path("verdict").asText()).isEqualTo("verified");
        assertThat(j.path("base").asText()).isEqualTo(f.repo.git("rev-parse", "main").strip());
        assertThat(j.path("council").asText()).isEqualTo("APPROVE");
        Path proof = Path.of(j.path("proof").asText()).resolveSibling("proof.json");
        JsonNode p = Json.parse(Files.readString(proof));
        assertThat(p.path("run").path("status").asText()).isEqualTo("verified");
        assertThat(p.path("files_changed").toString()).contains("sub.sh");
        String head = f.repo.head();
        assertThat(j.path("head").asText()).isEqualTo(head);
        assertThat(j.path("uncommitted_changes").asInt()).isZero();
        assertThat(j.path("reason").asText()).isEqualTo(
                "every gate passed and the council approved (on HEAD " + head.substring(0, 7) + ")");
    }

    /**
     * The gates test the work tree: with uncommitted changes the verdict used to name HEAD alone,
     * as if HEAD had been verified. It says what was verified, in the output and in the proof.
     */
    @Test
    void uncommitted_changes_are_named_in_the_verdict_and_the_proof() throws Exception {
        f.repo.write("sub.sh", "sub() { echo $(( $1 - $2 - 0 )); }\n");
        f.repo.write("notes.txt", "not committed\n");
        String head = f.repo.head();
        String what = "HEAD " + head.substring(0, 7) + " plus 2 uncommitted changes";

        Loki.Result r = Loki.run(f.repo.dir(), env, "verify", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode j = r.json();
        assertThat(j.path("uncommitted_changes").asInt()).isEqualTo(2);
        assertThat(j.path("verified").asText()).isEqualTo(what);
        assertThat(j.path("reason").asText()).endsWith("(on " + what + ")");
        Path proof = Path.of(j.path("proof").asText()).resolveSibling("proof.json");
        assertThat(Json.parse(Files.readString(proof)).path("run").path("exit_reason").asText()).contains(what);

        Loki.Result text = Loki.run(f.repo.dir(), env, "verify");
        assertThat(text.exit()).as(text.toString()).isZero();
        assertThat(text.out().lines().findFirst().orElse("")).startsWith("verified: ").endsWith("(on " + what + ")");
    }

    /** Every gate skipped and the council off: the reason used to say "every gate passed". */
    @Test
    void with_every_gate_skipped_and_no_council_the_reason_says_no_gate_ran() {
        env.put("PHASE_STATIC_ANALYSIS", "false");
        env.put("LOKI_PHASE_UNIT_TESTS", "false");
        env.put("LOKI_PHASE_CODE_REVIEW", "false");
        Loki.Result r = Loki.run(f.repo.dir(), env, "verify", "--no-council", "--json");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.json().path("gates").toString()).doesNotContain("\"pass\"");
        assertThat(r.json().path("reason").asText()).startsWith("no gate ran (skipped: ")
                .contains("and the council was off").doesNotContain("passed");
    }

    @Test
    void a_failing_gate_blocks_with_exit_1() {
        env.put("LOKI_TEST_CMD", "false");
        Loki.Result r = Loki.run(f.repo.dir(), env, "verify", "main");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).startsWith("blocked: failed gate(s): ");
    }

    @Test
    void a_blocking_code_review_blocks_with_exit_1() {
        WorkFixture.write(f.gh.resolve("block"), "");
        Loki.Result r = Loki.run(f.repo.dir(), env, "verify", "--json");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.json().path("verdict").asText()).isEqualTo("blocked");
        assertThat(r.json().path("code_review_blocked").asBoolean()).isTrue();
    }

    @Test
    void a_council_that_does_not_approve_is_concerns_with_exit_1() {
        WorkFixture.write(f.gh.resolve("reject"), "");
        Loki.Result r = Loki.run(f.repo.dir(), env, "verify", "--json");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.json().path("verdict").asText()).isEqualTo("concerns");
        assertThat(r.json().path("gates").toString()).doesNotContain("\"fail\"");
    }

    @Test
    void bad_input_is_exit_2() throws Exception {
        Loki.Result badBase = Loki.run(f.repo.dir(), env, "verify", "no-such-branch");
        assertThat(badBase.exit()).isEqualTo(2);
        assertThat(badBase.err()).contains("BASE 'no-such-branch' is not a commit");
        Path plain = Files.createDirectories(base.resolve("not-a-repo"));
        assertThat(Loki.run(plain, env, "verify").exit()).isEqualTo(2);
    }
}
