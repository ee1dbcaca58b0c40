package dev.loki.proof;

import java.util.List;
import java.util.Map;

/**
 * The open-core seam ({@code LOKI_TIER}, default {@code oss}; {@code LOKI_LICENSE_KEY}). OSS
 * allows everything with no network and no key. A paid tier without a key is refused, and the
 * refusal is honoured (upstream printed it and published anyway); with a key it is allowed
 * with a note that keys are not verified, because no verification service exists. Only the
 * opt-in hosted publish asks; no free feature ever consults it (docs/OPEN-CORE-BOUNDARY.md).
 */
public final class TierGate {
    /** The gate's answer and what to tell the user. */
    public record Decision(boolean allowed, List<String> notes) {
        public Decision {
            notes = List.copyOf(notes);
        }
    }

    private TierGate() {
    }

    public static String tier(Map<String, String> env) {
        String t = env.getOrDefault("LOKI_TIER", "");
        return t.isBlank() ? "oss" : t.strip();
    }

    public static Decision check(Map<String, String> env, String capability) {
        String tier = tier(env);
        if ("oss".equals(tier)) {
            return new Decision(true, List.of());
        }
        String key = env.getOrDefault("LOKI_LICENSE_KEY", "");
        if (key.isBlank()) {
            return new Decision(false, List.of(
                    "LOKI_TIER='" + tier + "' requested but no LOKI_LICENSE_KEY set (capability: " + capability + ").",
                    "Hosted/enterprise license verification is not available yet.",
                    "OSS users: leave LOKI_TIER unset (or 'oss') -- everything stays free."));
        }
        return new Decision(true, List.of(
                "LOKI_LICENSE_KEY set but the verification backend is not available yet: the key was not verified."));
    }
}
