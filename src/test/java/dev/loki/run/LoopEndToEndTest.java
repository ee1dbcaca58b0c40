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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop through the real entry point, with fake agent CLIs. */
class LoopEndToEndTest {
    @TempDir
    Path base;

    private JsonNode json(TestRepo repo, String rel) throws Exception {
        return Json.parse(Files.readString(repo.path(".loki/" + rel)));
    }

    @Test
    void completion_claim_ends_the_run_with_state_checkpoints_and_metrics() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path agent = FakeAgents.script(base, "agent", """
                cat > /dev/null
                echo "iteration $LOKI_ITERATION: prompt in $LOKI_PROMPT_FILE"
                echo "x$LOKI_ITERATION" >> work.txt
                [ "$LOKI_ITERATION" = 2 ] && echo "add is done" > .loki/signals/COMPLETION_REQUESTED
                exit 0""");
        Loki.Result r = Loki.run(repo.dir(), FakeAgents.command(FakeAgents.env(repo, base), agent), "start");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("completion_promise_fulfilled after 2 iteration(s)");
        JsonNode state = json(repo, "autonomy-state.json");
        assertThat(state.path("status").asText()).isEqualTo("completion_promise_fulfilled");
        assertThat(state.path("iterationCount").asInt()).isEqualTo(2);
        assertThat(state.path("lastExitCode").asInt()).isZero();
        assertThat(Files.readString(repo.path(".loki/autonomy-state.json"))).contains("\n    \"retryCount\": 0");
        JsonNode run = json(repo, "state/run.json");
        assertThat(state.path("run_id").asText()).isEqualTo(run.path("run_id").asText())
                .as("both empty would agree too").matches("run-\\d{8}-\\d{6}-[0-9a-f]{4}");
        assertThat(run.path("status").asText()).isEqualTo("completed");
        assertThat(run.path("base_snapshot").asText()).isNotEmpty().matches("[0-9a-f]{40}");
        assertThat(run.path("checkpoint_ids")).hasSize(3);
        assertThat(repo.path(".loki/runs/" + run.path("run_id").asText() + "/run.json")).exists();
        assertThat(json(repo, "metrics/efficiency/iteration-2.json").path("status").asText()).isEqualTo("completed");
        assertThat(json(repo, "state/orchestrator.json").path("iteration").asInt()).isEqualTo(2);
        assertThat(json(repo, "queue/pending.json").get(0).path("title").asText())
                .isEqualTo("add(a, b) returns the sum of a and b");
        assertThat(Files.readString(repo.path(".loki/logs/iterations/iteration-1.prompt.md")))
                .contains("PENDING[1] prd-001: add(a, b) returns the sum of a and b");
        assertThat(Files.readString(repo.path(".loki/CONTINUITY.md"))).contains("# Session Continuity");
        assertThat(repo.path(".loki/signals/COMPLETION_REQUESTED")).doesNotExist();
        assertThat(json(repo, "queue/current-task.json").size()).isZero();
        assertThat(Files.readString(repo.path(".loki/logs/iterations/iteration-1.prompt.md")))
                .contains("<loki_system>", "PRD.md", "COMPLETION_PROMISE");
        assertThat(r.err()).contains("loki rollback to cp-2-");
    }

    @Test
    void always_failing_provider_stops_after_exactly_max_retries_calls_with_exit_1() {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path calls = base.resolve("calls");
        Path agent = FakeAgents.script(base, "agent", "echo call >> " + calls + "\necho boom\nexit 3");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        env.put("LOKI_MAX_RETRIES", "2");
        Loki.Result r = Loki.run(repo.dir(), env, "start");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(FakeAgents.lines(calls)).hasSize(2);
        assertThat(r.out()).contains("failed");
    }

    @Test
    void max_iterations_one_with_failing_provider_exits_3_after_one_call() {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path calls = base.resolve("calls");
        Path agent = FakeAgents.script(base, "agent", "echo call >> " + calls + "\necho boom\nexit 1");
        Loki.Result r = Loki.run(repo.dir(), FakeAgents.command(FakeAgents.env(repo, base), agent), "start",
                "--max-iterations", "1");

        assertThat(r.exit()).as(r.toString()).isEqualTo(LoopResult.MAX_ITERATIONS);
        assertThat(FakeAgents.lines(calls)).hasSize(1);
        assertThat(r.out()).contains("max_iterations_reached");
    }

    @Test
    void exit_zero_with_empty_output_counts_as_a_failure() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path calls = base.resolve("calls");
        Path agent = FakeAgents.script(base, "agent", "echo call >> " + calls + "\nexit 0");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        env.put("LOKI_MAX_RETRIES", "2");
        Loki.Result r = Loki.run(repo.dir(), env, "start");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(FakeAgents.lines(calls)).hasSize(2);
        assertThat(r.err()).contains("exited 0 with no output");
        assertThat(json(repo, "metrics/efficiency/iteration-1.json").path("status").asText()).isEqualTo("failed");
    }

    @Test
    void iteration_timeout_kills_the_whole_process_tree() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path pidFile = base.resolve("child.pid");
        Path agent = FakeAgents.script(base, "agent", "sleep 300 &\necho $! > " + pidFile + "\necho started\nwait");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        env.put("LOKI_ITERATION_TIMEOUT", "1");
        Loki.Result r = Loki.run(repo.dir(), env, "start", "--max-iterations", "1");

        assertThat(r.exit()).as(r.toString()).isEqualTo(LoopResult.MAX_ITERATIONS);
        assertThat(r.err()).contains("timed out");
        long child = Long.parseLong(Files.readString(pidFile).strip());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
        assertThat(json(repo, "autonomy-state.json").path("lastExitCode").asInt()).isEqualTo(124);
    }

    @Test
    void rate_limit_waits_for_the_retry_after_the_provider_printed() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path agent = FakeAgents.script(base, "agent",
                "echo 'Error: 429 Too Many Requests (retry-after: 5) retry-after: 42' >&2\nexit 1");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        env.put("LOKI_MAX_RETRIES", "2");
        Loki.Result r = Loki.run(repo.dir(), env, "start");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("Rate limited: waiting 42s (Retry-After)");
        assertThat(Files.readString(repo.path(".loki/events.jsonl"))).contains("\"rate_limited\"", "\"wait_seconds\":42");
    }

    @Test
    void rate_limited_provider_fails_over_to_the_next_in_the_chain() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        FakeAgents.script(base, "claude", """
                if [ "$1" = "--help" ]; then echo "usage: claude -p"; exit 0; fi
                echo "Claude usage limit reached. Your limit resets 3pm" ; exit 1""");
        Path codexArgs = base.resolve("codex-args");
        FakeAgents.script(base, "codex", "printf '%s\\n' \"$@\" > " + codexArgs + "\necho done coding\n"
                + "touch .loki/signals/COMPLETION_REQUESTED");
        Map<String, String> env = FakeAgents.env(repo, base);
        env.put("LOKI_PROVIDER", "claude");
        env.put("LOKI_FAILOVER", "true");
        Loki.Result r = Loki.run(repo.dir(), env, "start");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("failing over to codex");
        assertThat(FakeAgents.lines(codexArgs)).startsWith("exec", "--full-auto");
        assertThat(json(repo, "state/failover.json").path("currentProvider").asText()).isEqualTo("codex");
    }

    @Test
    void claude_gets_upstream_flags_and_its_stream_json_cost_lands_in_the_metrics() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path args = base.resolve("claude-args");
        FakeAgents.script(base, "claude", "if [ \"$1\" = \"--help\" ]; then echo '--effort <level> --append-system-prompt"
                + " --setting-sources'; exit 0; fi\nprintf '%s\\n' \"$@\" > " + args + "\n" + """
                echo '{"type":"system","subtype":"init","model":"claude-opus-4-7"}'
                echo '{"type":"assistant","message":{"model":"claude-opus-4-7","content":[{"type":"text","text":"Implemented add"},{"type":"tool_use","name":"Bash","input":{}}]}}'
                touch .loki/signals/COMPLETION_REQUESTED
                echo '{"type":"result","subtype":"success","is_error":false,"result":"done","total_cost_usd":0.5,"usage":{"input_tokens":1200,"output_tokens":800,"cache_read_input_tokens":10,"cache_creation_input_tokens":5}}'
                """);
        Map<String, String> env = FakeAgents.env(repo, base);
        env.put("LOKI_PROVIDER", "claude");
        Loki.Result r = Loki.run(repo.dir(), env, "start");

        assertThat(r.exit()).as(r.toString()).isZero();
        List<String> argv = FakeAgents.lines(args);
        assertThat(argv.subList(0, 3)).containsExactly("--dangerously-skip-permissions", "--model", "opus");
        assertThat(argv).containsSequence("--effort", "high").containsSequence("--setting-sources", "user,project,local")
                .contains("--append-system-prompt").doesNotContain("--include-partial-messages");
        int p = argv.indexOf("-p");
        assertThat(argv.get(p + 1)).contains("<loki_system>");
        assertThat(argv.subList(argv.size() - 3, argv.size())).containsExactly("--output-format", "stream-json",
                "--verbose");
        JsonNode eff = json(repo, "metrics/efficiency/iteration-1.json");
        assertThat(eff.path("cost_usd").asDouble()).isEqualTo(0.5);
        assertThat(eff.path("input_tokens").asLong()).isEqualTo(1200);
        assertThat(eff.path("output_tokens").asLong()).isEqualTo(800);
        assertThat(eff.path("model").asText()).isEqualTo("claude-opus-4-7");
        try (var cps = Files.list(repo.path(".loki/state/checkpoints"))) {
            Path cp1 = cps.filter(p1 -> p1.getFileName().toString().startsWith("cp-1-")).findFirst().orElseThrow();
            assertThat(Json.parse(Files.readString(cp1.resolve("metadata.json"))).path("iteration").asInt()).isEqualTo(1);
        }
    }

    @Test
    void claude_stream_reporting_an_error_is_a_failed_iteration_despite_exit_0() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        FakeAgents.script(base, "claude", """
                [ "$1" = "--help" ] && exit 0
                echo '{"type":"result","subtype":"error_during_execution","is_error":true,"result":"API error"}'
                exit 0""");
        Map<String, String> env = FakeAgents.env(repo, base);
        env.put("LOKI_PROVIDER", "claude");
        env.put("LOKI_MAX_RETRIES", "1");
        Loki.Result r = Loki.run(repo.dir(), env, "start");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(json(repo, "autonomy-state.json").path("lastExitCode").asInt()).isEqualTo(1);
    }

    @Test
    void missing_provider_cli_is_one_clear_line_and_nothing_starts() {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Map<String, String> env = FakeAgents.env(repo, base);
        env.put("LOKI_PROVIDER", "aider");
        env.put("PATH", "/usr/bin:/bin");
        Loki.Result r = Loki.run(repo.dir(), env, "start");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("aider", "not found", "pip install", "--provider");
        assertThat(repo.path(".loki")).doesNotExist();
    }

    @Test
    void missing_spec_file_is_an_error() {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Loki.Result r = Loki.run(repo.dir(), FakeAgents.env(repo, base), "start", "nope.md");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("PRD file not found: nope.md");
    }

    @Test
    void human_input_is_quarantined_unless_prompt_injection_is_enabled() throws Exception {
        for (boolean allowed : new boolean[] {false, true}) {
            Path b = Files.createDirectories(base.resolve("case-" + allowed));
            TestRepo repo = FakeAgents.repoWithSpec(b);
            Path agent = FakeAgents.script(b, "agent", """
                    cat > /dev/null
                    echo working
                    [ "$LOKI_ITERATION" = 1 ] && echo "Rename add to plus" > .loki/HUMAN_INPUT.md
                    exit 0""");
            Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, b), agent);
            env.put("LOKI_PROMPT_INJECTION", Boolean.toString(allowed));
            Loki.Result r = Loki.run(repo.dir(), env, "start", "--max-iterations", "2");

            assertThat(r.exit()).as(r.toString()).isEqualTo(LoopResult.MAX_ITERATIONS);
            String prompt2 = Files.readString(repo.path(".loki/logs/iterations/iteration-2.prompt.md"));
            try (var logs = Files.list(repo.path(".loki/logs"))) {
                List<String> names = logs.map(p -> p.getFileName().toString()).toList();
                if (allowed) {
                    assertThat(prompt2).contains("HUMAN_DIRECTIVE (PRIORITY): Rename add to plus");
                    assertThat(names).anyMatch(n -> n.startsWith("human-input-") && !n.contains("REJECTED"));
                } else {
                    assertThat(prompt2).doesNotContain("Rename add to plus");
                    assertThat(names).anyMatch(n -> n.startsWith("human-input-REJECTED-"));
                }
            }
            assertThat(repo.path(".loki/HUMAN_INPUT.md")).doesNotExist();
        }
    }

    @Test
    void config_yaml_sets_limits_and_the_environment_wins_over_it() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path calls = base.resolve("calls");
        Path agent = FakeAgents.script(base, "agent", "echo call >> " + calls + "\necho ok");
        Files.createDirectories(repo.path(".loki"));
        Files.writeString(repo.path(".loki/config.yaml"), "max_iterations: 2\ncouncil:\n  enabled: false\n"
                + "LOKI_MAX_RETRIES: 7\n");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        Loki.Result r = Loki.run(repo.dir(), env, "start");
        assertThat(r.exit()).as(r.toString()).isEqualTo(LoopResult.MAX_ITERATIONS);
        assertThat(FakeAgents.lines(calls)).hasSize(2);
        assertThat(json(repo, "autonomy-state.json").path("maxRetries").asInt()).isEqualTo(7);

        env.put("LOKI_MAX_ITERATIONS", "1");
        Loki.Result again = Loki.run(repo.dir(), env, "start");
        assertThat(again.exit()).as(again.toString()).isEqualTo(LoopResult.MAX_ITERATIONS);
        assertThat(FakeAgents.lines(calls)).hasSize(3);
    }

    @Test
    void broken_config_yaml_is_a_usage_error() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Files.createDirectories(repo.path(".loki"));
        Files.writeString(repo.path(".loki/config.yaml"), "max_iterations: [1\n");
        Path agent = FakeAgents.script(base, "agent", "echo ok");
        Loki.Result r = Loki.run(repo.dir(), FakeAgents.command(FakeAgents.env(repo, base), agent), "start");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("config.yaml");
    }

    @Test
    void quick_writes_a_prd_and_runs_at_most_three_iterations() throws Exception {
        TestRepo repo = TestRepo.create(base);
        Path calls = base.resolve("calls");
        Path agent = FakeAgents.script(base, "agent", "cat > /dev/null\necho call >> " + calls + "\necho ok");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        env.remove("LOKI_COUNCIL_ENABLED");
        Loki.Result r = Loki.run(repo.dir(), env, "quick", "add a --version flag");
        assertThat(r.exit()).as(r.toString()).isEqualTo(LoopResult.MAX_ITERATIONS);
        assertThat(FakeAgents.lines(calls)).hasSize(3);
        try (var s = Files.list(repo.path(".loki"))) {
            Path prd = s.filter(p -> p.getFileName().toString().startsWith("quick-prd-")).findFirst().orElseThrow();
            assertThat(Files.readString(prd)).contains("add a --version flag", "## Requirements");
        }
        assertThat(repo.path(".loki/council/state.json")).doesNotExist();
    }

    @Test
    void budget_limit_pauses_the_run_until_a_stop() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path calls = base.resolve("calls");
        FakeAgents.script(base, "claude", "[ \"$1\" = \"--help\" ] && exit 0\necho call >> " + calls + "\n"
                + "echo '{\"type\":\"result\",\"is_error\":false,\"result\":\"ok\",\"total_cost_usd\":0.5}'");
        Map<String, String> env = FakeAgents.env(repo, base);
        env.put("LOKI_PROVIDER", "claude");
        env.put("LOKI_BUDGET_LIMIT", "$0.80");
        java.util.concurrent.CompletableFuture<Loki.Result> run =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> Loki.run(repo.dir(), env, "start"));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                .until(() -> Files.exists(repo.path(".loki/PAUSED.md")));
        assertThat(FakeAgents.lines(calls)).hasSize(2);
        assertThat(repo.path(".loki/signals/BUDGET_EXCEEDED")).exists();
        assertThat(json(repo, "metrics/budget.json").path("exceeded").asBoolean()).isTrue();
        assertThat(json(repo, "metrics/budget.json").path("budget_used").asDouble()).isEqualTo(1.0);
        Files.writeString(repo.path(".loki/STOP"), "");
        Loki.Result r = run.get(60, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(r.exit()).as(r.toString()).isEqualTo(LoopResult.BUDGET_EXCEEDED);
        assertThat(r.err()).contains("Budget limit $0.80 reached");
        assertThat(json(repo, "autonomy-state.json").path("status").asText()).isEqualTo("budget_exceeded");
        assertThat(FakeAgents.lines(calls)).hasSize(2);
    }

    @Test
    void perpetual_mode_ignores_completion_claims_and_runs_to_the_cap() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path calls = base.resolve("calls");
        Path agent = FakeAgents.script(base, "agent", "cat > /dev/null\necho call >> " + calls
                + "\necho done\ntouch .loki/signals/COMPLETION_REQUESTED");
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        env.put("LOKI_PERPETUAL_MODE", "true");
        env.remove("LOKI_COUNCIL_ENABLED");
        Loki.Result r = Loki.run(repo.dir(), env, "start", "--max-iterations", "3");

        assertThat(r.exit()).as(r.toString()).isEqualTo(LoopResult.MAX_ITERATIONS);
        assertThat(FakeAgents.lines(calls)).hasSize(3);
        assertThat(r.out()).contains("max_iterations_reached");
        JsonNode orch = Json.parse(Files.readString(repo.path(".loki/state/orchestrator.json")));
        assertThat(orch.path("currentPhase").asText()).isEqualTo("VERIFY");
        assertThat(orch.path("iteration").asInt()).isEqualTo(3);
    }
}
