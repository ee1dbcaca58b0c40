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
        MessageDigest md = sha1();
        int end = raw.length - HASH;
        int pos = 12;
        byte[] prev = new byte[0];
        int prevLen = 0;
        for (int i = 0; i < count; i++) {
            int start = pos;
            int flags = b.getShort(pos + 60) & 0xFFFF;
            pos += 62;
            if ((flags & 0x4000) != 0) {
                if (version < 3) {
                    return null;
                }
                pos += 2;
            }
            byte[] path;
            if (version == 4) {
                long strip = 0;
                int c = raw[pos++] & 0xFF;
                strip = c & 127;
                while ((c & 128) != 0) {
                    c = raw[pos++] & 0xFF;
                    strip = ((strip + 1) << 7) | (c & 127);
                }
                if (strip > prevLen) {
                    return null;
                }
                int nul = nul(raw, pos, end);
                if (nul < 0) {
                    return null;
                }
                int keep = prevLen - (int) strip;
                path = new byte[keep + (nul - pos)];
                System.arraycopy(prev, 0, path, 0, keep);
                System.arraycopy(raw, pos, path, keep, nul - pos);
                pos = nul + 1;
            } else {
                int nul = nul(raw, pos, end);
                if (nul < 0) {
                    return null;
                }
                path = java.util.Arrays.copyOfRange(raw, pos, nul);
                int len = nul - start; // fixed part and name, then 1-8 NULs to a multiple of 8
                pos = start + ((len + 8) & ~7);
            }
            if (pos > end) {
                return null;
            }
            int nameLen = flags & 0xFFF;
            if (nameLen != 0xFFF && nameLen != path.length) {
                return null; // the layout does not add up: not an index we read right
            }
            md.update(path);
            md.update((byte) 0);
            prev = path;
            prevLen = path.length;
        }
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
