package dev.loki.git;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A digest of the set of paths in a git index file (versions 2, 3 and 4, SHA-1), ignoring
 * stat data, blob ids and flags: {@code git status} rewrites the index to refresh stat data
 * without changing which paths {@code git ls-files --cached} lists. Anything this reader does
 * not know for sure (another version, a required extension such as a split or sparse index, a
 * layout that does not add up) gives null, and the caller lists everything again.
 */
final class IndexPaths {
    private static final int HASH = 20;

    private IndexPaths() {
    }

    /** The digest (hex) of the index's paths in order, or null when the index cannot be read here. */
    static String digest(Path index) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(index);
        } catch (IOException e) {
            return null;
        }
        try {
            return digest(raw);
        } catch (RuntimeException e) {
            return null; // truncated or not an index as we know it
        }
    }

    static String digest(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw);
        if (raw.length < 12 + HASH || b.getInt(0) != 0x44495243) { // "DIRC"
            return null;
        }
        int version = b.getInt(4);
        int count = b.getInt(8);
        if (version < 2 || version > 4 || count < 0) {
            return null;
        }
        int end = raw.length - HASH;
        int pos = 12;
        // The names, each followed by a NUL, copied one after another and hashed once at the end:
        // this runs once per loop iteration, never warm, so each entry costs a few reads and one
        // copy (a name's length comes from its flags; only longer names are scanned for the NUL).
        byte[] names = new byte[Math.max(64, Math.min(end, 1 << 20))];
        int used = 0;
        int prevStart = 0;
        int prevLen = 0;
        for (int i = 0; i < count; i++) {
            int start = pos;
            if (pos + 62 > end) {
                return null;
            }
            int flags = (raw[pos + 60] & 0xFF) << 8 | (raw[pos + 61] & 0xFF);
            pos += 62;
            if ((flags & 0x4000) != 0) {
                if (version < 3) {
                    return null;
                }
                pos += 2;
            }
            int nameLen = flags & 0xFFF;
            int keep = 0;
            if (version == 4) {
                int c = raw[pos++] & 0xFF;
                long strip = c & 127;
                while ((c & 128) != 0) {
                    c = raw[pos++] & 0xFF;
                    strip = ((strip + 1) << 7) | (c & 127);
                }
                if (strip > prevLen) {
                    return null;
                }
                keep = prevLen - (int) strip;
            }
            int suffix = nameLen != 0xFFF ? nameLen - keep : nul(raw, pos, end) - pos;
            if (suffix < 0 || pos + suffix >= end || raw[pos + suffix] != 0) {
                return null; // the layout does not add up: not an index we read right
            }
            int len = keep + suffix;
            if (used + len + 1 > names.length) {
                names = java.util.Arrays.copyOf(names, Math.max(names.length * 2, used + len + 1));
            }
            System.arraycopy(names, prevStart, names, used, keep);
            System.arraycopy(raw, pos, names, used + keep, suffix + 1); // with its NUL
            prevStart = used;
            prevLen = len;
            used += len + 1;
            if (version == 4) {
                pos += suffix + 1;
            } else {
                int fixed = pos + suffix - start; // fixed part and name, then 1-8 NULs to a multiple of 8
                pos = start + ((fixed + 8) & ~7);
            }
            if (pos > end) {
                return null;
            }
        }
        MessageDigest md = sha1();
        md.update(names, 0, used);
        while (pos < end) { // extensions: optional ones start with A-Z, the others change what is listed
            if (end - pos < 8) {
                return null;
            }
            int sig = raw[pos] & 0xFF;
            long size = b.getInt(pos + 4) & 0xFFFFFFFFL;
            if (sig < 'A' || sig > 'Z' || size > end - pos - 8) {
                return null;
            }
            pos += 8 + (int) size;
        }
        if (pos != end) {
            return null;
        }
        StringBuilder hex = new StringBuilder();
        for (byte x : md.digest()) {
            hex.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
        }
        return hex.toString();
    }

    private static int nul(byte[] raw, int from, int end) {
        for (int i = from; i < end; i++) {
            if (raw[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-1", e);
        }
    }
}
