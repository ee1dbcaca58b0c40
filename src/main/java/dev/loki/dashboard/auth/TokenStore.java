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
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * API tokens in {@code .loki/dashboard/tokens.json}: random 256-bit secrets shown once, stored
 * as SHA-256 hashes. Every change is a locked read-modify-write with an atomic rename; checking
 * a token never writes (upstream rewrote the file on every request, racing its own writers).
 * The parsed file is cached and re-read when its size or mtime changes, so a token revoked by
 * the CLI in another process stops working on the next request.
 */
public final class TokenStore {
    public static final String PREFIX = "loki_";
    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9._-]{1,64}$");
    private static final Pattern EXPIRY = Pattern.compile("^(\\d{1,6})([mhdw])$");
    private static final Duration LOCK_WAIT = Duration.ofSeconds(10);

    private final Path file;
    private volatile Cached cache = new Cached(null, -1, List.of());

    private record Cached(FileTime mtime, long size, List<TokenInfo> tokens) {
    }

    /** A freshly created token: its stored record and the secret, which is never stored. */
    public record Issued(TokenInfo info, String token) {
    }

    public TokenStore(LokiDir loki) {
        this.file = loki.resolve("dashboard").resolve("tokens.json");
    }

    public Path file() {
        return file;
    }

    /** Creates a token and returns its plaintext (shown once). */
    public String create(String name, Scope scope, Optional<Duration> expiresIn) {
        return issue(name, scope, expiresIn).token();
    }

    public Issued issue(String name, Scope scope, Optional<Duration> expiresIn) {
        if (scope == Scope.PUBLIC) {
            throw LokiException.badInput("A token needs a scope: read, control or admin");
        }
        String id = Secrets.newId("tok_");
        String n = name == null || name.isBlank() ? id : name.strip();
        if (!NAME.matcher(n).matches()) {
            throw LokiException.badInput("Invalid token name '" + n + "': use 1-64 letters, digits, '.', '-' or '_'");
        }
        String secret = Secrets.newSecret(PREFIX);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        TokenInfo info = new TokenInfo(id, n, scope, Secrets.sha256Hex(secret), now,
                expiresIn.map(now::plus), Optional.empty());
        update(tokens -> {
            for (TokenInfo t : tokens) {
                if (t.name().equals(n) && t.activeAt(Instant.now())) {
                    throw LokiException.failed("A token named '" + n + "' already exists; revoke it first or pick"
                            + " another --name");
                }
            }
            List<TokenInfo> out = new ArrayList<>(tokens);
            out.add(info);
            return out;
        });
        return new Issued(info, secret);
    }

    /** Every token, oldest first (hashes included; callers must not print them). */
    public List<TokenInfo> list() {
        return load();
    }

    /** Revokes the token with this id or name; false when there is no such active token. */
    public boolean revoke(String idOrName) {
        boolean[] hit = {false};
        update(tokens -> {
            List<TokenInfo> out = new ArrayList<>();
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            for (TokenInfo t : tokens) {
                if (t.revokedAt().isEmpty() && (t.id().equals(idOrName) || t.name().equals(idOrName))) {
                    out.add(new TokenInfo(t.id(), t.name(), t.scope(), t.hash(), t.createdAt(), t.expiresAt(),
                            Optional.of(now)));
                    hit[0] = true;
                } else {
                    out.add(t);
                }
            }
            return out;
        });
        return hit[0];
    }

    /** The active token this secret belongs to. Compares hashes in constant time. */
    public Optional<TokenInfo> verify(String secret) {
        if (secret == null || !secret.startsWith(PREFIX) || secret.length() > 200) {
            return Optional.empty();
        }
        String hash = Secrets.sha256Hex(secret);
        Instant now = Instant.now();
        TokenInfo found = null;
        for (TokenInfo t : load()) {
            // no early exit: every stored hash is compared, so timing does not reveal which matched
            if (Secrets.same(hash, t.hash())) {
                found = t;
            }
        }
        return Optional.ofNullable(found).filter(t -> t.activeAt(now));
    }

    /** True while the token with this id exists, is not revoked and has not expired. */
    public boolean isActive(String id) {
        Instant now = Instant.now();
        return load().stream().anyMatch(t -> t.id().equals(id) && t.activeAt(now));
    }

    /** Parses {@code 30d}, {@code 12h}, {@code 90m}, {@code 2w}; {@code never} is empty. */
    public static Optional<Duration> parseExpiry(String s) {
        if (s == null || s.isBlank() || s.strip().equalsIgnoreCase("never")) {
            return Optional.empty();
        }
        Matcher m = EXPIRY.matcher(s.strip().toLowerCase(Locale.ROOT));
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw LokiException.badInput("Invalid --expires '" + s + "': use a number and a unit, e.g. 90m, 12h, 30d,"
                    + " 2w, or 'never'");
        }
        long n = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        });
    }

    // ---- file ---------------------------------------------------------------------------

    private List<TokenInfo> load() {
        FileTime mtime;
        long size;
        try {
            mtime = Files.getLastModifiedTime(file);
            size = Files.size(file);
        } catch (IOException e) {
            return List.of();
        }
        Cached c = cache;
        if (mtime.equals(c.mtime()) && size == c.size()) {
            return c.tokens();
        }
        List<TokenInfo> tokens = parse(JsonFiles.read(file).orElse(Json.object()));
        cache = new Cached(mtime, size, tokens);
        return tokens;
    }

    private void update(UnaryOperator<List<TokenInfo>> change) {
        try {
            Files.createDirectories(file.getParent());
            try (FileLocks.Held lock = FileLocks.lockFor(file, LOCK_WAIT)) {
                List<TokenInfo> current = parse(JsonFiles.read(file).orElse(Json.object()));
                List<TokenInfo> next = change.apply(current);
                AtomicFiles.writeString(file, Json.pretty(toJson(next)) + "\n");
                restrict(file);
                cache = new Cached(null, -1, List.of());
            }
        } catch (IOException e) {
            throw LokiException.failed("Cannot update " + file + ": " + e.getMessage());
        }
    }

    private static void restrict(Path f) {
        try {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: the hashes are still useless to a reader
        }
    }

    private static List<TokenInfo> parse(JsonNode root) {
        List<TokenInfo> out = new ArrayList<>();
        for (JsonNode t : root.path("tokens")) {
            Optional<Scope> scope = Scope.parse(t.path("scope").asText(""));
            String hash = t.path("hash").asText("");
            if (scope.isEmpty() || hash.length() != 64) {
                continue;
            }
            out.add(new TokenInfo(t.path("id").asText(""), t.path("name").asText(""), scope.get(), hash,
                    instant(t.path("created_at")).orElse(Instant.EPOCH), instant(t.path("expires_at")),
                    instant(t.path("revoked_at"))));
        }
        return List.copyOf(out);
    }

    private static Optional<Instant> instant(JsonNode n) {
        if (!n.isTextual()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(n.asText()));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static ObjectNode toJson(List<TokenInfo> tokens) {
        ObjectNode root = Json.object();
        root.put("version", 1);
        ArrayNode arr = root.putArray("tokens");
        for (TokenInfo t : tokens) {
            ObjectNode o = arr.addObject();
            o.put("id", t.id());
            o.put("name", t.name());
            o.put("scope", t.scope().label());
            o.put("hash", t.hash());
            o.put("created_at", t.createdAt().toString());
            t.expiresAt().ifPresentOrElse(v -> o.put("expires_at", v.toString()), () -> o.putNull("expires_at"));
            t.revokedAt().ifPresentOrElse(v -> o.put("revoked_at", v.toString()), () -> o.putNull("revoked_at"));
        }
        return root;
    }
}
