package dev.loki.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.testing.FakeAgents;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, "reports that are wrong": what the console, the exit code, the proof and the logs
 * say about a run, checked through the real entry point with scripted agents.
 */
class LoopReportsTest {
    @TempDir
    Path base;

    /** No agent, reviewer or gate process of this test outlives its run (ps, by the test's temp dir). */
    @org.junit.jupiter.api.AfterEach
    void no_process_is_left() throws Exception {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(dev.loki.testing.Leftovers.mentioning(base.toString())).isEmpty());
    }

    private static List<String> lines(String text, String containing) {
        return text.lines().filter(l -> l.contains(containing)).toList();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void a_run_whose_git_directory_the_agent_removed_ends_at_once_instead_of_running_to_the_cap() {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path agent = FakeAgents.script(base, "agent", "cat > /dev/null\nrm -rf .git\necho cleaned up");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        Loki.Result r = Loki.run(repo.dir(), env, "start", "--max-iterations", "50");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("the work tree's .git was removed during iteration 1");
        assertThat(r.err()).doesNotContain("Iteration 2/");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void an_agent_that_crashed_on_a_signal_is_reported_by_the_signal_s_name() {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        // a crash as a shell reports it: 128 + SIGSEGV's number
        Path agent = FakeAgents.script(base, "agent", "cat > /dev/null\necho started\nexit 139");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        Loki.Result r = Loki.run(repo.dir(), env, "start", "--max-iterations", "1");
        assertThat(r.err()).as(r.toString()).contains("Iteration 1 failed (exit 139 = 128 + SIGSEGV, a death by that"
                + " signal)");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS) // a hang guard: a backoff here would wait 600 s
    void the_last_allowed_iteration_ends_the_run_at_once_with_the_cap_exit_code() {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path agent = FakeAgents.script(base, "agent", "cat > /dev/null\necho boom\nexit 1");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        env.put("LOKI_BASE_WAIT", "600");
        env.put("LOKI_MAX_WAIT", "600");
        Loki.Result r = Loki.run(repo.dir(), env, "start", "--max-iterations", "1");

        assertThat(r.exit()).as(r.toString()).isEqualTo(LoopResult.MAX_ITERATIONS).isNotZero();
        assertThat(r.err()).doesNotContain("Backing off");
        assertThat(r.err()).contains("Iteration 1 failed (exit 1)", "loki: exit 3: iteration cap reached");
        assertThat(r.out()).contains("max_iterations_reached after 1 iteration(s)");
        Loki.Result status = Loki.run(repo.dir(), env, "status", "--json");
        assertThat(status.json().path("exit_code").asInt()).isEqualTo(LoopResult.MAX_ITERATIONS);
        assertThat(Loki.run(repo.dir(), env, "status").out()).contains("(exit 3: iteration cap reached");
    }

    @Test
    void max_retries_messages_count_what_really_happens() {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path calls = base.resolve("calls");
        Path agent = FakeAgents.script(base, "agent", "cat > /dev/null\necho call >> " + calls + "\necho boom\nexit 2");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        env.put("LOKI_MAX_RETRIES", "4");
        Loki.Result r = Loki.run(repo.dir(), env, "start");

        assertThat(r.exit()).as(r.toString()).isEqualTo(LoopResult.FAILED);
        assertThat(FakeAgents.lines(calls)).hasSize(4);
        List<String> waits = lines(r.err(), "Backing off");
        assertThat(waits).hasSize(3);
        for (int k = 1; k <= 3; k++) {
            assertThat(waits.get(k - 1)).contains("after consecutive failure " + k + " of 4 (LOKI_MAX_RETRIES)");
        }
        assertThat(r.err()).doesNotContain("of 3");
        assertThat(r.out()).contains("4 consecutive failed iterations (LOKI_MAX_RETRIES=4)");
    }

    @Test
    void an_empty_success_is_reported_as_a_failure_without_a_made_up_exit_code() {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path agent = FakeAgents.script(base, "agent", "cat > /dev/null\nexit 0");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        Loki.Result r = Loki.run(repo.dir(), env, "start", "--max-iterations", "1");

        assertThat(r.err()).contains("Iteration 1 failed: exited 0 with no output").doesNotContain("(exit 1)");
        assertThat(r.exit()).isEqualTo(LoopResult.MAX_ITERATIONS);
    }

    @Test
    void the_proof_counts_iterations_from_the_iteration_records() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path agent = FakeAgents.script(base, "agent", """
                cat > /dev/null
                echo "iteration $LOKI_ITERATION"
                [ "$LOKI_ITERATION" = 1 ] && exit 1
                echo "x$LOKI_ITERATION" >> work.txt
                [ "$LOKI_ITERATION" = 3 ] && echo done > .loki/signals/COMPLETION_REQUESTED
                exit 0""");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        Loki.Result r = Loki.run(repo.dir(), env, "start");

        assertThat(r.exit()).as(r.toString()).isZero();
        String runId = Json.parse(Files.readString(repo.path(".loki/state/run.json"))).path("run_id").asText();
        JsonNode proof = Json.parse(Files.readString(repo.path(".loki/proofs/" + runId + "/proof.json")));
        assertThat(proof.path("iterations").path("count").asInt()).isEqualTo(3);
        assertThat(proof.path("iterations").path("succeeded").asInt()).isEqualTo(2);
        assertThat(proof.path("iterations").path("failed").asInt()).isEqualTo(1);
    }

    @Test
    void a_long_gate_shows_its_command_and_elapsed_time_and_its_failing_line() {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path agent = FakeAgents.script(base, "agent", "cat > /dev/null\necho working\necho x >> work.txt");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        env.put("LOKI_GATES", "true");
        env.put("LOKI_PHASE_CODE_REVIEW", "false");
        env.put("LOKI_PROGRESS_INTERVAL", "0.3");
        env.put("LOKI_TEST_CMD", "sleep 1.5; echo 'ok   add 2 3'; echo 'FAIL mul 4 3: expected 12, got 7';"
                + " echo 'ok   sub 5 3'; echo '1 failed, 0 errors'; exit 1");
        Loki.Result r = Loki.run(repo.dir(), env, "start", "--max-iterations", "1");

        assertThat(r.exit()).as(r.toString()).isEqualTo(LoopResult.MAX_ITERATIONS);
        assertThat(r.err()).contains("Gate test_coverage: running sleep 1.5; echo");
        assertThat(lines(r.err(), "Gate test_coverage: running").stream().filter(l -> !l.contains("still running")))
                .hasSize(1);
        assertThat(r.err()).containsPattern("\\.\\.\\. Gate test_coverage: running .*: still running after [0-9.]+ s");
        assertThat(r.err()).contains("Quality gates: fail: test_coverage (LOKI_TEST_CMD failed with exit code 1:"
                + " FAIL mul 4 3: expected 12, got 7)"); // "1 failed, 0 errors" is a tally, not a failing line
    }

    @Test
    void verbose_echoes_the_providers_output_while_it_runs() {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path agent = FakeAgents.script(base, "agent", "cat > /dev/null\necho 'agent says hello'\nsleep 0.3\n"
                + "echo 'agent says bye'");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        Loki.Result quiet = Loki.run(repo.dir(), env, "start", "--max-iterations", "1");
        assertThat(quiet.err()).doesNotContain("agent says hello");

        Loki.Result r = Loki.run(repo.dir(), env, "--verbose", "start", "--max-iterations", "1");
        assertThat(r.err()).contains("  | agent says hello", "  | agent says bye");

        // live, not replayed at the end: the first line shows while the call is still running
        Path slow = FakeAgents.script(base, "slow-agent", "cat > /dev/null\necho 'agent says hello'\nsleep 1.5\n"
                + "echo 'agent says bye'");
        Map<String, String> slowEnv = FakeAgents.command(FakeAgents.env(repo, base), slow);
        slowEnv.put("LOKI_PROGRESS_INTERVAL", "0.3");
        Loki.Result live = Loki.run(repo.dir(), slowEnv, "--verbose", "start", "--max-iterations", "1");
        String err = live.err();
        int hello = err.indexOf("  | agent says hello");
        int running = err.indexOf("still running", Math.max(hello, 0));
        int bye = err.indexOf("  | agent says bye");
        assertThat(hello).as(err).isNotNegative();
        assertThat(running).as("a heartbeat between the two lines:\n" + err).isGreaterThan(hello).isLessThan(bye);
    }

    @Test
    void only_provider_set_persists_a_provider() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path agent = FakeAgents.script(base, "agent", "cat > /dev/null\necho hi\necho done > .loki/signals/COMPLETION_REQUESTED");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        Loki.Result r = Loki.run(repo.dir(), env, "start", "--max-iterations", "2");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(repo.path(".loki/state/provider")).doesNotExist();

        Map<String, String> plain = FakeAgents.env(repo, base);
        Loki.Result show = Loki.run(repo.dir(), plain, "provider", "show");
        assertThat(show.out().lines().findFirst().orElse("")).isEqualTo("Provider: claude (from default)");
        // status describes the run that happened, not the provider a next start would pick
        com.fasterxml.jackson.databind.JsonNode st = Loki.run(repo.dir(), plain, "status", "--json").json();
        assertThat(st.path("provider").asText()).isEqualTo("command");
        assertThat(st.path("provider_source").asText()).isEqualTo("last run");

        assertThat(Loki.run(repo.dir(), plain, "provider", "set", "codex").exit()).isZero();
        assertThat(Loki.run(repo.dir(), plain, "provider", "show").out()).contains("Provider: codex (from saved)");
    }

    @Test
    void a_second_run_keeps_the_first_runs_iteration_logs() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path agent = FakeAgents.script(base, "agent", "cat > /dev/null\necho \"output of $RUN_NAME\"\n"
                + "echo done > .loki/signals/COMPLETION_REQUESTED");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        env.put("RUN_NAME", "run one");
        assertThat(Loki.run(repo.dir(), env, "start").exit()).isZero();
        String first = Json.parse(Files.readString(repo.path(".loki/state/run.json"))).path("run_id").asText();
        env.put("RUN_NAME", "run two");
        assertThat(Loki.run(repo.dir(), env, "start").exit()).isZero();
        String second = Json.parse(Files.readString(repo.path(".loki/state/run.json"))).path("run_id").asText();

        assertThat(second).isNotEqualTo(first);
        assertThat(Files.readString(repo.path(".loki/logs/iterations/iteration-1.log"))).contains("output of run two");
        Path archived = repo.path(".loki/runs/" + first + "/logs/iterations");
        assertThat(Files.readString(archived.resolve("iteration-1.log"))).contains("output of run one");
        assertThat(archived.resolve("iteration-1.prompt.md")).exists();
    }

    @Test
    void a_scripted_agent_written_from_the_readme_gets_parsed_reviews_and_votes_and_completes() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String marker = "```sh\n#!/usr/bin/env bash\n# loki scripted agent";
        int from = readme.indexOf(marker);
        assertThat(from).as("README has the scripted agent").isPositive();
        String script = readme.substring(from + "```sh\n".length(), readme.indexOf("```", from + marker.length()));
        Path agent = FakeAgents.script(base, "readme-agent", script.replaceFirst("^#!/usr/bin/env bash\n", ""));

        TestRepo repo = TestRepo.create(base);
        repo.write("PRD.md", "# Hello\n\n## Requirements\n\n- hello.sh prints hello\n").commitAll("spec");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        env.put("LOKI_GATES", "true");
        env.put("LOKI_COUNCIL_ENABLED", "true");
        Loki.Result r = Loki.run(repo.dir(), env, "start", "--max-iterations", "3");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("council_approved");
        List<Path> aggregates = find(repo.path(".loki/quality/reviews"), "aggregate.json");
        assertThat(aggregates).isNotEmpty();
        for (Path a : aggregates) {
            String verdicts = Json.parse(Files.readString(a)).path("verdicts").asText();
            assertThat(verdicts.split(" ")).hasSize(3).allMatch(v -> v.endsWith(":PASS"));
        }
        List<Path> answers = find(repo.path(".loki/council"), ".txt").stream()
                .filter(p -> p.getFileName().toString().startsWith("member-")).toList();
        assertThat(answers).hasSizeGreaterThanOrEqualTo(3);
        for (Path a : answers) {
            assertThat(Files.readString(a)).contains("=== ANSWER (APPROVE -> APPROVE)").doesNotContain("UNPARSED");
        }
    }

    private static List<Path> find(Path dir, String suffix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
        }
    }
}
