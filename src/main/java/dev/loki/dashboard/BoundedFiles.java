package dev.loki.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads of .loki files with a size bound, and without side effects: the dashboard never moves
 * or rewrites a file the loop owns, and no request reads more than a few MiB (upstream read
 * whole logs and event files on every request).
 */
public final class BoundedFiles {
    /** Largest JSON state file the dashboard parses. */
    public static final long MAX_JSON = 4L * 1024 * 1024;

    private BoundedFiles() {
    }

    /** The file parsed as JSON; empty when missing, unreadable, corrupt or larger than {@link #MAX_JSON}. */
    public static Optional<JsonNode> json(Path file) {
        return json(file, MAX_JSON);
    }

    public static Optional<JsonNode> json(Path file, long maxBytes) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > maxBytes) {
                return Optional.empty();
            }
            JsonNode n = Json.MAPPER.readTree(Files.readAllBytes(file));
            return n == null || n.isMissingNode() ? Optional.empty() : Optional.of(n);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The text of a small file, trimmed; empty when missing or larger than {@code maxBytes}. */
    public static Optional<String> text(Path file, long maxBytes) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > maxBytes) {
                return Optional.empty();
            }
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8).strip());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The last {@code maxLines} complete lines within the last {@code maxBytes} of the file,
     * oldest first. A line cut by the byte window is dropped.
     */
    public static List<String> tail(Path file, int maxLines, long maxBytes) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            long start = Math.max(0, len - maxBytes);
            byte[] buf = new byte[(int) (len - start)];
            f.seek(start);
            f.readFully(buf);
            String s = new String(buf, StandardCharsets.UTF_8);
            if (start > 0) {
                int nl = s.indexOf('\n');
                s = nl < 0 ? "" : s.substring(nl + 1);
            }
            String[] lines = s.split("\n", -1);
            int end = lines.length;
            if (end > 0 && lines[end - 1].isEmpty()) {
                end--;
            }
            List<String> out = new ArrayList<>();
            for (int i = Math.max(0, end - maxLines); i < end; i++) {
                out.add(lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i]);
            }
            return out;
        } catch (IOException e) {
            return List.of();
        }
    }
}
