package dev.loki.dashboard.auth;

import java.time.Instant;
import java.util.Optional;

/** An API token as stored (never the token itself, only its SHA-256). */
public record TokenInfo(String id, String name, Scope scope, String hash, Instant createdAt,
        Optional<Instant> expiresAt, Optional<Instant> revokedAt) {

    public boolean activeAt(Instant now) {
        return revokedAt.isEmpty() && expiresAt.map(now::isBefore).orElse(true);
    }

    public String state(Instant now) {
        if (revokedAt.isPresent()) {
            return "revoked";
        }
        return activeAt(now) ? "active" : "expired";
    }
}
