package dev.loki.provider;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the tail of a capture file as text (bounded, so a runaway agent log cannot fill memory). */
public final class CaptureText {
    public static final int DEFAULT_TAIL = 256 * 1024;

    private CaptureText() {
    }

    public static String read(Path capture) throws IOException {
        return tail(capture, DEFAULT_TAIL);
    }

    public static String tail(Path capture, int maxBytes) throws IOException {
        if (!Files.isRegularFile(capture)) {
            return "";
        }
        try (RandomAccessFile f = new RandomAccessFile(capture.toFile(), "r")) {
            long len = f.length();
            long from = Math.max(0, len - maxBytes);
            byte[] buf = new byte[(int) (len - from)];
            f.seek(from);
            f.readFully(buf);
            return new String(buf, StandardCharsets.UTF_8);
        }
    }
}
