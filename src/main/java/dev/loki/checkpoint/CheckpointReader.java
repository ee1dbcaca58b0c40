package dev.loki.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.Ids;
import dev.loki.store.JsonFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a checkpoint directory, ours or one of upstream's five writers' (run.sh / Bun
 * {@code cp-<iter>-<epoch>}, manual {@code cp-<ts>}, dashboard {@code chk-<ts>}, and the two
 * {@code rb-pre-<ts>} pre-rollback writers), into one {@link Checkpoint}.
 */
final class CheckpointReader {
    static final String FORMAT = "loki-jvm";

    private static final Pattern ITER_EPOCH = Pattern.compile("^cp-(\\d+)-(\\d{9,11})(?:-\\d+)?$");
    private static final Pattern STAMP = Pattern.compile("(\\d{8}-\\d{6})");
    private static final DateTimeFormatter STAMP_FORMAT = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private CheckpointReader() {
    }

    /** Empty when the directory is not a readable checkpoint (no or unparseable metadata). */
    static Optional<Checkpoint> read(Path dir) {
        String name = dir.getFileName().toString();
        if (!Ids.isSafe(name)) {
            return Optional.empty();
        }
        Optional<JsonNode> meta = JsonFiles.peek(dir.resolve("metadata.json")).filter(JsonNode::isObject);
        if (meta.isEmpty()) {
            return Optional.empty();
        }
        JsonNode m = meta.get();
        boolean ours = FORMAT.equals(text(m, "format"));
        CheckpointKind kind = ours ? kindOf(m, name) : CheckpointKind.fromLegacyId(name);
        String timestamp = first(m, "timestamp", "created_at", "ts");
        Instant created = createdAt(m, name, dir);
        int iteration = m.path("iteration").isNumber() ? m.path("iteration").asInt()
                : m.path("iter").isNumber() ? m.path("iter").asInt() : legacyIteration(name);
        String message = first(m, "message", "task_description", "task");
        CodeSnapshot snapshot = ours ? ourSnapshot(m.path("snapshot")) : legacySnapshot(dir);
        List<String> state = ours ? strings(m.path("state_files")) : StateFiles.legacyFiles(dir);
        return Optional.of(new Checkpoint(name, kind, created, timestamp, iteration, text(m, "task_id"),
                first(m, "task_description", "message", "task"), message, first(m, "git_sha", "sha"),
                text(m, "git_branch"), text(m, "provider"), text(m, "phase"), snapshot, state,
                ours ? FORMAT : "upstream", dir, m));
    }

    private static CheckpointKind kindOf(JsonNode m, String id) {
        try {
            return CheckpointKind.fromLabel(text(m, "kind"));
        } catch (IllegalArgumentException e) {
            return CheckpointKind.fromLegacyId(id);
        }
    }

    private static CodeSnapshot ourSnapshot(JsonNode s) {
        List<String> skipped = new ArrayList<>();
        for (JsonNode n : s.path("skipped")) {
            skipped.add(n.isObject() ? n.path("path").asText() : n.asText());
        }
        String commit = text(s, "commit");
        return new CodeSnapshot(s.path("status").asText("none"), commit.isEmpty() ? Optional.empty()
                : Optional.of(commit), text(s, "reason"), skipped, s.path("duration_ms").asLong(0));
    }

    /** Upstream recorded a {@code git stash create} sha (tracked files only) in a sidecar. */
    private static CodeSnapshot legacySnapshot(Path dir) {
        try {
            String sha = Files.readString(dir.resolve("worktree-snapshot.txt"), StandardCharsets.UTF_8).strip();
            if (sha.matches("[0-9a-f]{40}([0-9a-f]{24})?")) {
                return new CodeSnapshot("legacy", Optional.of(sha), "", List.of(), 0);
            }
        } catch (IOException e) {
            // no sidecar: the rollback may still find refs/loki/cp/<id> in the user's repository
        }
        return CodeSnapshot.none("no working-tree snapshot recorded");
    }

    static Instant createdAt(JsonNode m, String id, Path dir) {
        for (String key : List.of("created_at", "timestamp", "ts")) {
            String v = text(m, key);
            if (!v.isEmpty()) {
                Optional<Instant> t = parseInstant(v);
                if (t.isPresent()) {
                    return t.get();
                }
            }
        }
        Matcher ie = ITER_EPOCH.matcher(id);
        if (ie.matches()) {
            return Instant.ofEpochSecond(Long.parseLong(ie.group(2)));
        }
        Matcher st = STAMP.matcher(id);
        if (st.find()) {
            try {
                return LocalDateTime.parse(st.group(1), STAMP_FORMAT).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                // fall through to the directory's time
            }
        }
        try {
            return Files.getLastModifiedTime(dir).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    private static Optional<Instant> parseInstant(String v) {
        try {
            return Optional.of(Instant.parse(v));
        } catch (DateTimeParseException e) {
            try {
                return Optional.of(OffsetDateTime.parse(v).toInstant());
            } catch (DateTimeParseException e2) {
                try {
                    return Optional.of(LocalDateTime.parse(v).toInstant(ZoneOffset.UTC));
                } catch (DateTimeParseException e3) {
                    return Optional.empty();
                }
            }
        }
    }

    private static int legacyIteration(String id) {
        Matcher ie = ITER_EPOCH.matcher(id);
        return ie.matches() ? Integer.parseInt(ie.group(1)) : 0;
    }

    private static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }

    static String text(JsonNode m, String key) {
        JsonNode n = m.path(key);
        if (n.isMissingNode() || n.isNull()) {
            return "";
        }
        return n.isValueNode() ? clean(n.asText()) : "";
    }

    private static String first(JsonNode m, String... keys) {
        for (String k : keys) {
            String v = text(m, k);
            if (!v.isEmpty()) {
                return v;
            }
        }
        return "";
    }

    /** Control characters from a hand-edited or hostile file never reach a terminal. */
    private static String clean(String s) {
        return s.replaceAll("[\\x00-\\x08\\x0a-\\x1f\\x7f-\\x9f]", " ");
    }
}
