package dev.loki.dashboard.live;

import dev.loki.dashboard.BoundedFiles;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows an append-only file: each {@link #poll} returns the complete lines added since the
 * last one, reading at most {@code maxBytes}. Starts at the current end (old lines are history,
 * not live news); a file that shrank or was replaced is followed from its new end. A file reached
 * through a symbolic link below {@code .loki} is not read (see {@link BoundedFiles#confined}).
 */
final class FileCursor {
    private final LokiDir root;
    private final long maxBytes;
    private Path file;
    private long offset = -1;
    private Object fileKey;

    FileCursor(LokiDir root, Path file, long maxBytes) {
        this.root = root;
        this.file = file;
        this.maxBytes = maxBytes;
    }

    /** Switches to another file (e.g. a newer log), starting at its end. */
    void follow(Path other) {
        if (!other.equals(file)) {
            file = other;
            offset = -1;
            fileKey = null;
        }
    }

    Path file() {
        return file;
    }

    List<String> poll() {
        long size;
        Object key;
        try {
            if (!BoundedFiles.isConfinedFile(root, file)) {
                // a file that appears later is news from its first line
                offset = 0;
                fileKey = null;
                return List.of();
            }
            size = Files.size(file);
            key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return List.of();
        }
        boolean replaced = fileKey != null && key != null && !fileKey.equals(key);
        if (offset < 0 || size < offset || replaced) {
            offset = size;
            fileKey = key;
            return List.of();
        }
        fileKey = key;
        if (size == offset) {
            return List.of();
        }
        boolean skipped = size - offset > maxBytes;
        long start = skipped ? size - maxBytes : offset;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            byte[] buf = new byte[(int) (size - start)];
            f.seek(start);
            f.readFully(buf);
            int lastNl = -1;
            for (int i = buf.length - 1; i >= 0; i--) {
                if (buf[i] == '\n') {
                    lastNl = i;
                    break;
                }
            }
            if (lastNl < 0) {
                if (skipped) {
                    offset = size;
                }
                return List.of();
            }
            offset = start + lastNl + 1;
            String text = new String(buf, 0, lastNl, StandardCharsets.UTF_8);
            if (skipped) {
                int nl = text.indexOf('\n');
                text = nl < 0 ? "" : text.substring(nl + 1);
            }
            List<String> out = new ArrayList<>();
            for (String l : text.split("\n")) {
                if (!l.isBlank()) {
                    out.add(l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
                }
            }
            return out;
        } catch (IOException e) {
            return List.of();
        }
    }
}
