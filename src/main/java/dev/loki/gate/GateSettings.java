package dev.loki.gate;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The gate switches and limits, read once from the environment with upstream's names and
 * defaults. Unparseable numbers fall back to the default rather than failing a run.
 */
public record GateSettings(boolean hardGates, boolean staticAnalysis, boolean unitTests, boolean codeReview,
        int clearLimit, int escalateLimit, int pauseLimit, Duration gateTimeout, Duration pytestTimeout,
        Duration reviewTimeout, Optional<String> testCommand, boolean handoffDocs) {

    public static GateSettings fromEnv(Map<String, String> env) {
        Duration gate = seconds(env, "LOKI_GATE_TIMEOUT", 300);
        int clear = positive(env, "LOKI_GATE_CLEAR_LIMIT", 3);
        int escalate = Math.max(clear, positive(env, "LOKI_GATE_ESCALATE_LIMIT", 5));
        int pause = Math.max(escalate, positive(env, "LOKI_GATE_PAUSE_LIMIT", 10));
        String cmd = env.getOrDefault("LOKI_TEST_CMD", "").strip();
        return new GateSettings(
                flag(env, "LOKI_HARD_GATES", true),
                // upstream reads the bare PHASE_STATIC_ANALYSIS; the LOKI_-prefixed name is accepted too
                flag(env, "PHASE_STATIC_ANALYSIS", true) && flag(env, "LOKI_PHASE_STATIC_ANALYSIS", true),
                flag(env, "LOKI_PHASE_UNIT_TESTS", true),
                flag(env, "LOKI_PHASE_CODE_REVIEW", true),
                clear, escalate, pause, gate,
                env.containsKey("LOKI_PYTEST_TIMEOUT") ? seconds(env, "LOKI_PYTEST_TIMEOUT", 300) : gate,
                seconds(env, "LOKI_REVIEW_TIMEOUT", (int) Math.min(gate.toSeconds(), Integer.MAX_VALUE)),
                cmd.isEmpty() ? Optional.empty() : Optional.of(cmd),
                flag(env, "LOKI_HANDOFF_MD", true));
    }

    /** Upstream's truthiness: 1/true/yes/on are true, 0/false/no/off are false, anything else the default. */
    public static boolean flag(Map<String, String> env, String name, boolean dflt) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on":
                return true;
            case "0", "false", "no", "off":
                return false;
            default:
                return dflt;
        }
    }

    public static int positive(Map<String, String> env, String name, int dflt) {
        try {
            int n = Integer.parseInt(env.getOrDefault(name, "").strip());
            return n > 0 ? n : dflt;
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    static Duration seconds(Map<String, String> env, String name, int dflt) {
        return Duration.ofSeconds(positive(env, name, dflt));
    }
}
