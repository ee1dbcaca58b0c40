package dev.loki.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads of .loki files with a size bound, and without side effects: the dashboard never moves
 * or rewrites a file the loop owns, and no request reads more than a few MiB (upstream read
 * whole logs and event files on every request). Every read is confined to the .loki directory:
 * a symbolic link below it (a file, or a directory on the way) is never followed, so a link an
 * agent or a cloned repository planted ({@code .loki/logs/x.log -> ~/.loki/keys/audit.key}) does
 * not hand a read-scoped client a file from outside. The .loki directory itself may be a link.
 */
public final class BoundedFiles {
    /** Largest JSON state file the dashboard parses. */
    public static final long MAX_JSON = 4L * 1024 * 1024;

    private BoundedFiles() {
    }

    /**
     * Whether {@code file} lies inside {@code root} and neither it nor any directory between
     * {@code root} and it is a symbolic link ({@code root} itself may be one).
     */
    public static boolean confined(LokiDir root, Path file) {
        Path base = root.path().toAbsolutePath().normalize();
        Path f = file.toAbsolutePath().normalize();
        if (!f.startsWith(base) || f.equals(base)) {
            return false;
        }
        for (Path p = f; p != null && !p.equals(base); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                return false;
            }
        }
        return true;
    }

    /** A regular file inside {@code root}, reached without following a link (see {@link #confined}). */
    public static boolean isConfinedFile(LokiDir root, Path file) {
        return confined(root, file) && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
    }

    /** The file parsed as JSON; empty when missing, unreadable, corrupt, larger than {@link #MAX_JSON} or not confined. */
    public static Optional<JsonNode> json(LokiDir root, Path file) {
        return json(root, file, MAX_JSON);
    }

    public static Optional<JsonNode> json(LokiDir root, Path file, long maxBytes) {
        try {
            if (!isConfinedFile(root, file) || Files.size(file) > maxBytes) {
                return Optional.empty();
            }
            JsonNode n = Json.MAPPER.readTree(Files.readAllBytes(file));
            return n == null || n.isMissingNode() ? Optional.empty() : Optional.of(n);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The text of a small file, trimmed; empty when missing or larger than {@code maxBytes}. */
    public static Optional<String> text(LokiDir root, Path file, long maxBytes) {
        try {
            if (!isConfinedFile(root, file) || Files.size(file) > maxBytes) {
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
    public static List<String> tail(LokiDir root, Path file, int maxLines, long maxBytes) {
        if (!isConfinedFile(root, file)) {
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
