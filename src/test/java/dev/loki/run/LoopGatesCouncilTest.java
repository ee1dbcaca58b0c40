package dev.loki.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.testing.FakeAgents;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop with the real quality gates and completion council, driven by a fake agent that also reviews. */
class LoopGatesCouncilTest {
    /** Codes in iterations; as a reviewer it fails the review while block-review exists, and votes approve. */
    private static final String AGENT = """
            prompt="$(cat)"
            if [ "$LOKI_CALL" = review ] || [ "$LOKI_CALL" = council ]; then
              case "$prompt" in
                *"VOTE:"*) printf 'VOTE: APPROVE\\nREASON: requirements met and tests pass\\nISSUES: none\\n' ;;
                *) if [ -f block-review ]; then
                     printf 'VERDICT: FAIL\\nFINDINGS:\\n- [Critical] add() subtracts (calc.sh:2)\\n'
                   else
                     printf 'VERDICT: PASS\\nFINDINGS:\\n- none\\n'
                   fi ;;
              esac
              exit 0
            fi
            echo "iteration $LOKI_ITERATION"
            case "$LOKI_ITERATION" in
              1) printf 'add() { echo $(( $1 - $2 )); }\\n' > calc.sh; touch block-review ;;
              *) printf 'add() { echo $(( $1 + $2 )); }\\n' > calc.sh; rm -f block-review ;;
            esac
            printf '. ./calc.sh\\n[ "$(add 2 3)" = 5 ]\\n' > test.sh
            git add -A >/dev/null && git commit -qm "iteration $LOKI_ITERATION" >/dev/null
            echo "add is implemented" > .loki/signals/COMPLETION_REQUESTED
            """;

    @TempDir
    Path base;

    private Map<String, String> env(TestRepo repo) {
        Path agent = FakeAgents.script(base, "agent", AGENT);
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        env.remove("LOKI_GATES");
        env.put("LOKI_TEST_CMD", "bash test.sh");
        return env;
    }

    @Test
    void a_completion_claim_is_rejected_while_code_review_blocks_and_accepted_once_it_passes() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Loki.Result r = Loki.run(repo.dir(), env(repo), "start");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("Completion claim rejected: this iteration's code review found blocking issues");
        JsonNode state = Json.parse(Files.readString(repo.path(".loki/autonomy-state.json")));
        assertThat(state.path("status").asText()).isEqualTo("completion_promise_fulfilled");
        assertThat(state.path("iterationCount").asInt()).isEqualTo(2);
        assertThat(Files.readString(repo.path(".loki/logs/iterations/iteration-2.prompt.md")))
                .contains("QUALITY GATE FAILURES FROM PREVIOUS ITERATION");
    }

    @Test
    void the_council_approves_a_verified_claim_and_the_run_ends_council_approved() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Map<String, String> env = env(repo);
        env.remove("LOKI_COUNCIL_ENABLED");
        Loki.Result r = Loki.run(repo.dir(), env, "start");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("Completion council convenes");
        JsonNode state = Json.parse(Files.readString(repo.path(".loki/autonomy-state.json")));
        assertThat(state.path("status").asText()).isEqualTo("council_approved");
        assertThat(state.path("iterationCount").asInt()).isEqualTo(2);
        assertThat(repo.path(".loki/council/state.json")).exists();
    }
}
