package dev.loki.memory;

import java.util.Locale;
import java.util.Map;

/**
 * How memory behaves, from the environment: {@code LOKI_MEMORY=false} (or upstream's
 * {@code LOKI_SKIP_MEMORY=true}) keeps it out of prompts and records no episodes;
 * {@code LOKI_MEMORY_MAX} caps how many memories are kept (oldest pruned first);
 * {@code LOKI_MEMORY_PROMPT_TOKENS} and {@code LOKI_MEMORY_TOP} budget the prompt block.
 */
public record MemorySettings(boolean enabled, int maxMemories, int promptTokens, int promptTop) {
    public static final int DEFAULT_MAX = 5000;

    public static MemorySettings fromEnv(Map<String, String> env) {
        boolean off = isFalse(env.get("LOKI_MEMORY")) || isTrue(env.get("LOKI_SKIP_MEMORY"));
        return new MemorySettings(!off, positive(env.get("LOKI_MEMORY_MAX"), DEFAULT_MAX),
                positive(env.get("LOKI_MEMORY_PROMPT_TOKENS"), 600), positive(env.get("LOKI_MEMORY_TOP"), 3));
    }

    private static boolean isTrue(String v) {
        return v != null && switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on" -> true;
            default -> false;
        };
    }

    private static boolean isFalse(String v) {
        return v != null && switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "0", "false", "no", "off" -> true;
            default -> false;
        };
    }

    private static int positive(String v, int dflt) {
        try {
            int n = Integer.parseInt(v == null ? "" : v.strip());
            return n > 0 ? n : dflt;
        } catch (NumberFormatException e) {
            return dflt;
        }
    }
}
