package dev.loki.dashboard.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Walks the audit chain from the first record and names the first line that does not fit, then
 * compares where the log ends with the keyed head ({@link AuditHead}): a dropped tail, an emptied
 * or deleted log, and a head that fails its key all fail verification.
 */
public final class AuditVerifier {
    /** What a passing verify proves, and what it cannot: printed with every verdict. */
    public static final List<String> PROVES = List.of(
            "every record chains to the one before it (no record edited, removed, inserted or reordered)",
            "the log ends where the keyed head says (no record dropped from the end, the log not emptied or deleted)");
    public static final List<String> CANNOT_PROVE = List.of(
            "that someone holding the key (~/.loki/keys/audit.key: anyone who can read your home directory)"
                    + " did not rewrite the log and both heads together",
            "anything about actions taken while LOKI_AUDIT_DISABLED=true, or before the first keyed head was written",
            "that the clock in the timestamps was right");

    private AuditVerifier() {
    }

    /** Where the chain breaks: file, 1-based line, and why. */
    public record Break(Path file, long line, String reason) {
    }

    /** How the end of the log compares with the keyed head. */
    public enum TailStatus {
        /** The log ends where the head says. */
        MATCHES(true),
        /** Records exist but no head was ever written (an older loki wrote them): the tail is unprovable. */
        NO_HEAD(true),
        /** No records and no head: nothing was audited yet. */
        EMPTY(true),
        /** The chain itself is broken: the tail was not compared. */
        NOT_CHECKED(true),
        TAIL_REMOVED(false),
        EMPTIED(false),
        DELETED(false),
        LAST_REPLACED(false),
        EXTRA_RECORDS(false),
        HEAD_INVALID(false),
        KEY_MISSING(false);

        private final boolean ok;

        TailStatus(boolean ok) {
            this.ok = ok;
        }

        public boolean ok() {
            return ok;
        }
    }

    /** The tail verdict; {@code head} is the trusted head (count and hash) when one checked out. */
    public record Tail(TailStatus status, String message, Optional<AuditHead.Head> head) {
    }

    public record Report(int files, long records, String latestHash, Optional<Break> firstBreak, Tail tail) {
        public Report(int files, long records, String latestHash, Optional<Break> firstBreak) {
            this(files, records, latestHash, firstBreak, new Tail(TailStatus.NOT_CHECKED, "", Optional.empty()));
        }

        public boolean valid() {
            return firstBreak.isEmpty() && tail.status().ok();
        }
    }

    public static Report verify(AuditLog log) throws IOException {
        List<Path> files = log.files();
        String expected = AuditLog.GENESIS;
        long records = 0;
        for (Path f : files) {
            long lineNo = 0;
            try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    lineNo++;
                    Optional<String> problem = Optional.empty();
                    JsonNode rec = null;
                    try {
                        rec = Json.parse(line);
                    } catch (IOException e) {
                        problem = Optional.of("not valid JSON");
                    }
                    if (problem.isEmpty() && (rec == null || !rec.isObject())) {
                        problem = Optional.of("not a JSON object");
                    }
                    if (problem.isEmpty()) {
                        String prev = rec.path("prev_hash").asText("");
                        String hash = rec.path("hash").asText("");
                        if (!prev.equals(expected)) {
                            problem = Optional.of("prev_hash does not match the record before it (a record was"
                                    + " removed, inserted or reordered)");
                        } else if (!hash.equals(AuditLog.hashOf(rec))) {
                            problem = Optional.of("hash does not match the record's content (the record was edited)");
                        } else {
                            expected = hash;
                            records++;
                        }
                    }
                    if (problem.isPresent()) {
                        return new Report(files.size(), records, expected,
                                Optional.of(new Break(f, lineNo, problem.get())));
                    }
                }
            }
        }
        return new Report(files.size(), records, expected, Optional.empty(),
                tail(log.head(), files.isEmpty(), records, expected));
    }

    static Tail tail(AuditHead heads, boolean noFiles, long records, String latest) {
        List<AuditHead.Head> all = heads.read();
        Optional<AuditHead.Head> trusted = AuditHead.trusted(all);
        if (all.isEmpty()) {
            return records == 0
                    ? new Tail(TailStatus.EMPTY, "no audit record and no head yet", Optional.empty())
                    : new Tail(TailStatus.NO_HEAD, "no keyed head exists for these " + records + " record(s) (written"
                            + " before heads existed): removal of their tail cannot be detected; the next record"
                            + " anchors a head", Optional.empty());
        }
        if (trusted.isEmpty()) {
            if (!heads.keyExists()) {
                return new Tail(TailStatus.KEY_MISSING, "the head cannot be checked: its key " + heads.keyFile()
                        + " is missing (restore it; without it nothing about the end of the log can be proven)",
                        Optional.empty());
            }
            return new Tail(TailStatus.HEAD_INVALID, "the head in " + all.get(0).where() + " does not match its key:"
                    + " it was edited, forged or written with another key", Optional.empty());
        }
        AuditHead.Head h = trusted.get();
        String headDesc = "the keyed head (" + h.where() + ", " + h.updatedAt() + ") records " + h.records()
                + " record(s) ending in " + shortHash(h.lastHash());
        if (records == 0 && h.records() > 0) {
            return noFiles
                    ? new Tail(TailStatus.DELETED, "the audit log was deleted: " + headDesc + ", no audit file exists",
                            trusted)
                    : new Tail(TailStatus.EMPTIED, "the audit log was emptied: " + headDesc + ", the log holds none",
                            trusted);
        }
        if (records < h.records()) {
            return new Tail(TailStatus.TAIL_REMOVED, "the last " + (h.records() - records) + " record(s) were removed:"
                    + " the log ends after record " + records + " but " + headDesc, trusted);
        }
        if (records > h.records()) {
            return new Tail(TailStatus.EXTRA_RECORDS, (records - h.records()) + " record(s) follow the end that "
                    + headDesc + " (appended without the key, or an older head was put back)", trusted);
        }
        if (!latest.equals(h.lastHash())) {
            return new Tail(TailStatus.LAST_REPLACED, "the last record(s) were replaced: " + headDesc + ", the log"
                    + " ends in " + shortHash(latest), trusted);
        }
        for (AuditHead.Head other : all) {
            if (!other.macValid()) {
                return new Tail(TailStatus.HEAD_INVALID, "the log matches the head in " + h.where() + ", but the copy"
                        + " in " + other.where() + " does not match its key (it was edited)", trusted);
            }
        }
        return new Tail(TailStatus.MATCHES, "the log ends where " + headDesc, trusted);
    }

    private static String shortHash(String h) {
        return h.length() > 16 ? h.substring(0, 16) + "..." : h;
    }
}
