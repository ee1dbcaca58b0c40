package dev.loki.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.testing.FakeAgents;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents, gate commands and specs a stranger or an adversary would try, through the real entry
 * point: what the console and the files say must be what happened.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostileAgentTest {
    @TempDir
    Path base;

    /** No agent, reviewer or gate process of this test outlives its run (ps, by the test's temp dir). */
    @AfterEach
    void no_process_is_left() {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(dev.loki.testing.Leftovers.mentioning(base.toString())).isEmpty());
    }

    private static List<String> lines(String text, String containing) {
        return text.lines().filter(l -> l.contains(containing)).toList();
    }

    /**
     * An agent or a test suite that floods its log is killed at LOKI_MAX_OUTPUT_MB; the console
     * said "failed (exit 143)" and "LOKI_TEST_CMD failed with exit code 143", blaming a signal loki
     * itself sent, with no word of the limit.
     */
    @Test
    void output_past_the_limit_is_reported_as_loki_s_kill_not_as_the_child_s_exit_code() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path agent = FakeAgents.script(base, "agent", "cat > /dev/null\necho x >> work.txt\n"
                + "while :; do head -c 65536 /dev/zero | tr '\\0' a; echo; done");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        env.put("LOKI_MAX_OUTPUT_MB", "1");
        env.put("LOKI_GATES", "true");
        env.put("LOKI_PHASE_CODE_REVIEW", "false");
        env.put("PHASE_STATIC_ANALYSIS", "false");
        env.put("LOKI_TEST_CMD", "while :; do echo 'ok 1 everything fine'; done");
        Loki.Result r = Loki.run(repo.dir(), env, "start", "--max-iterations", "1");

        assertThat(r.exit()).as(r.toString()).isEqualTo(LoopResult.MAX_ITERATIONS);
        List<String> iteration = lines(r.err(), "Iteration 1 failed");
        assertThat(iteration).hasSize(1);
        assertThat(iteration.get(0)).contains("killed by loki: its output passed the 1 MiB limit (LOKI_MAX_OUTPUT_MB)")
                .doesNotContain("(exit ");
        assertThat(Files.size(repo.path(".loki/logs/iterations/iteration-1.log"))).isLessThan(64L << 20);
        JsonNode tests = Json.parse(Files.readString(repo.path(".loki/quality/test-results.json")));
        assertThat(tests.path("pass").asBoolean(true)).isFalse();
        assertThat(tests.path("output_cut").asBoolean()).isTrue();
        assertThat(tests.path("summary").asText())
                .startsWith("LOKI_TEST_CMD was killed by loki: its output passed the 1 MiB limit")
                .doesNotContain("exit code");
        assertThat(r.err()).contains("Quality gates: fail: test_coverage (LOKI_TEST_CMD was killed by loki");
    }

    /**
     * An iteration that changed nothing printed "Gate code_review: 3 blind reviewers on 0 changed
     * file(s)" (none was asked: the gate was skipped) and then "Quality gates: pass" though no
     * gate checked anything; a project without tests got "pass" without a word that no test ran.
     */
    @Test
    void the_console_names_the_gates_that_ran_and_the_ones_skipped() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path reviews = base.resolve("reviews");
        Path agent = FakeAgents.script(base, "agent", "cat > /dev/null\n"
                + "if [ \"$LOKI_CALL\" = review ]; then echo r >> " + reviews + "; printf 'VERDICT: PASS\\nFINDINGS:\\n'; exit 0; fi\n"
                + "echo 'echo hello' > hello.sh\necho wrote");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        env.put("LOKI_GATES", "true");
        Loki.Result r = Loki.run(repo.dir(), env, "start", "--max-iterations", "2");

        assertThat(r.exit()).as(r.toString()).isEqualTo(LoopResult.MAX_ITERATIONS);
        assertThat(FakeAgents.lines(reviews)).as("reviewers asked in iteration 1 only").hasSize(3);
        assertThat(lines(r.err(), "Gate code_review:")).hasSize(1);
        assertThat(lines(r.err(), "Gate static_analysis:")).hasSize(1);
        assertThat(r.err()).doesNotContain("on 0 changed file(s)", "checking 0 changed file(s)");
        List<String> gates = lines(r.err(), "Quality gates:");
        assertThat(gates).hasSize(2);
        assertThat(gates.get(0)).endsWith("Quality gates: pass: static_analysis, code_review;"
                + " skipped test_coverage (no test runner detected)");
        assertThat(gates.get(1)).endsWith("Quality gates: none ran: skipped static_analysis (no changed files),"
                + " test_coverage (no test runner detected), code_review (empty diff: nothing to review)");
    }

    /**
     * Each iteration makes up to 7 review and council calls besides its own; their cost was never
     * counted, so LOKI_BUDGET_LIMIT, the spend in status and the proof's cost showed the iteration
     * calls alone. And a command provider with LOKI_PROVIDER_OUTPUT=stream-json had its review and
     * council answers read as raw JSON: every verdict and vote UNPARSED, so it could never finish.
     */
    @Test
    void review_and_council_calls_are_read_and_counted_in_the_spend() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path agent = FakeAgents.script(base, "agent", """
                cat > /dev/null
                result() { printf '{"type":"assistant","message":{"content":[{"type":"text","text":"%s"}]}}\\n' "$1"
                  printf '{"type":"result","subtype":"success","is_error":false,"result":"%s","total_cost_usd":%s,"usage":{"input_tokens":100,"output_tokens":10}}\\n' "$1" "$2"; }
                case "$LOKI_CALL" in
                  review) result 'VERDICT: PASS\\nFINDINGS:\\n- [Low] fine (hello.sh:1)' 0.01; exit 0 ;;
                  council) result 'VOTE: APPROVE\\nREASON: hello.sh prints hello\\nISSUES: none' 0.01; exit 0 ;;
                esac
                echo 'echo hello' > hello.sh
                echo done > .loki/signals/COMPLETION_REQUESTED
                result 'wrote hello.sh' 0.03""");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        env.put("LOKI_PROVIDER_OUTPUT", "stream-json");
        env.put("LOKI_GATES", "true");
        env.put("LOKI_COUNCIL_ENABLED", "true");
        env.put("PHASE_STATIC_ANALYSIS", "false");
        Loki.Result r = Loki.run(repo.dir(), env, "start", "--max-iterations", "1");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("Council: APPROVE (3 of 3 approve)");
        JsonNode aggregate = Json.parse(Files.readString(FakeAgents.reviewDir(repo).resolve("aggregate.json")));
        assertThat(aggregate.path("pass_count").asInt()).isEqualTo(3);
        JsonNode it = Json.parse(Files.readString(repo.path(".loki/metrics/efficiency/iteration-1.json")));
        // 3 reviewers, 3 council members and the devil's advocate at $0.01, the iteration's $0.03
        assertThat(it.path("review_calls").asInt()).isEqualTo(7);
        assertThat(it.path("review_cost_usd").asDouble()).isEqualTo(0.07);
        assertThat(it.path("cost_usd").asDouble()).isEqualTo(0.10);
        assertThat(it.path("input_tokens").asLong()).isEqualTo(800);
        assertThat(Loki.run(repo.dir(), env, "status").out()).contains("Spend:      $0.1000");
    }

    /**
     * With no council to veto it (loki quick, --no-council), an agent that claimed completion in
     * an iteration whose tests failed ended the run "completion_promise_fulfilled", exit 0: the
     * code for "verified completion".
     */
    @Test
    void a_claim_over_failing_tests_is_rejected_without_a_council() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path agent = FakeAgents.script(base, "agent", "cat > /dev/null\necho x >> work.txt\necho wrote\n"
                + "echo 'all done, trust me' > .loki/signals/COMPLETION_REQUESTED");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        env.put("LOKI_GATES", "true");
        env.put("LOKI_MAX_ITERATIONS", "1");
        env.put("LOKI_TEST_CMD", "echo 'FAIL add 1 2: expected 3, got 4'; exit 1");
        Loki.Result r = Loki.run(repo.dir(), env, "quick", "add numbers");

        assertThat(r.exit()).as(r.toString()).isEqualTo(LoopResult.MAX_ITERATIONS);
        assertThat(r.err()).contains("WARN Completion claim rejected: this iteration's test_coverage gate failed"
                + " (LOKI_TEST_CMD failed with exit code 1: FAIL add 1 2: expected 3, got 4)");
        assertThat(r.out()).doesNotContain("completion_promise_fulfilled");

        env.put("LOKI_TEST_CMD", "echo 'ok 1 add'");
        Loki.Result ok = Loki.run(repo.dir(), env, "quick", "add numbers");
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(ok.out()).contains("completion_promise_fulfilled");
    }

    /**
     * A loki killed with SIGKILL while its gates ran (the state file then reads "exited") was
     * shown by 'loki status' as "exited", not "crashed": nothing said the run had died.
     */
    @Test
    void a_run_killed_during_its_gates_is_reported_crashed() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path agent = FakeAgents.script(base, "agent", "cat > /dev/null\necho x >> work.txt\necho wrote");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        env.put("LOKI_GATES", "true");
        env.put("LOKI_PHASE_CODE_REVIEW", "false");
        env.put("LOKI_TEST_CMD", "touch " + base.resolve("gate-started") + "; sleep 300");
        dev.loki.testing.LokiProcess loop = dev.loki.testing.LokiProcess.start(repo.dir(), env, base.resolve("plogs"),
                "start");
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                    .until(() -> Files.exists(base.resolve("gate-started")));
            loop.process.destroyForcibly();
            loop.process.waitFor();
            Loki.Result status = Loki.run(repo.dir(), env, "status", "--json");
            assertThat(status.json().path("status").asText()).as(status.toString()).isEqualTo("crashed");
            assertThat(status.json().path("exit_code").isNull()).isTrue();
        } finally {
            loop.kill();
            Loki.run(repo.dir(), env, "stop"); // kills the gate the dead run left (its ledger)
        }
    }

    /**
     * A provider CLI that disappears during the run (uninstalled, replaced by an update, an agent
     * that deletes it) ended the run with "Internal error: java.io.IOException" and exit 4.
     */
    @Test
    void a_provider_that_vanishes_mid_run_ends_it_failed_in_one_line() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path agent = FakeAgents.script(base, "agent", "cat > /dev/null\necho x >> work.txt\necho wrote\nrm -f \"$0\"");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        Loki.Result r = Loki.run(repo.dir(), env, "start", "--max-iterations", "5");

        assertThat(r.exit()).as(r.toString()).isEqualTo(LoopResult.FAILED);
        assertThat(r.err()).doesNotContain("Internal error").contains("WARN Iteration 2 could not start the provider"
                + " command: cannot run " + agent + ": no such executable file");
        assertThat(r.out()).contains("failed after 2 iteration(s): the provider command could not be started");
        assertThat(Loki.run(repo.dir(), env, "status", "--json").json().path("status").asText()).isEqualTo("failed");
    }

    /**
     * Claude gets the prompt as one argument, which Linux caps at 128 KiB. A test suite that
     * printed one 200 KB failing line (a minified bundle, a JSON dump) put it whole into the next
     * prompt, and iteration 2 could not start: "Internal error ... Argument list too long", exit 4.
     */
    @Test
    void a_test_suite_s_huge_failing_line_does_not_make_the_next_prompt_too_long_to_start() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        FakeAgents.script(base, "claude", "[ \"$1\" = --help ] && exit 0\necho x >> work.txt\n"
                + "echo '{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"ok\"}'");
        Map<String, String> env = FakeAgents.env(repo, base);
        env.put("LOKI_PROVIDER", "claude");
        env.put("LOKI_GATES", "true");
        env.put("LOKI_PHASE_CODE_REVIEW", "false");
        env.put("LOKI_TEST_CMD", "head -c 200000 /dev/zero | tr '\\0' F; echo ' FAIL'; exit 1");
        Loki.Result r = Loki.run(repo.dir(), env, "start", "--max-iterations", "2");

        assertThat(r.exit()).as(r.toString()).isEqualTo(LoopResult.MAX_ITERATIONS);
        assertThat(r.err()).contains("Iteration 2 succeeded").doesNotContain("Argument list too long");
        String prompt = Files.readString(repo.path(".loki/logs/iterations/iteration-2.prompt.md"));
        assertThat(prompt.length()).isLessThan(64 * 1024);
        assertThat(prompt).contains("QUALITY GATE FAILURES FROM PREVIOUS ITERATION: test_coverage,");
    }

    /**
     * Claude's reviewers get the diff inside one argument (Linux caps it at 128 KiB); a 150 KB
     * change made all three fail to start, and the gate ended "error", which blocks nothing.
     */
    @Test
    void a_large_change_is_still_reviewed_by_an_argv_provider() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        FakeAgents.script(base, "claude", """
                [ "$1" = --help ] && exit 0
                result() { printf '{"type":"result","subtype":"success","is_error":false,"result":"%s"}\\n' "$1"; }
                case " $* " in
                  *" --model "*) for i in $(seq 1 3000); do echo "line $i of a big generated file, fifty chars"; done > big.txt
                                 result wrote ;;
                  *) result 'VERDICT: PASS\\nFINDINGS:\\n- [Low] big file (big.txt:1)' ;;
                esac""");
        Map<String, String> env = FakeAgents.env(repo, base);
        env.put("LOKI_PROVIDER", "claude");
        env.put("LOKI_GATES", "true");
        env.put("PHASE_STATIC_ANALYSIS", "false");
        Loki.Result r = Loki.run(repo.dir(), env, "start", "--max-iterations", "1");

        assertThat(r.exit()).as(r.toString()).isEqualTo(LoopResult.MAX_ITERATIONS);
        assertThat(Files.size(repo.path("big.txt"))).isGreaterThan(128 * 1024);
        JsonNode aggregate = Json.parse(Files.readString(FakeAgents.reviewDir(repo).resolve("aggregate.json")));
        assertThat(aggregate.path("pass_count").asInt()).as(r.toString()).isEqualTo(3);
    }

    /**
     * .loki/config.yaml is ignored by git, so nobody sees an agent rewrite it; the next start read
     * the agent's settings without a word (the council switched off, a test command that always
     * passes) and could end "verified". The run now says so when it happens, and the next start
     * says again that the settings it reads are the agent's, until the person edits the file.
     */
    @Test
    void settings_the_agent_wrote_into_the_config_are_named_now_and_at_the_next_start() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path flag = base.resolve("write-config");
        Files.writeString(flag, "");
        Path agent = FakeAgents.script(base, "agent", "cat > /dev/null\necho x >> work.txt\necho wrote\n"
                + "if [ -e " + flag + " ]; then printf 'LOKI_TEST_CMD: \"true\"\\ncouncil:\\n  enabled: false\\n'"
                + " > .loki/config.yaml; fi");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        Loki.Result first = Loki.run(repo.dir(), env, "start", "--max-iterations", "1");

        assertThat(first.err()).as(first.toString()).contains("WARN The agent changed .loki/config.yaml in iteration 1:"
                + " this run keeps the settings it started with");
        Files.delete(flag);
        Loki.Result second = Loki.run(repo.dir(), env, "start", "--max-iterations", "1");
        assertThat(second.err()).as(second.toString()).contains("WARN The settings in .loki/config.yaml were written by"
                + " the agent of run-", "(iteration 1), not by you, and apply to this run: LOKI_COUNCIL_ENABLED,"
                + " LOKI_TEST_CMD.");
        Files.writeString(repo.path(".loki/config.yaml"), "LOKI_TEST_CMD: \"true\"\n");
        Loki.Result third = Loki.run(repo.dir(), env, "start", "--max-iterations", "1");
        assertThat(third.err()).as(third.toString()).doesNotContain("written by the agent", "The agent changed");
    }

    /** A Latin-1 spec ("café" from an old editor) was an internal error (exit 4, MalformedInputException). */
    @Test
    void a_spec_that_is_not_utf8_runs_with_a_warning_instead_of_an_internal_error() throws Exception {
        TestRepo repo = TestRepo.create(base);
        Files.write(repo.path("PRD.md"), "# Caf\u00e9\n\n## Requirements\n\n- serve caf\u00e9 au lait\n"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        repo.commitAll("latin-1 spec");
        Path agent = FakeAgents.script(base, "agent", "cat > \"$BASE/prompt.txt\"\necho x >> work.txt\necho wrote\n"
                + "echo done > .loki/signals/COMPLETION_REQUESTED");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        env.put("BASE", base.toString());
        Loki.Result r = Loki.run(repo.dir(), env, "start", "PRD.md");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("WARN The spec PRD.md is not valid UTF-8").doesNotContain("Internal error");
        assertThat(Files.readString(base.resolve("prompt.txt"))).contains("serve caf\uFFFD au lait");
        Loki.Result dir = Loki.run(repo.dir(), env, "start", ".git");
        assertThat(dir.exit()).isEqualTo(1);
        assertThat(dir.err().strip()).isEqualTo("Error: The spec .git is a directory: pass the PRD file inside it");
    }

    /**
     * A spec name with a newline printed a second line that did not come from loki, and an agent's
     * claim with escape sequences reached the terminal raw (it could clear the screen or retitle
     * it). Every console and session.log line is one line with its control characters escaped.
     */
    @Test
    void names_and_claims_an_agent_chose_cannot_fake_or_drive_console_lines() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Files.writeString(repo.path("my spec\nFAKE line.md"), "# Spec\n\n## Requirements\n\n- do the thing well\n");
        Path agent = FakeAgents.script(base, "agent", "cat > /dev/null\necho x >> work.txt\necho wrote\n"
                + "printf 'done\\033[2J\\033]0;pwned\\007\\nFAKE claim line' > .loki/signals/COMPLETION_REQUESTED");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        Loki.Result r = Loki.run(repo.dir(), env, "start", "my spec\nFAKE line.md");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).doesNotContain("\u001b").contains("spec my spec\\nFAKE line.md, provider command");
        assertThat(r.err().lines()).noneMatch(l -> l.startsWith("FAKE"));
        assertThat(r.out()).doesNotContain("\u001b");
        String session = Files.readString(repo.path(".loki/logs/session.log"));
        assertThat(session).doesNotContain("\u001b");
        assertThat(session.lines()).allMatch(l -> l.matches("^\\d{4}-\\d\\d-\\d\\dT.*"));
        assertThat(Loki.run(repo.dir(), env, "status").out()).doesNotContain("\u001b");
    }
}
