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
 * <p>Racy entries are handled as git handles its index: an entry modified less than
 * {@link #RACY_MARGIN_NS} before its scan began is smudged when written, and one whose mtime is
 * not older than the file it was read from is smudged when read: it may have been rewritten in
 * the same clock tick after it was hashed, so it is never trusted ({@link #trusted}). A
 * long-lived process appends only the changed entries to a checksummed log beside the cache
 * ({@link #append}) and writes the cache whole again when the log grows. The cache is only an
 * accelerator: a missing or unreadable cache means every file is hashed again.
 */
final class StatCache {
    private static final int MAGIC = 0x4c4b5343; // "LKSC"
    private static final int VERSION = 1;

    /** Stat data and blob id of one path. */
    record Entry(int mode, long size, long mtimeNs, long ctimeNs, long ino, byte[] id) {
        boolean sameStat(Entry o) {
            return mode == o.mode && size == o.size && mtimeNs == o.mtimeNs && ctimeNs == o.ctimeNs && ino == o.ino;
        }

        /** The same stat data and blob id (a record's own equals compares the id arrays by identity). */
        boolean same(Entry o) {
            return sameStat(o) && java.util.Arrays.equals(id, o.id);
        }
    }

    /** File-system clocks tick coarser than the wall clock (jiffies): allow this much. */
    static final long RACY_MARGIN_NS = 100_000_000L;

    private final Map<String, Entry> entries;
    private final String fingerprint;

    private StatCache(Map<String, Entry> entries, String fingerprint) {
        this.entries = entries;
        this.fingerprint = fingerprint;
    }

    static StatCache empty() {
        return new StatCache(new HashMap<>(), "");
    }

    int size() {
        return entries.size();
    }

    Entry get(String path) {
        return entries.get(path);
    }

    /** The paths the cache holds (a read-only view). */
    java.util.Set<String> paths() {
        return java.util.Collections.unmodifiableSet(entries.keySet());
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
        if (e == null || e.size < 0 || !e.sameStat(now)) {
            return null;
        }
        return e;
    }

    /** The last cache read or written per file, reused while the files on disk are the ones we know. */
    private static final Map<Path, Object[]> MEMO = new java.util.concurrent.ConcurrentHashMap<>();

    /** Like {@link #load}, but a long-lived process skips re-reading unchanged files. */
    static StatCache loadShared(Path file) {
        Object key = key(file);
        if (key == null) {
            MEMO.remove(file);
            return empty();
        }
        Object[] memo = MEMO.get(file);
        if (memo != null && memo[0].equals(key)) {
            return (StatCache) memo[1];
        }
        StatCache c = load(file);
        MEMO.put(file, new Object[] {key, c});
        return c;
    }

    /** What identifies the cache's files as written: stat data of the cache and of its log. */
    private static Object key(Path file) {
        try {
            return List.of(attrs(file), attrs(log(file)));
        } catch (IOException e) {
            return null;
        }
    }

    private static Object attrs(Path f) throws IOException {
        try {
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(f,
                    java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            return List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey()));
        } catch (NoSuchFileException e) {
            return "none";
        }
    }

    /** The log of changes appended since the cache file was written whole. */
    static Path log(Path file) {
        return file.resolveSibling(file.getFileName() + ".log");
    }

    /**
     * The cache file and then its log, in order. Entries modified in or after the clock tick
     * their file was written in are smudged here (racy: the next scan hashes them again), as git
     * treats entries not older than its index file; a torn or foreign tail of the log is ignored
     * (the entries before it are facts still: that stat data had that content).
     */
    static StatCache load(Path file) {
        Map<String, Entry> map;
        String fp;
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            long written = Files.getLastModifiedTime(file).to(java.util.concurrent.TimeUnit.NANOSECONDS);
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                return empty();
            }
            fp = in.readUTF();
            int n = in.readInt();
            map = new HashMap<>(Math.max(16, n * 4 / 3 + 1));
            for (int i = 0; i < n; i++) {
                byte[] p = new byte[in.readInt()];
                in.readFully(p);
                Entry e = new Entry(in.readInt(), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
                        readId(in));
                map.put(new String(p, StandardCharsets.UTF_8), racy(e, written));
            }
            if (in.readInt() != MAGIC) {
                return empty();
            }
        } catch (NoSuchFileException e) {
            return empty();
        } catch (EOFException | RuntimeException e) {
            return empty(); // torn or foreign: hash everything again
        } catch (IOException e) {
            return empty();
        }
        readLog(log(file), map);
        return new StatCache(map, fp);
    }

    private static byte[] readId(DataInputStream in) throws IOException {
        byte[] id = new byte[20];
        in.readFully(id);
        return id;
    }

    private static Entry racy(Entry e, long writtenNs) {
        return e.mtimeNs >= writtenNs || e.ctimeNs >= writtenNs ? smudge(e) : e;
    }

    private static void readLog(Path log, Map<String, Entry> map) {
        byte[] all;
        long written;
        try {
            all = Files.readAllBytes(log);
            written = Files.getLastModifiedTime(log).to(java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (IOException e) {
            return; // none
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(all);
        try {
            while (b.remaining() >= 8) {
                int start = b.position();
                if (b.getInt() != LOG_MAGIC) {
                    return;
                }
                int n = b.getInt();
                Map<String, Entry> block = new HashMap<>();
                for (int i = 0; i < n; i++) {
                    byte[] p = new byte[b.getInt()];
                    b.get(p);
                    int mode = b.getInt();
                    long size = b.getLong();
                    long mtime = b.getLong();
                    long ctime = b.getLong();
                    long ino = b.getLong();
                    byte[] id = new byte[20];
                    b.get(id);
                    block.put(new String(p, StandardCharsets.UTF_8),
                            mode == REMOVED ? null : racy(new Entry(mode, size, mtime, ctime, ino, id), written));
                }
                java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                crc.update(all, start, b.position() - start);
                if (b.getLong() != crc.getValue()) {
                    return;
                }
                block.forEach((p, e) -> {
                    if (e == null) {
                        map.remove(p);
                    } else {
                        map.put(p, e);
                    }
                });
            }
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException | NegativeArraySizeException e) {
            // a torn last block: the blocks before it stand
        }
    }

    /** The entry marked racy (size -1): never trusted, hashed again by the next scan. */
    static Entry smudge(Entry e) {
        return e.size < 0 ? e : new Entry(e.mode, -1, e.mtimeNs, e.ctimeNs, e.ino, e.id);
    }

    /**
     * {@code entries} with those modified less than {@link #RACY_MARGIN_NS} before
     * {@code scanStartNs} (wall clock when the scan began) smudged, as git smudges racily clean
     * index entries: the file may have been rewritten in the same clock tick after it was read.
     */
    static Map<String, Entry> smudged(Map<String, Entry> entries, long scanStartNs) {
        long racy = scanStartNs - RACY_MARGIN_NS;
        Map<String, Entry> kept = new HashMap<>(entries.size() * 4 / 3 + 1);
        entries.forEach((p, e) -> kept.put(p, e.mtimeNs >= racy || e.ctimeNs >= racy ? smudge(e) : e));
        return kept;
    }

    /**
     * Writes the whole cache ({@code entries} smudged already, see {@link #smudged}) next to
     * {@code file} and moves it into place (all or nothing); the log goes first.
     */
    static void save(Path file, Map<String, Entry> entries, String fingerprint) throws IOException {
        Files.deleteIfExists(log(file));
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
        for (Entry e : entries.values()) {
            put(buf, paths[i++], e);
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
        Object key = key(file);
        if (key == null) {
            MEMO.remove(file);
            return;
        }
        long written = Files.getLastModifiedTime(file).to(java.util.concurrent.TimeUnit.NANOSECONDS);
        Map<String, Entry> kept = new HashMap<>(entries.size() * 4 / 3 + 1);
        entries.forEach((p, e) -> kept.put(p, racy(e, written)));
        MEMO.put(file, new Object[] {key, new StatCache(kept, fingerprint)});
    }

    private static void put(java.nio.ByteBuffer buf, byte[] path, Entry e) {
        buf.putInt(path.length);
        buf.put(path);
        buf.putInt(e.mode);
        buf.putLong(e.size);
        buf.putLong(e.mtimeNs);
        buf.putLong(e.ctimeNs);
        buf.putLong(e.ino);
        buf.put(e.id);
    }

    /** Largest log kept before the cache is written whole again: a quarter of the cache, at least this. */
    private static final long LOG_MIN_LIMIT = 512 * 1024;

    /**
     * Appends {@code changes} (entries smudged already; null: the path is gone) to the cache's
     * log, one checksummed block. False when there is no cache file to append to or the log
     * would grow past its limit: then write the cache whole with {@link #save}.
     */
    static boolean append(Path file, Map<String, Entry> changes) throws IOException {
        return append(file, changes, null);
    }

    /**
     * As {@link #append(Path, Map)}; with {@code loaded}, the cache the changes apply to (as it was
     * loaded from these files), the result is remembered as {@link #save} remembers what it wrote,
     * so this process does not read the files back on its next load.
     */
    static boolean append(Path file, Map<String, Entry> changes, StatCache loaded) throws IOException {
        long base;
        long logSize;
        try {
            base = Files.size(file);
            Path log = log(file);
            logSize = Files.exists(log) ? Files.size(log) : 0;
        } catch (NoSuchFileException e) {
            return false;
        }
        if (changes.isEmpty()) {
            return true;
        }
        byte[][] paths = new byte[changes.size()][];
        int total = 8 + 8;
        int i = 0;
        for (String key : changes.keySet()) {
            paths[i] = key.getBytes(StandardCharsets.UTF_8);
            total += 4 + paths[i++].length + 4 + 8 * 4 + 20;
        }
        if (logSize + total > Math.max(LOG_MIN_LIMIT, base / 4)) {
            return false;
        }
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(total);
        buf.putInt(LOG_MAGIC);
        buf.putInt(changes.size());
        i = 0;
        for (Entry e : changes.values()) {
            put(buf, paths[i++], e == null ? GONE : e);
        }
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(buf.array(), 0, buf.position());
        buf.putLong(crc.getValue());
        Path log = log(file);
        try (var ch = java.nio.channels.FileChannel.open(log, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.APPEND)) {
            if (ch.size() != logSize) {
                return false; // another writer: not ours to extend
            }
            buf.flip();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
        MEMO.remove(file);
        Object key = loaded == null ? null : key(file);
        if (key != null) {
            long written = Files.getLastModifiedTime(log).to(java.util.concurrent.TimeUnit.NANOSECONDS);
            Map<String, Entry> merged = new HashMap<>(loaded.entries);
            changes.forEach((p, e) -> {
                if (e == null) {
                    merged.remove(p);
                } else {
                    merged.put(p, e);
                }
            });
            merged.replaceAll((p, e) -> racy(e, written));
            MEMO.put(file, new Object[] {key, new StatCache(merged, loaded.fingerprint)});
        }
        return true;
    }

    private static final int LOG_MAGIC = 0x4c4b534c; // "LKSL"
    private static final int REMOVED = -2;
    private static final Entry GONE = new Entry(REMOVED, 0, 0, 0, 0, new byte[20]);

    static void delete(Path file) {
        MEMO.remove(file);
        try {
            Files.deleteIfExists(log(file));
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a stale cache is verified against the object database on the next load
        }
    }
}
