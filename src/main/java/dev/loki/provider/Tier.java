package dev.loki.provider;

import java.util.Locale;

/** The capability tier an iteration asks for; each provider maps it to a model or an effort. */
public enum Tier {
    PLANNING, DEVELOPMENT, FAST;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The session tier: {@code LOKI_SESSION_MODEL} (default sonnet) names a model or a tier;
     * {@code LOKI_LEGACY_TIER_SWITCHING} rotates by iteration (0 planning, 1-2 development, 3 fast).
     */
    public static Tier forIteration(EnvReader env, int iteration) {
        if (EnvReader.truthy(env.get("LOKI_LEGACY_TIER_SWITCHING", ""))) {
            return switch (Math.floorMod(iteration, 4)) {
                case 0 -> PLANNING;
                case 3 -> FAST;
                default -> DEVELOPMENT;
            };
        }
        return switch (env.get("LOKI_SESSION_MODEL", "sonnet").toLowerCase(Locale.ROOT)) {
            case "opus", "planning" -> PLANNING;
            case "haiku", "fast" -> FAST;
            default -> DEVELOPMENT;
        };
    }
}
