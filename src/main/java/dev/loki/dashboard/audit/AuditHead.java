package dev.loki.dashboard.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.dashboard.auth.Secrets;
import dev.loki.store.AtomicFiles;
import dev.loki.store.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The head of the audit chain: how many records it holds and the hash of the last one, keyed
 * with an HMAC-SHA256 whose key lives outside the project ({@code ~/.loki/keys/audit.key}, 0600,
 * directory 0700). The head is written twice under the audit lock, beside the log
 * ({@code .loki/audit/head.json}) and in the home directory ({@code ~/.loki/audit-heads/<project>.json}),
 * so dropping the log's tail, emptying or deleting the log, or deleting the whole audit folder
 * shows; rewriting the log and a matching head needs the key. Writers chain on from the keyed
 * head, not from the last line on disk, so a record appended after a truncation breaks the
 * chain visibly instead of healing it.
 */
public final class AuditHead {
    static final String MAC_CONTEXT = "loki-audit-head/v1";

    /** A head as read from disk, with whether its MAC checked out under the current key. */
    public record Head(long records, String lastHash, String updatedAt, boolean macValid, Path where) {
    }

    private final Path inProject;
    private final Path inHome;
    private final Path keyFile;

    AuditHead(Path auditDir, Map<String, String> env) {
        String home = env.getOrDefault("HOME", System.getProperty("user.home", ""));
        Path base = Path.of(home.isBlank() ? System.getProperty("user.home", ".") : home, ".loki");
        this.inProject = auditDir.resolve("head.json");
        this.keyFile = base.resolve("keys").resolve("audit.key");
        this.inHome = base.resolve("audit-heads").resolve(projectKey(auditDir) + ".json");
    }

    public Path keyFile() {
        return keyFile;
    }

    public Path inProject() {
        return inProject;
    }

    public Path inHome() {
        return inHome;
    }

    public boolean keyExists() {
        return Files.isRegularFile(keyFile);
    }

    /** Both copies that exist, each checked against the key (macValid false when there is no key). */
    public List<Head> read() {
        return read(readKey());
    }

    /** Both copies that exist, checked against {@code key} (a writer reads the key once per record). */
    List<Head> read(Optional<byte[]> key) {
        List<Head> out = new ArrayList<>();
        for (Path p : List.of(inProject, inHome)) {
            readOne(p, key).ifPresent(out::add);
        }
        return out;
    }

    /** The newest of {@code heads} whose MAC is valid: the most records wins (an old head put back loses to the home copy). */
    public static Optional<Head> trusted(List<Head> heads) {
        return heads.stream().filter(Head::macValid).max(java.util.Comparator.comparingLong(Head::records));
    }

    /**
     * Records a new head (caller holds the audit lock) under {@code key}, the key the caller read
     * the heads with; creates the key on first use.
     */
    void write(Optional<byte[]> key, long records, String lastHash) throws IOException {
        byte[] k = key.orElseGet(this::createKey);
        write(k, records, lastHash);
    }

    private void write(byte[] key, long records, String lastHash) throws IOException {
        ObjectNode o = Json.object();
        o.put("version", 1);
        o.put("records", records);
        o.put("last_hash", lastHash);
        o.put("updated_at", Instant.now().toString());
        o.put("key_id", Secrets.sha256Hex(HexFormat.of().formatHex(key)).substring(0, 16));
        o.put("mac", mac(key, records, lastHash));
        String text = Json.pretty(o) + "\n";
        AtomicFiles.writeString(inProject, text);
        Files.createDirectories(inHome.getParent());
        restrict(inHome.getParent(), "rwx------");
        AtomicFiles.writeString(inHome, text);
        restrict(inHome, "rw-------");
    }

    private Optional<Head> readOne(Path p, Optional<byte[]> key) {
        if (!Files.isRegularFile(p)) {
            return Optional.empty();
        }
        try {
            // parsed here, not through JsonFiles (which quarantines a bad file): a bad head is evidence
            JsonNode h = Json.parse(Files.readString(p, StandardCharsets.UTF_8));
            if (h == null || !h.isObject()) {
                return Optional.of(new Head(-1, "", "", false, p));
            }
            long records = h.path("records").asLong(-1);
            String last = h.path("last_hash").asText("");
            boolean ok = key.isPresent() && records >= 0
                    && MessageDigest.isEqual(mac(key.get(), records, last).getBytes(StandardCharsets.UTF_8),
                            h.path("mac").asText("").getBytes(StandardCharsets.UTF_8));
            return Optional.of(new Head(records, last, h.path("updated_at").asText(""), ok, p));
        } catch (IOException | RuntimeException e) {
            return Optional.of(new Head(-1, "", "", false, p));
        }
    }

    static String mac(byte[] key, long records, String lastHash) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(m.doFinal((MAC_CONTEXT + "\n" + records + "\n" + lastHash)
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
    }

    /** The key, if there is a readable one. */
    Optional<byte[]> readKey() {
        try {
            if (!Files.isRegularFile(keyFile)) {
                return Optional.empty();
            }
            String hex = Files.readString(keyFile, StandardCharsets.US_ASCII).strip();
            return hex.length() >= 64 ? Optional.of(HexFormat.of().parseHex(hex)) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private byte[] createKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        try {
            Path dir = keyFile.getParent();
            Files.createDirectories(dir);
            restrict(dir, "rwx------");
            Path tmp = Files.createTempFile(dir, ".audit", ".key",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, HexFormat.of().formatHex(key) + "\n", StandardCharsets.US_ASCII);
            try {
                // never replace a key another writer made a moment ago
                Files.createLink(keyFile, tmp);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                Files.deleteIfExists(tmp);
                return readKey().orElseThrow(() -> new IOException("unreadable " + keyFile));
            } finally {
                Files.deleteIfExists(tmp);
            }
            return key;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create the audit key " + keyFile, e);
        }
    }

    private static void restrict(Path p, String perms) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: not POSIX, or not ours (a shared ~/.loki made by someone else is left alone)
        }
    }

    /** A stable name for this project's audit folder in the home directory. */
    static String projectKey(Path auditDir) {
        Path p = auditDir.toAbsolutePath().normalize();
        try {
            Path parent = p.getParent();
            if (parent != null && Files.exists(parent)) {
                p = parent.toRealPath().resolve(p.getFileName());
            }
        } catch (IOException e) {
            // the literal path
        }
        return Secrets.sha256Hex(p.toString()).substring(0, 32);
    }
}
