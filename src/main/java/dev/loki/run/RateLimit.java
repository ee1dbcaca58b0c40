package dev.loki.run;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises a rate-limited call from its output and says how long to wait: for Claude, until
 * the "resets 3pm" time it printed (plus 2 minutes); else the last Retry-After value; else
 * 7200/RPM seconds clamped to [60, 300].
 */
public final class RateLimit {
    private static final Pattern DETECT = Pattern.compile(
            "429|rate.?limit|too many requests|quota exceeded|request limit|retry.?after", Pattern.CASE_INSENSITIVE);
    private static final Pattern RESETS = Pattern.compile(
            "resets (?:at )?(\\d{1,2})(?::(\\d{2}))?\\s*([ap]m)(?:\\s*\\(([^)]+)\\))?", Pattern.CASE_INSENSITIVE);
    private static final Pattern RESETS_STRICT = Pattern.compile("resets [0-9]+[ap]m");
    private static final Pattern RETRY_AFTER = Pattern.compile("retry.?after:?\\s*(\\d+)", Pattern.CASE_INSENSITIVE);

    /** The wait and where it came from (for the log line). */
    public record Wait(Duration duration, String source) {
    }

    private RateLimit() {
    }

    public static boolean detect(String output) {
        return DETECT.matcher(output).find() || RESETS_STRICT.matcher(output).find();
    }

    public static Wait waitFor(String output, String provider, int rpm, ZonedDateTime now) {
        if (provider.equals("claude")) {
            Optional<Duration> reset = untilReset(output, now);
            if (reset.isPresent()) {
                return new Wait(reset.get().plusSeconds(120), "reset time");
            }
        }
        Matcher m = RETRY_AFTER.matcher(output);
        long retryAfter = -1;
        while (m.find()) {
            try {
                retryAfter = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                retryAfter = -1;
            }
        }
        if (retryAfter > 0) {
            return new Wait(Duration.ofSeconds(retryAfter), "Retry-After");
        }
        long s = Math.max(60, Math.min(300, 7200 / Math.max(1, rpm)));
        return new Wait(Duration.ofSeconds(s), rpm + " requests/min");
    }

    static Optional<Duration> untilReset(String output, ZonedDateTime now) {
        Matcher m = RESETS.matcher(output);
        Matcher last = null;
        int hour = -1;
        int minute = 0;
        String ampm = "";
        String zone = null;
        while (m.find()) {
            last = m;
            hour = Integer.parseInt(m.group(1));
            minute = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
            ampm = m.group(3).toLowerCase();
            zone = m.group(4);
        }
        if (last == null || hour < 1 || hour > 12 || minute > 59) {
            return Optional.empty();
        }
        int h24 = (hour % 12) + (ampm.equals("pm") ? 12 : 0);
        ZonedDateTime here = now;
        if (zone != null) {
            try {
                here = now.withZoneSameInstant(ZoneId.of(zone.strip()));
            } catch (DateTimeException e) {
                here = now;
            }
        }
        ZonedDateTime reset = here.with(LocalTime.of(h24, minute));
        if (!reset.isAfter(here)) {
            reset = reset.plusDays(1);
        }
        return Optional.of(Duration.between(here, reset));
    }
}
