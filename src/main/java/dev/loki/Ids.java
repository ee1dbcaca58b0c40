package dev.loki;

import java.nio.file.Path;
import java.util.regex.Pattern;

/** Validation of ids that come from users or HTTP before they reach the filesystem. */
public final class Ids {
    private static final Pattern SAFE_ID = Pattern.compile("^[A-Za-z0-9_-]{1,128}$");

    private Ids() {
    }

    public static boolean isSafe(String id) {
        return id != null && SAFE_ID.matcher(id).matches();
    }

    /**
     * Returns {@code dir/id} after checking the id's shape and that the resolved path stays
     * inside {@code dir}; throws a usage error (exit 2) otherwise.
     */
    public static Path resolveInside(Path dir, String id, String what) {
        if (!isSafe(id)) {
            throw LokiException.badInput("Invalid " + what + " id '" + Quote.excerpt(id, 60)
                    + "': use 1-128 letters, digits, '-' or '_'");
        }
        Path base = dir.toAbsolutePath().normalize();
        Path resolved = base.resolve(id).normalize();
        if (!resolved.startsWith(base) || resolved.equals(base)) {
            throw LokiException.badInput("Invalid " + what + " id '" + Quote.excerpt(id, 60) + "'");
        }
        return resolved;
    }

}
