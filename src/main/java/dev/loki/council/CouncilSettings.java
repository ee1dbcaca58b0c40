package dev.loki.council;

import dev.loki.gate.GateSettings;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The council's settings with upstream's names and defaults. The threshold is the ceiling of
 * two thirds of the size (2 of 3), as upstream computes it; {@code LOKI_COUNCIL_THRESHOLD},
 * display-only upstream, is honoured here when it asks for more approvals, never fewer.
 */
public record CouncilSettings(boolean enabled, int size, int threshold, int checkInterval, int minIterations,
        int stagnationLimit, int doneSignalLimit, int convergenceWindow, Severity severityThreshold,
        boolean blindValidation, Duration memberTimeout) {

    /** Issue severities, lowest first. */
    public enum Severity {
        LOW, MEDIUM, HIGH, CRITICAL;

        static java.util.Optional<Severity> parse(String s) {
            try {
                return java.util.Optional.of(valueOf(s.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                return java.util.Optional.empty();
            }
        }
    }

    public static CouncilSettings fromEnv(Map<String, String> env) {
        int size = Math.min(9, GateSettings.positive(env, "LOKI_COUNCIL_SIZE", 3));
        int threshold = (size * 2 + 2) / 3;
        int asked = GateSettings.positive(env, "LOKI_COUNCIL_THRESHOLD", threshold);
        threshold = Math.min(size, Math.max(threshold, asked));
        return new CouncilSettings(
                GateSettings.flag(env, "LOKI_COUNCIL_ENABLED", true),
                size, threshold,
                GateSettings.positive(env, "LOKI_COUNCIL_CHECK_INTERVAL", 5),
                GateSettings.positive(env, "LOKI_COUNCIL_MIN_ITERATIONS", 3),
                GateSettings.positive(env, "LOKI_COUNCIL_STAGNATION_LIMIT", 5),
                GateSettings.positive(env, "LOKI_COUNCIL_DONE_SIGNAL_LIMIT", 10),
                GateSettings.positive(env, "LOKI_COUNCIL_CONVERGENCE_WINDOW", 3),
                Severity.parse(env.getOrDefault("LOKI_COUNCIL_SEVERITY_THRESHOLD", "low")).orElse(Severity.LOW),
                GateSettings.flag(env, "LOKI_BLIND_VALIDATION", true),
                Duration.ofSeconds(GateSettings.positive(env, "LOKI_COUNCIL_TIMEOUT", 300)));
    }
}
