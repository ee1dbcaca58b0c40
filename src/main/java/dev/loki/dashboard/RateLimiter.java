package dev.loki.dashboard;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token buckets per client and route group ({@code read}, {@code control}, {@code admin},
 * {@code auth}), so one client exhausting its own control budget never blocks anyone else's
 * (upstream kept one global "control" bucket for everybody). At most 10,000 buckets are kept;
 * the least recently used is dropped first.
 */
public final class RateLimiter {
    private static final int MAX_KEYS = 10_000;

    private final Map<String, Integer> perMinute;
    private final Map<String, Bucket> buckets = new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > MAX_KEYS;
        }
    };

    private static final class Bucket {
        double tokens;
        long lastNanos;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.lastNanos = now;
        }
    }

    /** @param perMinute requests a client may make per minute in each group (also the burst size) */
    public RateLimiter(Map<String, Integer> perMinute) {
        this.perMinute = Map.copyOf(perMinute);
    }

    public static RateLimiter fromEnv(Map<String, String> env) {
        return new RateLimiter(Map.of(
                "read", number(env, "LOKI_DASHBOARD_RATE_READ", 1200),
                "control", number(env, "LOKI_DASHBOARD_RATE_CONTROL", 60),
                "admin", number(env, "LOKI_DASHBOARD_RATE_ADMIN", 30),
                "auth", number(env, "LOKI_DASHBOARD_RATE_AUTH", 30)));
    }

    private static int number(Map<String, String> env, String name, int dflt) {
        try {
            int n = Integer.parseInt(env.getOrDefault(name, "").strip());
            return n > 0 ? n : dflt;
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /** Takes one request from the bucket; 0 when allowed, else the seconds to wait. */
    public synchronized long acquire(String client, String group) {
        int rate = perMinute.getOrDefault(group, 60);
        long now = System.nanoTime();
        Bucket b = buckets.computeIfAbsent(group + "\u0000" + client, k -> new Bucket(rate, now));
        double refillPerNano = rate / 60e9;
        b.tokens = Math.min(rate, b.tokens + (now - b.lastNanos) * refillPerNano);
        b.lastNanos = now;
        if (b.tokens >= 1) {
            b.tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - b.tokens) / refillPerNano / 1e9));
    }
}
