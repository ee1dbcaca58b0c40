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
