package dev.loki.provider;

import dev.loki.LokiException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Typed reads of {@code LOKI_*} settings from one environment map (the real environment merged
 * with {@code .loki/config.yaml}). A malformed number is a usage error naming the variable,
 * never a silent default.
 */
public record EnvReader(Map<String, String> env) {

    public EnvReader {
        env = Map.copyOf(env);
    }

    public Optional<String> get(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }

    public String get(String name, String dflt) {
        return get(name).orElse(dflt);
    }

    /** Upstream's truthiness: 1/true/yes/on, case-insensitive. */
    public static boolean truthy(String v) {
        if (v == null) {
            return false;
        }
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on" -> true;
            default -> false;
        };
    }

    /** False only for 0/false/no/off; unset gives {@code dflt}. */
    public boolean flag(String name, boolean dflt) {
        Optional<String> v = get(name);
        if (v.isEmpty()) {
            return dflt;
        }
        String s = v.get().toLowerCase(Locale.ROOT);
        if (s.equals("0") || s.equals("false") || s.equals("no") || s.equals("off")) {
            return false;
        }
        return truthy(s) || dflt;
    }

    public int integer(String name, int dflt, int min, int max) {
        Optional<String> v = get(name);
        if (v.isEmpty()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.get());
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw LokiException.badInput(name + "='" + v.get() + "' is not a whole number from " + min + " to " + max);
        }
    }

    /** A duration in seconds; decimals allowed (tests use 0.01 so backoffs are instant). */
    public Duration seconds(String name, Duration dflt) {
        Optional<String> v = get(name);
        if (v.isEmpty()) {
            return dflt;
        }
        try {
            double s = Double.parseDouble(v.get());
            if (s < 0 || Double.isNaN(s) || s > 30L * 24 * 3600) {
                throw new NumberFormatException();
            }
            return Duration.ofNanos((long) (s * 1_000_000_000L));
        } catch (NumberFormatException e) {
            throw LokiException.badInput(name + "='" + v.get() + "' is not a number of seconds (e.g. 60 or 0.5)");
        }
    }
}
