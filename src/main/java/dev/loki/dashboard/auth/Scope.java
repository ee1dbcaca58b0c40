package dev.loki.dashboard.auth;

import io.javalin.security.RouteRole;
import java.util.Locale;
import java.util.Optional;

/**
 * What a caller may do. Scopes are ordered: {@code admin} includes {@code control}, which
 * includes {@code read}. {@link #PUBLIC} is not a scope a credential can hold; it marks the few
 * routes that need none (the health probe, the login page and the static UI files).
 */
public enum Scope implements RouteRole {
    PUBLIC, READ, CONTROL, ADMIN;

    /** True when a holder of this scope may call a route that requires {@code required}. */
    public boolean includes(Scope required) {
        return required == PUBLIC || (this != PUBLIC && ordinal() >= required.ordinal());
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code read}, {@code control} or {@code admin}; anything else (including public) is empty. */
    public static Optional<Scope> parse(String s) {
        if (s == null) {
            return Optional.empty();
        }
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "read" -> Optional.of(READ);
            case "control" -> Optional.of(CONTROL);
            case "admin" -> Optional.of(ADMIN);
            default -> Optional.empty();
        };
    }
}
