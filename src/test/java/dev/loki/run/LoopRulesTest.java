package dev.loki.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.provider.EnvReader;
import dev.loki.store.LokiDir;
import dev.loki.store.Signals;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop's rules one at a time: state file, signals, budget, rate limits, backoff. */
class LoopRulesTest {
    @TempDir
    Path base;

    LokiDir dir;
    RunLog log;

    @BeforeEach
    void setUp() throws Exception {
        dir = new LokiDir(base.resolve(".loki"), base);
        Files.createDirectories(dir.path());
        log = new RunLog(new PrintStream(new ByteArrayOutputStream(), true), dir.resolve("logs/session.log"), false);
    }

    private Intervention intervention(boolean injection) {
        Map<String, String> env = injection ? Map.of("LOKI_PROMPT_INJECTION", "true", "LOKI_PAUSE_POLL", "0.02")
                : Map.of("LOKI_PAUSE_POLL", "0.02");
        return new Intervention(dir, RunSettings.from(new EnvReader(env), true), log, () -> false, () -> { });
    }

    @Test
    void state_round_trips_with_four_space_indent_and_no_temp_files() throws Exception {
        StateStore s = new StateStore(dir);
        s.save(new AutonomyState(2, 7, "running", 0, "t", "./p \"q\".md", 42, 50, 60, "run-x"));
        AutonomyState back = s.load();
        assertThat(back).isEqualTo(new AutonomyState(2, 7, "running", 0, "t", "./p \"q\".md", 42, 50, 60, "run-x"));
        assertThat(Files.readString(s.file())).startsWith("{\n    \"retryCount\": 2,");
        try (var l = Files.list(dir.path())) {
            assertThat(l.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp"));
        }
    }

    @Test
    void corrupt_or_negative_counters_are_quarantined_and_reset() throws Exception {
        StateStore s = new StateStore(dir);
        for (String bad : new String[] {"{not json", "{\"retryCount\": -1, \"iterationCount\": 3}",
            "{\"retryCount\": \"x\", \"iterationCount\": 3}"}) {
            Files.writeString(s.file(), bad);
            assertThat(s.load().iterationCount()).isZero();
            assertThat(s.file()).doesNotExist();
        }
        try (var l = Files.list(dir.path())) {
            assertThat(l.filter(p -> p.getFileName().toString().startsWith("autonomy-state.json.corrupt."))).isNotEmpty();
        }
    }

    @Test
    void crlf_state_parses_and_finished_statuses_reset_while_others_resume() throws Exception {
        StateStore s = new StateStore(dir);
        Files.writeString(s.file(), "{\r\n    \"retryCount\": 1,\r\n    \"iterationCount\": 4,\r\n"
                + "    \"status\": \"running\"\r\n}\r\n");
        assertThat(s.loadForResume().iterationCount()).isEqualTo(4);
        for (String st : new String[] {"failed", "max_iterations_reached", "council_approved"}) {
            s.save(new AutonomyState(1, 4, st, 0, "", "", 1, 50, 60, "r"));
            assertThat(s.loadForResume().iterationCount()).as(st).isZero();
        }
        for (String st : new String[] {"stopped", "paused", "interrupted", "exited"}) {
            s.save(new AutonomyState(1, 4, st, 0, "", "", 1, 50, 60, "r"));
            assertThat(s.loadForResume().iterationCount()).as(st).isEqualTo(4);
        }
    }

    @Test
    void stop_is_consumed_and_pause_takes_priority_until_stop_arrives() throws Exception {
        Signals sig = new Signals(dir);
        sig.requestStop();
        assertThat(intervention(false).check().stop()).isTrue();
        assertThat(sig.isSet(Signals.STOP)).isFalse();
        assertThat(intervention(false).check().stop()).isFalse();

        sig.requestPause();
        sig.requestStop();
        assertThat(intervention(false).check().stop()).isTrue();
        assertThat(sig.isSet(Signals.PAUSE)).isFalse();

        sig.requestPause();
        CompletableFuture<Intervention.Result> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return intervention(false).check();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        org.awaitility.Awaitility.await().until(() -> sig.isSet(Signals.PAUSED_NOTE));
        assertThat(waiting).isNotDone();
        sig.clear(Signals.PAUSE);
        assertThat(waiting.get(10, TimeUnit.SECONDS).stop()).isFalse();
        assertThat(sig.isSet(Signals.PAUSED_NOTE)).isFalse();
    }

    @Test
    void pause_at_checkpoint_becomes_a_pause() throws Exception {
        Signals sig = new Signals(dir);
        sig.raise(Signals.PAUSE_AT_CHECKPOINT);
        CompletableFuture<Intervention.Result> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return intervention(false).check();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        org.awaitility.Awaitility.await().until(() -> sig.isSet(Signals.PAUSE));
        assertThat(sig.isSet(Signals.PAUSE_AT_CHECKPOINT)).isFalse();
        sig.requestStop();
        assertThat(waiting.get(10, TimeUnit.SECONDS).stop()).isTrue();
    }

    @Test
    void human_input_of_exactly_1_mb_is_accepted_larger_or_symlinked_is_refused_empty_is_ignored() throws Exception {
        Path input = dir.resolve(Signals.HUMAN_INPUT);
        Files.write(input, new byte[0]);
        assertThat(intervention(true).check().directive()).isEmpty();
        assertThat(input).exists();

        Files.writeString(input, "a".repeat(1024 * 1024));
        assertThat(intervention(true).check().directive()).hasValueSatisfying(d -> assertThat(d).hasSize(1024 * 1024));

        Files.writeString(input, "a".repeat(1024 * 1024 + 1));
        assertThat(intervention(true).check().directive()).isEmpty();

        Path target = Files.writeString(base.resolve("elsewhere.md"), "do something");
        Files.createSymbolicLink(input, target);
        assertThat(intervention(true).check().directive()).isEmpty();
        assertThat(target).exists();
        try (var l = Files.list(dir.resolve("logs"))) {
            assertThat(l.map(p -> p.getFileName().toString())).anyMatch(n -> n.contains("REJECTED-TOOLARGE"))
                    .anyMatch(n -> n.contains("REJECTED-SYMLINK"));
        }
    }

    @Test
    void budget_warns_at_80_percent_and_pauses_at_the_limit() throws Exception {
        Metrics m = new Metrics(dir);
        Budget b = new Budget(dir, RunSettings.budget("$1.00"));
        assertThat(b.check()).isEqualTo(Budget.Level.OK);
        assertThat(dir.resolve("metrics/budget.json")).doesNotExist();
        m.efficiency(1, "claude", new dev.loki.provider.Usage("opus", 0, 0, 0, 0, Optional.of(0.85)), "completed", 1);
        assertThat(b.check()).isEqualTo(Budget.Level.WARNING);
        assertThat(new Signals(dir).isSet(Signals.PAUSE)).isFalse();
        m.efficiency(2, "claude", new dev.loki.provider.Usage("sonnet", 50_000, 0, 0, 0, Optional.empty()),
                "completed", 1);
        assertThat(b.spend()).isEqualTo(1.0);
        assertThat(b.check()).isEqualTo(Budget.Level.EXCEEDED);
        assertThat(new Signals(dir).isSet(Signals.PAUSE)).isTrue();
        assertThat(new Signals(dir).read(Signals.BUDGET_EXCEEDED).orElse("")).contains("\"BUDGET_EXCEEDED\"");
    }

    @Test
    void a_spend_limit_that_cannot_be_read_or_is_zero_is_refused_not_taken_as_no_limit() {
        assertThat(RunSettings.budget("")).isEmpty();
        assertThat(RunSettings.budget("  ")).isEmpty();
        assertThat(RunSettings.budget("$1.00")).contains(1.0);
        assertThat(RunSettings.budget("1,000")).contains(1000.0);
        assertThat(RunSettings.budget(" 2.5 ")).contains(2.5);
        for (String bad : new String[] {"abc", "five dollars", "-5", "0", "0.00", "$0", "5 USD", "1e3"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> RunSettings.budget(bad)).as(bad)
                    .isInstanceOf(dev.loki.LokiException.class).hasMessageContaining("LOKI_BUDGET_LIMIT");
        }
    }

    @Test
    void rate_limits_are_detected_and_waits_follow_upstream_order() {
        for (String s : new String[] {"HTTP 429", "rate limit hit", "Rate-Limit", "Too Many Requests",
            "quota exceeded", "request limit", "Retry-After: 3", "resets 3pm"}) {
            assertThat(RateLimit.detect(s)).as(s).isTrue();
        }
        assertThat(RateLimit.detect("all good")).isFalse();
        ZonedDateTime now = ZonedDateTime.of(2026, 1, 1, 14, 0, 0, 0, ZoneOffset.UTC);
        assertThat(RateLimit.waitFor("retry-after: 5 ... retry-after: 42", "codex", 60, now).duration())
                .isEqualTo(Duration.ofSeconds(42));
        assertThat(RateLimit.waitFor("429", "codex", 60, now).duration()).isEqualTo(Duration.ofSeconds(120));
        assertThat(RateLimit.waitFor("429", "x", 10, now).duration()).isEqualTo(Duration.ofSeconds(300));
        assertThat(RateLimit.waitFor("429", "x", 500, now).duration()).isEqualTo(Duration.ofSeconds(60));
        assertThat(RateLimit.waitFor("limit resets 3pm (UTC)", "claude", 50, now).duration())
                .isEqualTo(Duration.ofSeconds(3600 + 120));
        assertThat(RateLimit.waitFor("limit resets 1pm (UTC)", "claude", 50, now).duration())
                .isEqualTo(Duration.ofHours(23).plusSeconds(120));
    }

    @Test
    void backoff_doubles_and_is_capped() {
        Backoff b = new Backoff(Duration.ofSeconds(60), Duration.ofSeconds(3600));
        assertThat(b.forRetry(0)).isBetween(Duration.ofSeconds(60), Duration.ofSeconds(90));
        assertThat(b.forRetry(2)).isBetween(Duration.ofSeconds(240), Duration.ofSeconds(270));
        assertThat(b.forRetry(40)).isEqualTo(Duration.ofSeconds(3600));
    }

    @Test
    void a_spec_sets_the_completion_promise_and_checkpoint_mode_unless_forced_perpetual() {
        RunSettings s = RunSettings.from(new EnvReader(Map.of()), true);
        assertThat(s.completionPromise()).isEqualTo(RunSettings.DEFAULT_PROMISE);
        assertThat(s.mode()).isEqualTo(AutonomyMode.CHECKPOINT);
        assertThat(s.perpetual()).isFalse();
        RunSettings p = RunSettings.from(new EnvReader(Map.of("LOKI_PERPETUAL_MODE", "true")), true);
        assertThat(p.perpetual()).isTrue();
        RunSettings f = RunSettings.from(new EnvReader(Map.of("LOKI_FORCE_PERPETUAL", "yes")), true);
        assertThat(f.mode()).isEqualTo(AutonomyMode.PERPETUAL);
    }
}
