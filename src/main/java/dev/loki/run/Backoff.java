package dev.loki.run;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Upstream's exponential backoff, {@code min(max, base * 2^min(retry, 30) + jitter)}, with the
 * jitter bounded by the base wait as well as by 30 s, so a fast base (tests) stays fast.
 */
public record Backoff(Duration base, Duration max) {

    public Duration forRetry(int retry) {
        double factor = Math.pow(2, Math.min(Math.max(retry, 0), 30));
        long baseMs = base.toMillis();
        long jitterBound = Math.min(30_000, baseMs);
        long jitter = jitterBound > 0 ? ThreadLocalRandom.current().nextLong(jitterBound) : 0;
        double ms = Math.min((double) max.toMillis(), baseMs * factor + jitter);
        return Duration.ofMillis((long) ms);
    }
}
