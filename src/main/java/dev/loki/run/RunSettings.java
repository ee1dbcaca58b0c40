package dev.loki.run;

import dev.loki.LokiException;
import dev.loki.provider.EnvReader;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The loop's settings, read once at start from the environment merged with config.yaml.
 * Defaults are upstream's bash defaults; every wait accepts decimal seconds so tests and
 * benchmarks can run the real loop with instant backoffs.
 */
public record RunSettings(
        int maxIterations,
        int maxRetries,
        Duration baseWait,
        Duration maxWait,
        Duration rateLimitMaxWait,
        Duration iterationTimeout,
        Duration pausePoll,
        AutonomyMode mode,
        boolean perpetual,
        String completionPromise,
        boolean legacyCompletionMatch,
        Optional<Double> budgetLimit,
        boolean promptInjection,
        boolean failover,
        List<String> failoverChain,
        boolean gates,
        boolean council,
        boolean checkpoints) {

    public static final String DEFAULT_PROMISE = "All PRD requirements implemented and tests passing";

    /** @param hasSpec a PRD was given: upstream then sets a completion promise and checkpoint mode */
    public static RunSettings from(EnvReader env, boolean hasSpec) {
        String promise = env.get("LOKI_COMPLETION_PROMISE", "");
        AutonomyMode mode = AutonomyMode.parse(env.get("LOKI_AUTONOMY_MODE", "perpetual"));
        if (hasSpec && promise.isEmpty() && env.flag("LOKI_AUTO_COMPLETION_PROMISE", true)) {
            promise = DEFAULT_PROMISE;
            if (mode == AutonomyMode.PERPETUAL && !EnvReader.truthy(env.get("LOKI_FORCE_PERPETUAL", ""))) {
                mode = AutonomyMode.CHECKPOINT;
            }
        }
        boolean perpetual = EnvReader.truthy(env.get("LOKI_PERPETUAL_MODE", ""))
                || (mode == AutonomyMode.PERPETUAL && promise.isEmpty());
        return new RunSettings(
                env.integer("LOKI_MAX_ITERATIONS", 1000, 1, 10_000_000),
                env.integer("LOKI_MAX_RETRIES", 50, 1, 1_000_000),
                env.seconds("LOKI_BASE_WAIT", Duration.ofSeconds(60)),
                env.seconds("LOKI_MAX_WAIT", Duration.ofSeconds(3600)),
                env.seconds("LOKI_RATE_LIMIT_MAX_WAIT", Duration.ofHours(25)),
                env.seconds("LOKI_ITERATION_TIMEOUT", Duration.ofMinutes(60)),
                env.seconds("LOKI_PAUSE_POLL", Duration.ofSeconds(1)),
                mode,
                perpetual,
                promise,
                EnvReader.truthy(env.get("LOKI_LEGACY_COMPLETION_MATCH", "")),
                budget(env.get("LOKI_BUDGET_LIMIT", "")),
                EnvReader.truthy(env.get("LOKI_PROMPT_INJECTION", "")),
                EnvReader.truthy(env.get("LOKI_FAILOVER", "")),
                Arrays.stream(env.get("LOKI_FAILOVER_CHAIN", "claude,codex").split(","))
                        .map(String::strip).filter(s -> !s.isEmpty()).toList(),
                env.flag("LOKI_GATES", true),
                env.flag("LOKI_COUNCIL", true) && env.flag("LOKI_COUNCIL_ENABLED", true),
                env.flag("LOKI_CHECKPOINTS", true));
    }

    /**
     * USD: "5", "2.50", "$5.00", "1,000"; empty (or unset) is no limit. Anything else is refused
     * rather than read as no limit (upstream stripped every non-digit, so "five" or "-5" ran
     * without a cap, and "0" too): a spend limit that silently does nothing is worse than none.
     */
    static Optional<Double> budget(String raw) {
        String v = raw.strip();
        if (v.isEmpty()) {
            return Optional.empty();
        }
        String number = v.replaceFirst("^\\$\\s*", "").replace(",", "");
        if (!number.matches("[0-9]+(\\.[0-9]+)?|\\.[0-9]+")) {
            throw LokiException.badInput("LOKI_BUDGET_LIMIT must be a number of USD, e.g. 5 or 2.50 (got '"
                    + dev.loki.Quote.excerpt(v, 40) + "'); unset it for no limit");
        }
        double usd = Double.parseDouble(number);
        if (usd <= 0) {
            throw LokiException.badInput("LOKI_BUDGET_LIMIT must be more than 0 USD (got '"
                    + dev.loki.Quote.excerpt(v, 40) + "'); unset it for no limit");
        }
        return Optional.of(usd);
    }
}
