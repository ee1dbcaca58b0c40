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

/** Walks the audit chain from the first record and names the first line that does not fit. */
public final class AuditVerifier {
    private AuditVerifier() {
    }

    /** Where the chain breaks: file, 1-based line, and why. */
    public record Break(Path file, long line, String reason) {
    }

    public record Report(int files, long records, String latestHash, Optional<Break> firstBreak) {
        public boolean valid() {
            return firstBreak.isEmpty();
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
        return new Report(files.size(), records, expected, Optional.empty());
    }
}
