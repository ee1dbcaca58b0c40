package dev.loki.dashboard.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.LokiException;
import dev.loki.store.AtomicFiles;
import dev.loki.store.FileLocks;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;

/**
 * One-time login links (Jupyter style). {@code loki dashboard start|open|url} and the server
 * itself mint a ticket; opening {@code /login?token=<ticket>} once trades it for a session
 * cookie. Tickets live hashed in {@code .loki/dashboard/login-tickets.json} so the CLI in one
 * process can mint a link that the server in another accepts; each works once and expires.
 */
public final class LoginTickets {
    public static final String PREFIX = "lt_";
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(15);
    /** The link a run prints or a browser is opened with: a short life, since it may sit on a screen. */
    public static final Duration SHORT_TTL = Duration.ofMinutes(2);
    private static final int MAX_TICKETS = 100;

    private final Path file;

    public LoginTickets(LokiDir loki) {
        this.file = loki.resolve("dashboard").resolve("login-tickets.json");
    }

    /** Mints a ticket valid for {@code ttl}; returns the secret to put in the login URL. */
    public String mint(Duration ttl) {
        String secret = Secrets.newSecret(PREFIX);
        Instant now = Instant.now();
        change(arr -> {
            ObjectNode t = Json.object();
            t.put("hash", Secrets.sha256Hex(secret));
            t.put("expires_at", now.plus(ttl).toString());
            arr.add(t);
            while (arr.size() > MAX_TICKETS) {
                arr.remove(0);
            }
            return true;
        });
        return secret;
    }

    /** Uses up a ticket: true once for a live ticket, false for anything else. */
    public boolean consume(String secret) {
        if (secret == null || !secret.startsWith(PREFIX) || secret.length() > 200 || !Files.exists(file)) {
            return false;
        }
        String hash = Secrets.sha256Hex(secret);
        return change(arr -> {
            int hit = -1;
            for (int i = 0; i < arr.size(); i++) {
                if (Secrets.same(hash, arr.get(i).path("hash").asText(""))) {
                    hit = i;
                }
            }
            if (hit < 0) {
                return false;
            }
            arr.remove(hit);
            return true;
        });
    }

    private interface Change {
        boolean apply(ArrayNode tickets);
    }

    private boolean change(Change c) {
        try {
            Files.createDirectories(file.getParent());
            try (FileLocks.Held lock = FileLocks.lockFor(file, Duration.ofSeconds(10))) {
                JsonNode root = JsonFiles.read(file).orElse(Json.object());
                ArrayNode live = Json.MAPPER.createArrayNode();
                Instant now = Instant.now();
                for (JsonNode t : root.path("tickets")) {
                    if (expiresAfter(t, now)) {
                        live.add(t);
                    }
                }
                boolean result = c.apply(live);
                ObjectNode out = Json.object();
                out.set("tickets", live);
                AtomicFiles.writeString(file, Json.pretty(out) + "\n");
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not POSIX: only hashes are stored anyway
                }
                return result;
            }
        } catch (IOException e) {
            throw LokiException.failed("Cannot update " + file + ": " + e.getMessage());
        }
    }

    private static boolean expiresAfter(JsonNode t, Instant now) {
        try {
            return Instant.parse(t.path("expires_at").asText()).isAfter(now);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
