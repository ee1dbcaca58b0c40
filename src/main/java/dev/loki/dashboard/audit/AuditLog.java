package dev.loki.dashboard.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.dashboard.auth.Secrets;
import dev.loki.store.AtomicFiles;
import dev.loki.store.FileLocks;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tamper-evident audit trail: {@code .loki/audit/audit-YYYY-MM-DD.jsonl}, one JSON record
 * per line, each carrying the previous record's hash ({@code prev_hash}, 64 zeros for the first)
 * and its own ({@code hash} = SHA-256 of the record's canonical JSON without {@code hash}). The
 * chain runs across the daily files in name order. Every append happens under one
 * cross-process lock and re-reads the last hash from disk, so two writers never fork the chain
 * (upstream kept the last hash in memory). {@code LOKI_AUDIT_DISABLED=true} turns writing off.
 */
public final class AuditLog {
    public static final String GENESIS = "0".repeat(64);
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private final Path dir;
    private final boolean enabled;
    private final AuditHead head;

    public AuditLog(LokiDir loki, Map<String, String> env) {
        this.dir = loki.resolve("audit");
        String off = env.getOrDefault("LOKI_AUDIT_DISABLED", "").strip().toLowerCase(java.util.Locale.ROOT);
        this.enabled = !(off.equals("true") || off.equals("1") || off.equals("yes"));
        this.head = new AuditHead(dir, env);
    }

    /** The keyed head of the chain (count and last hash). */
    public AuditHead head() {
        return head;
    }

    public Path directory() {
        return dir;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Appends a record; an I/O failure is logged, never thrown at the caller's request. */
    public void record(AuditRecord r) {
        if (!enabled) {
            return;
        }
        try {
            Files.createDirectories(dir);
            try (FileLocks.Held lock = FileLocks.lock(dir.resolve(".audit.lock"), Duration.ofSeconds(10))) {
                // chain on from the keyed head when there is one: after a dropped tail the new record
                // then visibly fails to fit the log, instead of quietly healing the cut
                Optional<byte[]> key = head.readKey();
                List<AuditHead.Head> heads = head.read(key);
                Optional<AuditHead.Head> h = AuditHead.trusted(heads);
                boolean untrustedHeads = h.isEmpty() && !heads.isEmpty();
                String prev;
                long count;
                if (h.isPresent()) {
                    prev = h.get().records() == 0 ? GENESIS : h.get().lastHash();
                    count = h.get().records();
                } else {
                    prev = lastHash(files()).orElse(GENESIS);
                    count = countRecords(files());
                }
                ObjectNode o = Json.object();
                o.put("timestamp", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
                o.put("actor", r.actor());
                o.put("auth", r.auth());
                o.put("action", r.action());
                o.put("resource", r.resource());
                o.put("status", r.status());
                o.put("success", r.success());
                o.put("ip", r.ip());
                o.put("detail", r.detail());
                o.put("prev_hash", prev);
                o.put("hash", hashOf(o));
                Path file = dir.resolve("audit-" + DAY.format(Instant.now()) + ".jsonl");
                AtomicFiles.append(file, (Json.compact(o) + "\n").getBytes(StandardCharsets.UTF_8));
                if (untrustedHeads) {
                    // a head that fails its key check is evidence: leave it for 'loki audit verify'
                    LOG.warn("the audit head in {} does not match its key; run 'loki audit verify'", dir);
                } else {
                    head.write(key, count + 1, o.path("hash").asText());
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not write the audit record for {}: {}", r.action(), e.getMessage());
        }
    }

    /** The hash at the head of the chain, if any record was written. */
    public Optional<String> latestHash() {
        try {
            return lastHash(files());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The head of the chain of a project's audit log (the proof report quotes it). */
    public static Optional<String> latestHash(LokiDir loki) {
        return new AuditLog(loki, Map.of()).latestHash();
    }

    /** The audit files, oldest first. */
    List<Path> files() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith("audit-") && n.endsWith(".jsonl");
            }).sorted().toList();
        }
    }

    /** Non-blank lines in the audit files (used once, when the first head is written over an older log). */
    static long countRecords(List<Path> files) throws IOException {
        long n = 0;
        for (Path f : files) {
            try (Stream<String> lines = Files.lines(f, StandardCharsets.UTF_8)) {
                n += lines.filter(l -> !l.isBlank()).count();
            }
        }
        return n;
    }

    /** SHA-256 of the record's canonical form: keys sorted, no whitespace, {@code hash} left out. */
    static String hashOf(JsonNode record) {
        TreeMap<String, JsonNode> sorted = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : record.properties()) {
            if (!e.getKey().equals("hash")) {
                sorted.put(e.getKey(), e.getValue());
            }
        }
        return Secrets.sha256Hex(Json.compact(sorted));
    }

    private static Optional<String> lastHash(List<Path> files) throws IOException {
        for (int i = files.size() - 1; i >= 0; i--) {
            Optional<String> last = lastLine(files.get(i));
            if (last.isPresent()) {
                try {
                    return Optional.of(Json.parse(last.get()).path("hash").asText(GENESIS));
                } catch (IOException e) {
                    // a torn last line: chain on from what it claims is impossible; verify will name it
                    return Optional.of(Secrets.sha256Hex(last.get()));
                }
            }
        }
        return Optional.empty();
    }

    /** The last non-blank line of a file, reading only its end. */
    static Optional<String> lastLine(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            int chunk = (int) Math.min(len, 64 * 1024);
            byte[] buf = new byte[chunk];
            f.seek(len - chunk);
            f.readFully(buf);
            String tail = new String(buf, StandardCharsets.UTF_8).stripTrailing();
            if (tail.isEmpty()) {
                return Optional.empty();
            }
            int nl = tail.lastIndexOf('\n');
            return Optional.of(tail.substring(nl + 1));
        }
    }
}
