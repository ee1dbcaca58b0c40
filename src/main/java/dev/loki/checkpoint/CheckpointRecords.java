package dev.loki.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.Ids;
import dev.loki.store.AtomicFiles;
import dev.loki.store.FileLocks;
import dev.loki.store.FileTrees;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.WriterPid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where checkpoint records live. The authoritative copy is in the primary root,
 * {@code <git-dir>/loki/checkpoints} in a git repository (out of reach of {@code rm -rf .loki}
 * and {@code git clean -fdx}), else {@code .loki/state/checkpoints}. Each record is mirrored to
 * {@code .loki/state/checkpoints/<id>} for upstream's tools, and records that only exist there
 * (written by upstream or by an older loki) are read from there.
 *
 * <p>A record being written carries a {@code .creating} marker naming its writer (pid and start
 * time); metadata.json is written last. A directory without metadata.json whose writer is gone
 * is an orphan of a killed create: {@link #scan} removes it and says so. An unparseable
 * metadata.json is moved aside as {@code metadata.json.corrupt.<epoch>} and reported on every
 * scan, never dropped silently.
 */
public final class CheckpointRecords {
    static final String METADATA = "metadata.json";
    static final String MARKER = ".creating";
    static final String INDEX = "index.jsonl";
    private static final Duration LOCK_WAIT = Duration.ofSeconds(30);
    /** A directory of ours without a marker is a create killed between mkdir and marker. */
    private static final Duration UNMARKED_GRACE = Duration.ofSeconds(30);
    /** Upstream's writers leave no marker; only a directory this old is taken for an orphan. */
    private static final Duration FOREIGN_GRACE = Duration.ofMinutes(10);
    private static final Pattern TEMP = Pattern.compile("^\\.(.+)\\.tmp-(\\d+)$");

    /** A checkpoint whose metadata.json could not be read. */
    public record Corrupt(String id, Path dir, Path keptAs, String reason) {
        public String line() {
            return "Checkpoint " + id + " is corrupt: " + reason + "; kept as " + keptAs
                    + " (fix or remove it by hand; nothing was deleted).";
        }
    }

    /** What a scan found: readable checkpoints, corrupt ones, and what it cleaned up. */
    public record Scan(List<Checkpoint> checkpoints, List<Corrupt> corrupt, List<String> orphansRemoved,
            List<String> notices) {
    }

    private final Path primary;
    private final Path mirror;

    CheckpointRecords(Path primary, Path mirror) {
        this.primary = primary.toAbsolutePath().normalize();
        this.mirror = mirror.toAbsolutePath().normalize();
    }

    Path primary() {
        return primary;
    }

    Optional<Path> mirror() {
        return primary.equals(mirror) ? Optional.empty() : Optional.of(mirror);
    }

    List<Path> roots() {
        return mirror().isPresent() ? List.of(primary, mirror) : List.of(primary);
    }

    // ---- write ---------------------------------------------------------------------------

    /** Reserves {@code primary/<id>} (an id free in every root) and marks it as being written. */
    Path allocate(String base) throws IOException {
        Files.createDirectories(primary);
        for (int n = 1; n < 10_000; n++) {
            String id = n == 1 ? base : base + "-" + n;
            if (mirror().isPresent() && Files.exists(mirror.resolve(id), LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Path dir = primary.resolve(id);
            try {
                Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                continue; // same second, another writer: take the next suffix
            }
            Files.writeString(dir.resolve(MARKER), WriterPid.current().format() + "\n", StandardCharsets.UTF_8);
            return dir;
        }
        throw new IOException("could not allocate a checkpoint id from " + base);
    }

    /** Writes metadata.json (the record is complete from here on) and mirrors the record. */
    void commit(Path dir, ObjectNode metadata) throws IOException {
        JsonFiles.write(dir.resolve(METADATA), metadata);
        Files.deleteIfExists(dir.resolve(MARKER));
        try {
            mirrorRecord(dir.getFileName().toString());
        } catch (IOException | UncheckedIOException e) {
            // the record itself is complete; the next scan copies it to the mirror (or says why not)
        }
    }

    /**
     * Copies {@code primary/<id>} to {@code mirror/<id>}: into a temporary directory first,
     * then renamed, so the mirror never shows half a record.
     */
    void mirrorRecord(String id) throws IOException {
        if (mirror().isEmpty()) {
            return;
        }
        Path src = primary.resolve(id);
        Path dst = mirror.resolve(id);
        Files.createDirectories(mirror);
        Path tmp = mirror.resolve("." + id + ".tmp-" + ProcessHandle.current().pid());
        FileTrees.delete(tmp);
        try (Stream<Path> walk = Files.walk(src)) {
            for (Path p : walk.sorted().toList()) {
                String rel = src.relativize(p).toString();
                if (rel.equals(MARKER)) {
                    continue;
                }
                Path to = rel.isEmpty() ? tmp : tmp.resolve(rel);
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(to);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        try {
            if (Files.isDirectory(dst, LinkOption.NOFOLLOW_LINKS)
                    && !Files.isRegularFile(dst.resolve(METADATA), LinkOption.NOFOLLOW_LINKS)) {
                FileTrees.delete(dst); // a stale, incomplete copy
            }
            Files.move(tmp, dst, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.fsyncDirectory(mirror);
        } catch (IOException e) {
            // rename(2) onto a non-empty directory fails (ENOTEMPTY): another process mirrored it first
            if (!Files.isRegularFile(dst.resolve(METADATA), LinkOption.NOFOLLOW_LINKS)) {
                throw e;
            }
        } finally {
            FileTrees.delete(tmp);
        }
    }

    /** Rewrites a record's metadata in every root that holds it. */
    void updateMetadata(String id, JsonNode metadata) throws IOException {
        for (Path root : roots()) {
            Path meta = root.resolve(id).resolve(METADATA);
            if (Files.isRegularFile(meta, LinkOption.NOFOLLOW_LINKS)) {
                JsonFiles.write(meta, metadata);
            }
        }
    }

    /** Removes a record from every root. */
    void delete(String id) throws IOException {
        for (Path root : roots()) {
            FileTrees.delete(root.resolve(id));
        }
    }

    /** Appends a line to index.jsonl in every root (a torn last line is never glued to). */
    void appendIndex(ObjectNode line) throws IOException {
        byte[] bytes = (Json.line(line) + "\n").getBytes(StandardCharsets.UTF_8);
        for (Path root : roots()) {
            Path index = root.resolve(INDEX);
            try (FileLocks.Held lock = FileLocks.lockFor(index, LOCK_WAIT)) {
                AtomicFiles.append(index, bytes);
            }
        }
    }

    /** Drops the lines of removed ids from every index.jsonl; lines it cannot read are kept. */
    void rewriteIndex(Set<String> removed) throws IOException {
        for (Path root : roots()) {
            Path index = root.resolve(INDEX);
            if (!Files.isRegularFile(index)) {
                continue;
            }
            try (FileLocks.Held lock = FileLocks.lockFor(index, LOCK_WAIT)) {
                StringBuilder kept = new StringBuilder();
                for (String line : Files.readAllLines(index, StandardCharsets.UTF_8)) {
                    if (line.isBlank()) {
                        continue;
                    }
                    String id = "";
                    try {
                        id = Json.parse(line).path("id").asText("");
                    } catch (IOException e) {
                        // keep lines we cannot read: they are not ours to drop
                    }
                    if (!removed.contains(id)) {
                        kept.append(line).append('\n');
                    }
                }
                AtomicFiles.writeString(index, kept.toString());
            }
        }
    }

    // ---- read ----------------------------------------------------------------------------

    /** The directory holding a readable record of {@code id}: the primary root first. */
    Optional<Path> dirOf(String id) {
        for (Path root : roots()) {
            Path dir = Ids.resolveInside(root, id, "checkpoint");
            if (Files.isRegularFile(dir.resolve(METADATA), LinkOption.NOFOLLOW_LINKS)
                    && CheckpointReader.read(dir).isPresent()) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    /** Whether a record of {@code id} exists in some root but cannot be read (corrupt). */
    Optional<Corrupt> corrupt(String id) {
        for (Path root : roots()) {
            Path dir = Ids.resolveInside(root, id, "checkpoint");
            Optional<Corrupt> c = corruptIn(dir);
            if (c.isPresent()) {
                return c;
            }
        }
        return Optional.empty();
    }

    /** At least as many as the checkpoints a scan would list: every entry of every records directory. */
    long entriesAtMost() {
        long n = 0;
        for (Path root : roots()) {
            try (Stream<Path> s = Files.list(root)) {
                n += s.count();
            } catch (IOException | UncheckedIOException e) {
                // not there (or unreadable): it lists nothing either
            }
        }
        return n;
    }

    /**
     * The number of checkpoints a reading scan lists (readable records, every root, one per id):
     * the scan's own walk, read only (nothing is cleaned, mirrored or quarantined). A record
     * counts when its metadata.json reads as a checkpoint, so a corrupt one is never counted;
     * whether it does is remembered per file version (its size, times and inode), so a process
     * that counts again and again (the dashboard's status tick, a backlog's rows) parses only the
     * records written since.
     */
    int countReadable() {
        return walk(false, Pass.COUNT).counted().size();
    }

    /**
     * Reads every root: readable records (the primary's copy wins), corrupt ones (moved aside,
     * reported), orphans of killed creates (removed), missing or half mirrors (completed).
     */
    Scan scan(boolean clean) {
        return scan(clean, true);
    }

    /**
     * With {@code read} false, a light pass for every create: orphans and mirrors only, no
     * metadata is parsed (corrupt records are reported by the reading scans: list, doctor).
     */
    Scan scan(boolean clean, boolean read) {
        return walk(clean, read ? Pass.READ : Pass.LIGHT).scan();
    }

    /** What a walk does with each record: {@code LIGHT} and {@code COUNT} parse none they can avoid. */
    private enum Pass { LIGHT, COUNT, READ }

    private record Walk(Scan scan, Set<String> counted) {
    }

    private Walk walk(boolean clean, Pass pass) {
        Map<String, Checkpoint> byId = new LinkedHashMap<>();
        Set<String> counted = new java.util.HashSet<>();
        List<String> primaryIds = new ArrayList<>();
        List<Corrupt> corrupt = new ArrayList<>();
        List<String> orphans = new ArrayList<>();
        List<String> notices = new ArrayList<>();
        for (Path root : roots()) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            boolean isPrimary = root.equals(primary);
            List<Path> dirs;
            try (Stream<Path> s = Files.list(root)) {
                dirs = s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
            } catch (IOException | UncheckedIOException e) {
                if (pass == Pass.COUNT) {
                    continue; // unreadable: it lists nothing either
                }
                throw new UncheckedIOException("cannot list " + root, e instanceof IOException io ? io
                        : ((UncheckedIOException) e).getCause());
            }
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (clean && staleTemp(dir, name)) {
                    continue;
                }
                if (!Ids.isSafe(name)) {
                    continue;
                }
                Path meta = dir.resolve(METADATA);
                boolean hasMeta = Files.isRegularFile(meta, LinkOption.NOFOLLOW_LINKS);
                if (pass == Pass.LIGHT && hasMeta) {
                    if (isPrimary) {
                        primaryIds.add(name);
                    }
                    continue;
                }
                if (pass == Pass.COUNT) {
                    if (hasMeta && !counted.contains(name) && readable(dir)) {
                        counted.add(name);
                    }
                    continue; // corrupt records and orphans are reported and cleaned by the other passes
                }
                if (hasMeta) {
                    Optional<Checkpoint> cp = CheckpointReader.read(dir);
                    if (cp.isPresent()) {
                        byId.putIfAbsent(name, cp.get());
                        if (isPrimary) {
                            primaryIds.add(name);
                        }
                        continue;
                    }
                    quarantine(meta);
                }
                Optional<Corrupt> c = corruptIn(dir);
                if (c.isPresent()) {
                    if (corrupt.stream().noneMatch(x -> x.id().equals(name))) {
                        corrupt.add(c.get());
                    }
                    continue;
                }
                if (clean && isOrphan(dir, isPrimary)) {
                    try {
                        FileTrees.delete(dir);
                        if (!orphans.contains(name)) {
                            orphans.add(name);
                        }
                    } catch (IOException | UncheckedIOException e) {
                        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) { // else another process removed it
                            notices.add("Could not remove the unfinished checkpoint directory " + dir + ": "
                                    + e.getMessage());
                        }
                    }
                }
            }
        }
        if (clean && mirror().isPresent()) {
            for (String id : primaryIds) {
                if (!Files.isRegularFile(mirror.resolve(id).resolve(METADATA), LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        mirrorRecord(id);
                    } catch (IOException | UncheckedIOException e) {
                        notices.add("Could not copy checkpoint " + id + " to " + mirror + ": " + e.getMessage());
                    }
                }
            }
        }
        List<Checkpoint> sorted = byId.values().stream()
                .sorted(Comparator.comparing(Checkpoint::createdAt).thenComparing(Checkpoint::id))
                .toList();
        corrupt.sort(Comparator.comparing(Corrupt::id));
        return new Walk(new Scan(sorted, corrupt, orphans, notices), counted);
    }

    /** Whether a record's metadata.json reads as a checkpoint, by version of the file. */
    private static final Map<Path, Known> READABLE = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int READABLE_MAX = 20_000;

    private record Known(String version, boolean ok) {
    }

    private static boolean readable(Path dir) {
        Path meta = dir.resolve(METADATA);
        String version = version(meta, LinkOption.NOFOLLOW_LINKS);
        if (version.equals("-")) {
            return false; // gone since it was listed
        }
        Known known = READABLE.get(meta);
        if (known != null && known.version().equals(version)) {
            return known.ok();
        }
        boolean ok = CheckpointReader.read(dir).isPresent();
        if (READABLE.size() >= READABLE_MAX) {
            READABLE.clear();
        }
        READABLE.put(meta, new Known(version, ok));
        return ok;
    }

    /**
     * A file's version as the memos here (and {@link RetentionPins}) key it: size, modification
     * time in ns, change time in ns and file key (records are written by rename, so a rewrite is a
     * new inode); "-" when it cannot be read. The change time catches an edit in place that keeps
     * the size and puts the old modification time back (no one can set it back). A file changed
     * within {@link #SETTLE} of now gets a version of its own on every call, so a memo never
     * trusts it: a second change within the same tick of the file system's clock would leave
     * every part of the key as it was.
     */
    static String version(Path p, LinkOption... options) {
        return version(p, Instant.now(), options);
    }

    /** {@link #version(Path, LinkOption...)} as of {@code now}. */
    static String version(Path p, Instant now, LinkOption... options) {
        try {
            Map<String, Object> a;
            try {
                a = Files.readAttributes(p, "unix:size,lastModifiedTime,ctime,fileKey", options);
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                var b = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class, options);
                return b.size() + "/" + nanos(b.lastModifiedTime()) + "/" + b.fileKey();
            }
            java.nio.file.attribute.FileTime ctime = (java.nio.file.attribute.FileTime) a.get("ctime");
            String v = a.get("size") + "/" + nanos((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")) + "/"
                    + nanos(ctime) + "/" + a.get("fileKey");
            if (ctime.toInstant().isAfter(now.minus(SETTLE))) {
                return v + "/unsettled-" + UNSETTLED.incrementAndGet();
            }
            return v;
        } catch (IOException e) {
            return "-";
        }
    }

    /**
     * How long after a change a file's version is trusted: more than the coarse clock the kernel
     * stamps changes with lags behind (a few ms) and the 1 s stamps of coarser file systems.
     */
    static final Duration SETTLE = Duration.ofSeconds(2);
    private static final java.util.concurrent.atomic.AtomicLong UNSETTLED = new java.util.concurrent.atomic.AtomicLong();

    private static long nanos(java.nio.file.attribute.FileTime t) {
        return t.to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private static Optional<Corrupt> corruptIn(Path dir) {
        if (Files.isRegularFile(dir.resolve(METADATA), LinkOption.NOFOLLOW_LINKS)) {
            if (CheckpointReader.read(dir).isPresent()) {
                return Optional.empty();
            }
            return Optional.of(new Corrupt(dir.getFileName().toString(), dir, dir.resolve(METADATA),
                    "metadata.json is not a JSON object"));
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(METADATA + ".corrupt."))
                    .max(Comparator.comparing(p -> p.getFileName().toString()))
                    .map(p -> new Corrupt(dir.getFileName().toString(), dir, p, "metadata.json was not valid JSON"));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Moves an unreadable metadata.json aside as {@code metadata.json.corrupt.<epoch>}. */
    private static void quarantine(Path meta) {
        Path aside = meta.resolveSibling(METADATA + ".corrupt." + Instant.now().getEpochSecond());
        try {
            Files.move(meta, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // left in place: corruptIn still reports it
        }
    }

    private boolean isOrphan(Path dir, boolean isPrimary) {
        Path marker = dir.resolve(MARKER);
        if (Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Optional<WriterPid> w = WriterPid.parse(Files.readString(marker, StandardCharsets.UTF_8));
                return w.isEmpty() || !w.get().alive();
            } catch (NoSuchFileException e) {
                return false; // finished just now
            } catch (IOException e) {
                return false;
            }
        }
        Duration grace = isPrimary ? UNMARKED_GRACE : FOREIGN_GRACE;
        try {
            Instant modified = Files.getLastModifiedTime(dir).toInstant();
            return Duration.between(modified, Instant.now()).compareTo(grace) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** A mirror copy left by a process that died before renaming it into place. */
    private static boolean staleTemp(Path dir, String name) {
        Matcher m = TEMP.matcher(name);
        if (!m.matches()) {
            return false;
        }
        long pid = Long.parseLong(m.group(2));
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return true;
        }
        try {
            FileTrees.delete(dir);
        } catch (IOException | UncheckedIOException e) {
            // tried again at the next scan
        }
        return true;
    }
}
