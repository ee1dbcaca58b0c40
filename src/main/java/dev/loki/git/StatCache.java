package dev.loki.git;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The snapshot store's own stat cache (the idea of git's index, none of its flags): for every
 * path of the last snapshot, the stat data seen when its content was hashed and the blob id.
 * A path whose stat data still matches is not read again.
 *
 * <p>Racy entries are handled as git handles its index: an entry whose mtime is not older than
 * the cache file's own modification time may have been rewritten in the same clock tick after
 * it was hashed, so it is never trusted ({@link #trusted}). The cache is only an accelerator:
 * a missing or unreadable cache means every file is hashed again.
 */
final class StatCache {
    private static final int MAGIC = 0x4c4b5343; // "LKSC"
    private static final int VERSION = 1;

    /** Stat data and blob id of one path. */
    record Entry(int mode, long size, long mtimeNs, long ctimeNs, long ino, byte[] id) {
        boolean sameStat(Entry o) {
            return mode == o.mode && size == o.size && mtimeNs == o.mtimeNs && ctimeNs == o.ctimeNs && ino == o.ino;
        }
    }

    /** File-system clocks tick coarser than the wall clock (jiffies): allow this much. */
    static final long RACY_MARGIN_NS = 100_000_000L;

    private final Map<String, Entry> entries;
    private final long writtenNs;
    private final String fingerprint;

    private StatCache(Map<String, Entry> entries, long writtenNs, String fingerprint) {
        this.entries = entries;
        this.writtenNs = writtenNs;
        this.fingerprint = fingerprint;
    }

    static StatCache empty() {
        return new StatCache(new HashMap<>(), Long.MIN_VALUE, "");
    }

    int size() {
        return entries.size();
    }

    Entry get(String path) {
        return entries.get(path);
    }

    /** The user-object fingerprint saved with the cache (pack names of the user's repository). */
    String fingerprint() {
        return fingerprint;
    }

    /**
     * The cached entry for {@code path} when its stat data equals {@code now} and it is neither
     * racy nor smudged (size -1); null otherwise (the file must be hashed).
     */
    Entry trusted(String path, Entry now) {
        Entry e = entries.get(path);
        if (e == null || e.size < 0 || !e.sameStat(now) || e.mtimeNs >= writtenNs || e.ctimeNs >= writtenNs) {
            return null;
        }
        return e;
    }

    /** The last cache read or written per file, reused while the file on disk is the one we know. */
    private static final Map<Path, Object[]> MEMO = new java.util.concurrent.ConcurrentHashMap<>();

    /** Like {@link #load}, but a long-lived process (the loop) skips re-reading an unchanged file. */
    static StatCache loadShared(Path file) {
        try {
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(file,
                    java.nio.file.attribute.BasicFileAttributes.class);
            Object key = List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey()));
            Object[] memo = MEMO.get(file);
            if (memo != null && memo[0].equals(key)) {
                return (StatCache) memo[1];
            }
            StatCache c = load(file);
            MEMO.put(file, new Object[] {key, c});
            return c;
        } catch (IOException e) {
            MEMO.remove(file);
            return empty();
        }
    }

    static StatCache load(Path file) {
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            long written = Files.getLastModifiedTime(file).to(java.util.concurrent.TimeUnit.NANOSECONDS);
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                return empty();
            }
            String fp = in.readUTF();
            int n = in.readInt();
            Map<String, Entry> map = new HashMap<>(Math.max(16, n * 4 / 3 + 1));
            for (int i = 0; i < n; i++) {
                byte[] p = new byte[in.readInt()];
                in.readFully(p);
                int mode = in.readInt();
                long size = in.readLong();
                long mtime = in.readLong();
                long ctime = in.readLong();
                long ino = in.readLong();
                byte[] id = new byte[20];
                in.readFully(id);
                map.put(new String(p, StandardCharsets.UTF_8), new Entry(mode, size, mtime, ctime, ino, id));
            }
            if (in.readInt() != MAGIC) {
                return empty();
            }
            return new StatCache(map, written, fp);
        } catch (NoSuchFileException e) {
            return empty();
        } catch (EOFException | RuntimeException e) {
            return empty(); // torn or foreign: hash everything again
        } catch (IOException e) {
            return empty();
        }
    }

    /**
     * Writes the cache next to {@code file} and moves it into place (all or nothing). Entries
     * modified less than {@link #RACY_MARGIN_NS} before {@code scanStartNs} (wall clock when the
     * scan began) are smudged, as git smudges racily clean index entries: the file may have been
     * rewritten in the same clock tick after it was read, so the next scan hashes it again.
     */
    static void save(Path file, Map<String, Entry> entries, String fingerprint, long scanStartNs) throws IOException {
        long racy = scanStartNs - RACY_MARGIN_NS;
        Map<String, Entry> kept = new HashMap<>(entries.size() * 4 / 3 + 1);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        // One buffer, one write: the same bytes as DataOutputStream would produce (big-endian,
        // modified UTF-8 header), without ~10 synchronized stream calls per entry.
        byte[][] paths = new byte[entries.size()][];
        int total = 0;
        int i = 0;
        for (String key : entries.keySet()) {
            byte[] p = key.getBytes(StandardCharsets.UTF_8);
            paths[i++] = p;
            total += 4 + p.length + 4 + 8 * 4 + 20;
        }
        java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream(64);
        try (DataOutputStream h = new DataOutputStream(head)) {
            h.writeInt(MAGIC);
            h.writeInt(VERSION);
            h.writeUTF(fingerprint);
            h.writeInt(entries.size());
        }
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(head.size() + total + 4);
        buf.put(head.toByteArray());
        i = 0;
        for (Map.Entry<String, Entry> me : entries.entrySet()) {
            byte[] p = paths[i++];
            Entry e = me.getValue();
            boolean smudge = e.mtimeNs >= racy || e.ctimeNs >= racy;
            kept.put(me.getKey(), smudge ? new Entry(e.mode, -1, e.mtimeNs, e.ctimeNs, e.ino, e.id) : e);
            buf.putInt(p.length);
            buf.put(p);
            buf.putInt(e.mode);
            buf.putLong(smudge ? -1 : e.size);
            buf.putLong(e.mtimeNs);
            buf.putLong(e.ctimeNs);
            buf.putLong(e.ino);
            buf.put(e.id);
        }
        buf.putInt(MAGIC);
        try (OutputStream out = Files.newOutputStream(tmp)) {
            out.write(buf.array(), 0, buf.position());
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try {
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(file,
                    java.nio.file.attribute.BasicFileAttributes.class);
            Object key = List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey()));
            MEMO.put(file, new Object[] {key, new StatCache(kept,
                    a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS), fingerprint)});
        } catch (IOException e) {
            MEMO.remove(file);
        }
    }

    static void delete(Path file) {
        MEMO.remove(file);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a stale cache is verified against the object database on the next load
        }
    }
}
