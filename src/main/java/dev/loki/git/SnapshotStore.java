package dev.loki.git;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.internal.storage.file.ObjectDirectory;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilterGroup;

/**
 * Snapshots of a work tree kept in a private git store, never in the user's repository.
 *
 * <p><b>The snapshot invariant.</b> A snapshot holds every path tracked in the user's index
 * (whatever its flags: assume-unchanged, skip-worktree, ignored but added with {@code -f}) or
 * untracked and not ignored, with exactly the bytes and mode (regular, executable, symlink) on
 * disk at that moment. What git tells us is only the list of paths ({@code git ls-files}); the
 * bytes are read here, raw, so no filter (autocrlf, eol, clean/smudge, ident,
 * working-tree-encoding) ever applies, and nothing of the user's index (stat data, flags,
 * cache-tree) decides what is captured. Files over the size cap and nested repositories are
 * left out and listed in {@link Snapshot#skipped()}; empty directories and read-only bits are
 * not restored and listed in {@link Snapshot#notRestored()}.
 *
 * <p><b>Where.</b> The store lives in {@link PrivateDir#store} ({@code <git-dir>/loki/store}),
 * out of reach of {@code rm -rf .loki} and {@code git clean -fdx}; its
 * {@code objects/info/alternates} points at the user's object database so content the user
 * already has is never copied. A store from an older version under {@code .loki/snapshots.git}
 * is migrated (its refs and objects fetched) on first use.
 *
 * <p><b>How.</b> Objects are written in-process (JGit, one pack per snapshot); a stat cache of
 * our own ({@link StatCache}, racy entries re-hashed as git does) means unchanged files are not
 * read again, and inside the loop a {@link WorkTreeWatcher} means they are not even stat'ed.
 * Restores write the work tree in-process too (no git child that could outlive a killed loki),
 * and are idempotent: running the same restore again completes a half-done one. Callers
 * serialise access (one snapshot or restore at a time per store).
 */
public final class SnapshotStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SnapshotStore.class);
    public static final String REF_PREFIX = "refs/loki/checkpoints/";

    static final String STAT_CACHE = "loki-statcache";
    static final String KNOWN_TREES = "loki-trees";
    /** Files at least this big are hashed and stored by streaming instead of in memory. */
    private static final long STREAM_ABOVE = 16L * 1024 * 1024;
    /**
     * zlib level of the loop's snapshots: none (stored blocks). Measured on the bench tree, an
     * iteration's ~500 changed files took 30 ms to store at level 1 and 10 ms at level 0, for a
     * pack 2.9 times larger; the store's repack (at most hourly, when retention prunes, and by
     * {@code loki checkpoint gc}) deltifies them, which left a repacked store 10% larger than
     * one recompressed whole ({@code repack -F}, four times slower). Snapshots outside the loop
     * keep level 1 ({@link JGitStore#ZLIB}).
     */
    private static final int LOOP_ZLIB = java.util.zip.Deflater.NO_COMPRESSION;
    private static final PersonIdent LOKI = new PersonIdent("loki", "loki@localhost");
    /**
     * Blob ids a restore wrote, per store, until the next snapshot: a carried snapshot looks the
     * files it wrote up in the store rather than storing them again; any snapshot drops them (a
     * long-lived dashboard that restores often keeps one restore's ids at most).
     */
    private static final Map<Path, Set<ObjectId>> RESTORED = new ConcurrentHashMap<>();

    private final Path store;
    private final RepoInfo repo;
    private final Map<String, String> baseEnv;
    private final List<String> excludedPrefixes;
    private final Path legacy;
    /** Snapshots whose listing reused the previous one (tests check that the fast path runs). */
    final java.util.concurrent.atomic.AtomicInteger listingsReused = new java.util.concurrent.atomic.AtomicInteger();
    /** Snapshots that started from the previous one carried in memory (tests check that the fast path runs). */
    final java.util.concurrent.atomic.AtomicInteger snapshotsCarried = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * @param store            the private store directory (created on first use)
     * @param repo             the user's repository
     * @param env              the environment to run git with
     * @param excludedPrefixes work-tree-relative directories never snapshotted nor restored
     *                         (the .loki directory), each ending in '/'
     */
    public SnapshotStore(Path store, RepoInfo repo, Map<String, String> env, List<String> excludedPrefixes) {
        this(store, repo, env, excludedPrefixes, null);
    }

    /**
     * @param legacyStore a store written by an older version (under {@code .loki/}) whose refs
     *                    and objects are migrated into {@code store} when {@code store} is created;
     *                    may be null
     */
    public SnapshotStore(Path store, RepoInfo repo, Map<String, String> env, List<String> excludedPrefixes,
            Path legacyStore) {
        this.store = store.toAbsolutePath().normalize();
        this.repo = repo;
        this.baseEnv = env;
        this.excludedPrefixes = List.copyOf(excludedPrefixes);
        this.legacy = legacyStore == null ? null : legacyStore.toAbsolutePath().normalize();
    }

    /**
     * The snapshot store of a project: {@link PrivateDir#store} of its repository, with the
     * project's {@code .loki} directory left out of every snapshot and restore when it lies
     * inside the work tree, and the store an older version kept under {@code .loki/snapshots.git}
     * migrated on first use. Checkpoints and proofs share it.
     */
    public static SnapshotStore forProject(RepoInfo repo, Path lokiDir, Map<String, String> env) {
        List<String> excluded = new ArrayList<>();
        Path work = realish(repo.workTree());
        Path loki = realish(lokiDir);
        if (loki.startsWith(work) && !loki.equals(work)) {
            excluded.add(work.relativize(loki).toString().replace('\\', '/') + "/");
        }
        return new SnapshotStore(PrivateDir.store(repo), repo, env, excluded, lokiDir.resolve(LEGACY_STORE));
    }

    /** Where versions before the store moved under the git directory kept it, inside {@code .loki}. */
    static final String LEGACY_STORE = "snapshots.git";

    private static Path realish(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    /** Limits for one snapshot. */
    public record Limits(long maxFileBytes, Instant deadline) {
    }

    /** A path left out of a snapshot (or not restorable in full), and why. */
    public record Skipped(String path, String reason) {
    }

    /**
     * A snapshot that was taken.
     *
     * @param skipped      paths left out (too large, nested repositories: ending in '/'); a
     *                     rollback leaves them alone
     * @param pathsUpdated paths whose content was read and hashed (not found unchanged)
     * @param notRestored  paths the snapshot holds only in part: read-only files (their bytes
     *                     are captured, the read-only bit is not restored) and empty directories
     *                     (not captured: a git tree cannot hold one)
     */
    public record Snapshot(String commit, String tree, List<Skipped> skipped, int pathsUpdated,
            List<Skipped> notRestored) {
        public Snapshot(String commit, String tree, List<Skipped> skipped, int pathsUpdated) {
            this(commit, tree, skipped, pathsUpdated, List.of());
        }
    }

    public Path directory() {
        return store;
    }

    /**
     * Starts (or returns the running) file watcher of this work tree, so the snapshots of a
     * long-lived process re-hash only what changed. Close it when the run ends.
     */
    public WorkTreeWatcher watch() throws IOException {
        return WorkTreeWatcher.start(repo.workTree(), store, excludedPrefixes);
    }

    public RepoInfo repo() {
        return repo;
    }

    // ---- take ---------------------------------------------------------------------------

    /** Takes a snapshot of the work tree and points {@code ref} at it. */
    public Snapshot take(String ref, String message, Limits limits) throws IOException {
        init();
        Optional<WorkTreeWatcher.Changes> hint = WorkTreeWatcher.changesFor(repo.workTree(), excludedPrefixes);
        try {
            Snapshot s = takeWith(ref, message, limits, hint.orElse(null));
            hint.ifPresent(WorkTreeWatcher.Changes::commit);
            return s;
        } catch (IOException | RuntimeException e) {
            hint.ifPresent(WorkTreeWatcher.Changes::abandon);
            throw e;
        }
    }

    private Snapshot takeWith(String ref, String message, Limits limits, WorkTreeWatcher.Changes hint)
            throws IOException {
        long scanStart = nowNs();
        long t0 = System.nanoTime();
        Object carried = hint == null ? null : hint.takeCarry(); // put back only by a snapshot that succeeds
        Path cacheFile = store.resolve(STAT_CACHE);
        Path treesFile = store.resolve(KNOWN_TREES);
        String fingerprint = userObjectsFingerprint();
        Carry carry = carried instanceof Carry c && !hint.fullScan() && !hint.dirs().contains("")
                && c.usable(store, excludedPrefixes, fingerprint, treesFile, limits.maxFileBytes()) ? c : null;
        try (FileRepository db = open();
                ObjectInserter ins = JGitStore.newPackInserter(db, carry != null ? LOOP_ZLIB : JGitStore.ZLIB)) {
            ObjectDirectory od = db.getObjectDatabase();
            Set<ObjectId> inserted = ConcurrentHashMap.newKeySet();
            Set<ObjectId> restored = RESTORED.getOrDefault(store, Set.of());
            // While git lists, the files the events named that the last snapshot captured are
            // hashed already: a listed file that is still a file stays listed without asking git.
            java.util.concurrent.CompletableFuture<Map<String, PathScan>> early = carry == null ? null
                    : java.util.concurrent.CompletableFuture.supplyAsync(
                            () -> prehash(carry, hint, limits, od, ins, inserted, restored));
            Listing listing;
            try {
                listing = list(limits, hint);
            } finally {
                if (early != null) {
                    early.handle((r, x) -> null).join(); // the inserter is not closed under it
                }
            }
            long tList = System.nanoTime();
            if (carry != null && listing.delta() != null) {
                return takeCarried(carry, ref, message, limits, hint, listing, scanStart, t0, tList, db, ins,
                        inserted, restored, early.join());
            }
            return takeScanned(ref, message, limits, hint, listing, scanStart, t0, tList, db, ins, inserted,
                    cacheFile, treesFile, fingerprint);
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            throw e.getCause() instanceof RuntimeException r ? r : e;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * The files {@code hint} named that the carried snapshot captured, stat'ed and hashed (and
     * stored) as {@link #takeCarried} would: the part of a loop snapshot that does not wait for
     * the listing.
     */
    private Map<String, PathScan> prehash(Carry c, WorkTreeWatcher.Changes hint, Limits limits, ObjectDirectory od,
            ObjectInserter ins, Set<ObjectId> inserted, Set<ObjectId> restored) {
        List<String> sure = new ArrayList<>();
        for (String f : hint.files()) {
            if (c.captured.containsKey(f)) {
                sure.add(f);
            }
        }
        Map<String, PathScan> scanned = new ConcurrentHashMap<>(sure.size() * 4 / 3 + 1);
        LeadingDirs dirs = new LeadingDirs(repo.workTree());
        java.util.function.Predicate<ObjectId> seen = c.seen(restored);
        sure.parallelStream().forEach(path -> {
            try {
                scanned.put(path, scanCarried(c, path, dirs, limits, od, ins, inserted, seen));
            } catch (UncheckedIOException e) {
                // e.g. its directory is a file now: the listing drops it, or the scan after it says why
            }
        });
        return scanned;
    }

    /**
     * One path of a carried snapshot: the carried entry when the stat data still matches it
     * (never a racy, smudged one), else stat'ed and hashed; {@link #ABSENT} when not on disk.
     * The early pass and the pass after the listing both use this, so they cannot disagree.
     */
    private static PathScan scanCarried(Carry c, String path, LeadingDirs dirs, Limits limits, ObjectDirectory od,
            ObjectInserter ins, Set<ObjectId> inserted, java.util.function.Predicate<ObjectId> seen) {
        StatCache.Entry prev = c.captured.get(path);
        PathScan s = scanPath(path, dirs, limits,
                now -> prev != null && prev.size() >= 0 && prev.sameStat(now) ? prev : null, od, ins, inserted, seen);
        return s == null ? ABSENT : s;
    }

    /** A snapshot that stats every listed path (hashing those the stat cache cannot vouch for). */
    private Snapshot takeScanned(String ref, String message, Limits limits, WorkTreeWatcher.Changes hint,
            Listing listing, long scanStart, long t0, long tList, FileRepository db, ObjectInserter ins,
            Set<ObjectId> inserted, Path cacheFile, Path treesFile, String fingerprint) throws IOException {
        StatCache cache = StatCache.loadShared(cacheFile);
        // The user's repository was repacked or garbage-collected since the cache was written:
        // content we borrowed from it may be gone, so every cached id is checked once.
        boolean verify = cache.size() > 0 && !cache.fingerprint().equals(fingerprint);
        ObjectDirectory od = db.getObjectDatabase();
        Map<String, PathScan> scanned = new ConcurrentHashMap<>(listing.paths().size() * 4 / 3 + 1);
        LeadingDirs dirs = new LeadingDirs(repo.workTree());

        listing.paths().parallelStream().forEach(path -> {
            StatCache.Entry prev = cache.get(path);
            if (hint != null && prev != null && !verify && !hint.mayHaveChanged(path) && !linked(prev)
                    && withinLimit(prev, limits) && cache.trusted(path, prev) != null) {
                // the watcher saw no event under this path since the last snapshot
                scanned.put(path, new PathScan(prev, false, null, readOnlyNote(path, prev)));
                return;
            }
            PathScan s = scanPath(path, dirs, limits, now -> {
                StatCache.Entry hit = cache.trusted(path, now);
                return hit != null && verify && !od.has(ObjectId.fromRaw(hit.id())) ? null : hit;
            }, od, ins, inserted, id -> true);
            if (s != null) {
                scanned.put(path, s);
            }
        });

        long tScan = System.nanoTime();
        Map<String, StatCache.Entry> next = new HashMap<>(scanned.size() * 4 / 3 + 1);
        List<Skipped> skipped = new ArrayList<>();
        List<Skipped> notRestored = new ArrayList<>();
        List<TreeWriter.Item> items = new ArrayList<>(scanned.size());
        int hashed = 0;
        for (Map.Entry<String, PathScan> e : scanned.entrySet()) {
            String path = e.getKey();
            PathScan s = e.getValue();
            if (s.skipped() != null) {
                skipped.add(s.skipped());
            }
            if (s.notRestored() != null) {
                notRestored.add(s.notRestored());
            }
            if (s.entry() == null) {
                continue;
            }
            next.put(path, s.entry());
            hashed += s.hashed() ? 1 : 0;
            if (!validPath(path)) {
                skipped.add(invalid(path));
                continue;
            }
            items.add(new TreeWriter.Item(TreeWriter.utf8(path), s.entry().mode(), s.entry().id()));
        }
        items.sort((x, y) -> TreeWriter.compare(x.path(), y.path()));
        Set<ObjectId> knownTrees = verify ? new java.util.HashSet<>() : loadTrees(treesFile);
        TreeWriter tw = new TreeWriter(od, ins, knownTrees);
        TreeMemo.Builder memo = hint != null ? new TreeMemo.Builder() : null;
        ObjectId tree = tw.write(items, memo);
        long tTree = System.nanoTime();
        ObjectId commit = commitAndRef(db, ins, tree, message, ref);
        long tFlush = System.nanoTime();

        RESTORED.remove(store); // every blob was looked up in the store: the hint is spent
        Map<String, StatCache.Entry> kept = StatCache.smudged(next, scanStart);
        if (verify || !appendChanges(cacheFile, cache, kept)) {
            StatCache.save(cacheFile, kept, fingerprint);
        }
        byte[] trees = saveTrees(treesFile, tw.trees());
        if (hint != null) {
            // The loop's next snapshot starts from this one: only what changed is looked at.
            // What it needs besides the entries is gathered on another thread (the next
            // snapshot is an iteration away, and waits for it if need be).
            Carry c = new Carry(store, excludedPrefixes, fingerprint, kept, new HashMap<>(), new HashMap<>(),
                    new java.util.HashSet<>(), memo.build(), trees, limits.maxFileBytes());
            c.ready = java.util.concurrent.CompletableFuture.runAsync(() -> {
                scanned.forEach((p, s) -> {
                    if (s.skipped() != null) {
                        c.skipped.put(p, s.skipped());
                    } else if (s.entry() != null && !validPath(p)) {
                        c.skipped.put(p, invalid(p));
                    }
                    if (s.notRestored() != null) {
                        c.notRestored.put(p, s.notRestored());
                    }
                });
                kept.forEach((p, e) -> {
                    if (e.size() < 0) {
                        c.smudged.add(p);
                    }
                    if (linked(e)) {
                        c.linked.add(p);
                    }
                    c.ids.add(ObjectId.fromRaw(e.id()));
                });
            });
            hint.carry(c);
        }
        long tEnd = System.nanoTime();
        if (LOG.isDebugEnabled()) {
            LOG.debug("snapshot of {} paths ({} hashed, watcher {}): list {} ms, stat+hash {} ms, trees {} ms,"
                    + " commit+ref {} ms, caches {} ms", next.size(), hashed,
                    hint == null ? "off" : hint.fullScan() ? "full scan" : "on", (tList - t0) / 1_000_000,
                    (tScan - tList) / 1_000_000, (tTree - tScan) / 1_000_000, (tFlush - tTree) / 1_000_000,
                    (tEnd - tFlush) / 1_000_000);
        }
        return snapshot(commit, tree, skipped, notRestored, listing, hashed);
    }

    /**
     * Appends to the stat cache's log only the entries that differ from the cache this snapshot
     * loaded (under the store lock: nobody wrote it since), and the paths gone; false when the
     * cache must be written whole (none yet, another writer, or the log is full).
     */
    private static boolean appendChanges(Path file, StatCache loaded, Map<String, StatCache.Entry> kept)
            throws IOException {
        if (loaded.size() == 0) {
            return false;
        }
        Map<String, StatCache.Entry> changes = new HashMap<>();
        kept.forEach((p, e) -> {
            StatCache.Entry old = loaded.get(p);
            if (old == null || !old.same(e)) {
                changes.put(p, e);
            }
        });
        for (String p : loaded.paths()) {
            if (!kept.containsKey(p)) {
                changes.put(p, null);
            }
        }
        return StatCache.append(file, changes, loaded);
    }

    /**
     * The loop's snapshot when the previous one is carried in memory and the watcher vouches for
     * its events: only the paths events named (or the listing added), and entries left racy
     * last time, are stat'ed and hashed; only the directories on the way to a changed entry are
     * written; the stat cache gets only the changed entries. The same snapshot as a full scan
     * would take (the property test runs both ways).
     */
    private Snapshot takeCarried(Carry c, String ref, String message, Limits limits, WorkTreeWatcher.Changes hint,
            Listing listing, long scanStart, long t0, long tList, FileRepository db, ObjectInserter ins,
            Set<ObjectId> inserted, Set<ObjectId> restored, Map<String, PathScan> early) throws IOException {
        java.util.NavigableSet<String> listed = listing.delta().sorted();
        Set<String> candidates = new java.util.HashSet<>(listing.delta().added());
        for (String f : hint.files()) {
            if (listed.contains(f)) {
                candidates.add(f);
            }
        }
        for (String d : hint.dirs()) {
            if (listed.contains(d)) {
                candidates.add(d);
            }
            candidates.addAll(listed.subSet(d + "/", d + "0")); // '0' follows '/': everything under d
        }
        for (Set<String> again : List.of(c.smudged, c.linked)) {
            for (String s : again) {
                if (listed.contains(s)) {
                    candidates.add(s);
                }
            }
        }
        Map<String, StatCache.Entry> changes = new HashMap<>();
        for (String gone : listing.delta().removed()) {
            if (c.captured.remove(gone) != null) {
                changes.put(gone, null);
                c.trees.remove(gone);
            }
            c.skipped.remove(gone);
            c.notRestored.remove(gone);
            c.smudged.remove(gone);
            c.linked.remove(gone);
        }
        ObjectDirectory od = db.getObjectDatabase();
        Map<String, PathScan> scanned = new ConcurrentHashMap<>();
        LeadingDirs dirs = new LeadingDirs(repo.workTree());
        java.util.function.Predicate<ObjectId> seen = c.seen(restored);
        List<String> rest = new ArrayList<>(candidates.size());
        for (String path : candidates) {
            PathScan s = early.get(path);
            if (s != null) {
                scanned.put(path, s);
            } else {
                rest.add(path);
            }
        }
        rest.parallelStream().forEach(
                path -> scanned.put(path, scanCarried(c, path, dirs, limits, od, ins, inserted, seen)));
        long tScan = System.nanoTime();
        long racy = scanStart - StatCache.RACY_MARGIN_NS;
        int hashed = 0;
        for (Map.Entry<String, PathScan> e : scanned.entrySet()) {
            String path = e.getKey();
            PathScan s = e.getValue();
            c.skipped.remove(path);
            c.notRestored.remove(path);
            c.smudged.remove(path);
            c.linked.remove(path);
            if (s.skipped() != null) {
                c.skipped.put(path, s.skipped());
            }
            if (s.notRestored() != null) {
                c.notRestored.put(path, s.notRestored());
            }
            StatCache.Entry now = s.entry();
            if (now == null) {
                if (c.captured.remove(path) != null) {
                    changes.put(path, null);
                    c.trees.remove(path);
                }
                continue;
            }
            hashed += s.hashed() ? 1 : 0;
            if (linked(now)) {
                c.linked.add(path);
            }
            if (now.mtimeNs() >= racy || now.ctimeNs() >= racy) {
                now = StatCache.smudge(now);
                c.smudged.add(path);
            }
            StatCache.Entry old = c.captured.put(path, now);
            if (s.hashed()) {
                c.ids.add(ObjectId.fromRaw(now.id()));
            }
            if (old == null || !old.same(now)) {
                changes.put(path, now);
            }
            if (!validPath(path)) {
                c.skipped.put(path, invalid(path));
                c.trees.remove(path);
            } else if (old == null || old.mode() != now.mode() || !java.util.Arrays.equals(old.id(), now.id())) {
                c.trees.put(path, now.mode(), now.id());
            }
        }
        TreeWriter tw = new TreeWriter(od, ins, new java.util.HashSet<>(), false);
        ObjectId tree = c.trees.write(tw);
        long tTree = System.nanoTime();
        ObjectId commit = commitAndRef(db, ins, tree, message, ref);
        long tFlush = System.nanoTime();

        Path cacheFile = store.resolve(STAT_CACHE);
        if (!StatCache.append(cacheFile, changes)) {
            StatCache.save(cacheFile, c.captured, c.fingerprint); // the log grew past the cache: one file again
        }
        List<ObjectId> ids = new ArrayList<>();
        c.trees.trees(ids);
        c.treesFile = saveTrees(store.resolve(KNOWN_TREES), ids);
        RESTORED.remove(store, restored);
        hint.carry(c);
        snapshotsCarried.incrementAndGet();
        long tEnd = System.nanoTime();
        if (LOG.isDebugEnabled()) {
            LOG.debug("snapshot of {} paths ({} looked at, {} hashed, carried): list {} ms, stat+hash {} ms,"
                    + " trees {} ms, commit+ref {} ms, caches {} ms", c.captured.size(), candidates.size(), hashed,
                    (tList - t0) / 1_000_000, (tScan - tList) / 1_000_000, (tTree - tScan) / 1_000_000,
                    (tFlush - tTree) / 1_000_000, (tEnd - tFlush) / 1_000_000);
        }
        return snapshot(commit, tree, c.skipped.values(), c.notRestored.values(), listing, hashed);
    }

    /** The commit of {@code tree}, its pack flushed, and {@code ref} pointed at it. */
    private static ObjectId commitAndRef(FileRepository db, ObjectInserter ins, ObjectId tree, String message,
            String ref) throws IOException {
        CommitBuilder cb = new CommitBuilder();
        cb.setTreeId(tree);
        PersonIdent who = new PersonIdent(LOKI, Instant.now(), java.time.ZoneOffset.UTC);
        cb.setAuthor(who);
        cb.setCommitter(who);
        cb.setMessage(message.endsWith("\n") ? message : message + "\n");
        ObjectId commit = ins.insert(cb);
        ins.flush();
        RefUpdate u = db.updateRef(ref);
        u.setNewObjectId(commit);
        u.setForceUpdate(true);
        u.disableRefLog();
        RefUpdate.Result r = u.update();
        if (r != RefUpdate.Result.NEW && r != RefUpdate.Result.FORCED && r != RefUpdate.Result.NO_CHANGE) {
            throw new IOException("could not point " + ref + " at the snapshot: " + r);
        }
        return commit;
    }

    private Snapshot snapshot(ObjectId commit, ObjectId tree, java.util.Collection<Skipped> perPathSkipped,
            java.util.Collection<Skipped> perPathNotRestored, Listing listing, int hashed) {
        List<Skipped> sk = new ArrayList<>(perPathSkipped);
        List<Skipped> nr = new ArrayList<>(perPathNotRestored);
        for (String dir : listing.emptyDirs()) {
            if (!isExcluded(dir)) {
                nr.add(new Skipped(dir, "empty directory: not captured (a git tree cannot hold one)"));
            }
        }
        for (String nested : listing.nested()) {
            if (!isExcluded(nested)) {
                sk.add(new Skipped(nested, "nested git repository: its contents are not captured and a"
                        + " rollback leaves it as it is"));
            }
        }
        sk.sort(java.util.Comparator.comparing(Skipped::path));
        nr.sort(java.util.Comparator.comparing(Skipped::path));
        return new Snapshot(commit.name(), tree.name(), List.copyOf(sk), hashed, List.copyOf(nr));
    }

    /**
     * What one path of the listing came to: its entry (null when absent: deleted, a directory,
     * skipped), whether its bytes were read, and why it is skipped or not restored in full.
     */
    private record PathScan(StatCache.Entry entry, boolean hashed, Skipped skipped, Skipped notRestored) {
    }

    private static final PathScan ABSENT = new PathScan(null, false, null, null);

    /**
     * Stats {@code path} and hashes (and stores) its bytes unless {@code trusted} vouches for
     * the stat data seen; null when the path is not on disk.
     */
    private static PathScan scanPath(String path, LeadingDirs dirs, Limits limits,
            java.util.function.Function<StatCache.Entry, StatCache.Entry> trusted, ObjectDirectory od,
            ObjectInserter ins, Set<ObjectId> inserted, java.util.function.Predicate<ObjectId> mayBeStored) {
        if (Instant.now().isAfter(limits.deadline())) {
            throw new GitException(List.of("snapshot"), -1, "", true);
        }
        if (dirs.beyondLink(path)) {
            return null; // under a symlink (or a file): not in the work tree, whatever the index says
        }
        Path file;
        try {
            file = dirs.root().resolve(path);
        } catch (java.nio.file.InvalidPathException e) {
            return new PathScan(null, false, new Skipped(path, "a file name Java cannot read under this locale ("
                    + System.getProperty("sun.jnu.encoding") + "): not captured; run loki under a UTF-8 locale"
                    + " (bin/loki does)"), null);
        }
        StatCache.Entry now;
        try {
            now = stat(file);
        } catch (NoSuchFileException e) {
            if (path.indexOf('\uFFFD') >= 0) {
                // git listed bytes that are not UTF-8, which no Java path can name: say so, never drop it quietly
                return new PathScan(null, false, new Skipped(path, "a file name that is not valid UTF-8: not"
                        + " captured, and a rollback leaves it as it is"), null);
            }
            return null; // deleted (or never checked out): absent from the snapshot, as on disk
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (now.mode() == MODE_DIR) {
            if (Files.exists(file.resolve(".git"), LinkOption.NOFOLLOW_LINKS)) {
                return new PathScan(null, false, new Skipped(path + "/", "nested git repository or submodule: its"
                        + " contents are not captured and a rollback leaves it as it is"), null);
            }
            return ABSENT; // a directory where a file is tracked: its own files are listed one by one
        }
        if (now.mode() == MODE_OTHER) {
            return new PathScan(null, false, new Skipped(path, "not a regular file, symlink or directory (fifo,"
                    + " socket, device)"), null);
        }
        if (now.mode() != FileMode.SYMLINK.getBits() && now.size() > limits.maxFileBytes()) {
            return new PathScan(null, false, new Skipped(path, "larger than " + mib(limits.maxFileBytes()) + " ("
                    + mib(now.size()) + ", " + now.size() + " bytes)"), null);
        }
        Skipped ro = readOnlyNote(path, now);
        StatCache.Entry hit = trusted.apply(now);
        if (hit != null) {
            return new PathScan(hit, false, null, ro);
        }
        try {
            byte[] id = hashAndStore(file, now, od, ins, inserted, mayBeStored);
            return new PathScan(new StatCache.Entry(now.mode(), now.size(), now.mtimeNs(), now.ctimeNs(), now.ino(),
                    id), true, null, ro);
        } catch (LossyLinkTarget e) {
            return new PathScan(null, false, new Skipped(path, "a symlink whose target is not valid UTF-8: not"
                    + " captured, and a rollback leaves it as it is"), null);
        } catch (NoSuchFileException e) {
            return null; // deleted between the stat and the read: absent
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether a cached entry is within this snapshot's size limit: the last snapshot may have been
     * taken under another one (the daemon serves clients whose environments differ).
     */
    private static boolean withinLimit(StatCache.Entry e, Limits limits) {
        return e.mode() == FileMode.SYMLINK.getBits() || e.size() <= limits.maxFileBytes();
    }

    private static Skipped readOnlyNote(String path, StatCache.Entry st) {
        return readOnly(st) ? new Skipped(path, "read-only: its bytes are captured, a restore writes it writable")
                : null;
    }

    private static Skipped invalid(String path) {
        return new Skipped(path, "a path git cannot store in a tree");
    }

    /**
     * What the loop keeps of its last snapshot, in memory: every entry as the stat cache holds
     * it (racy ones smudged and listed in {@code smudged}, to be looked at again), per-path
     * reasons for skipped and not-restored paths, and the directory trees. Carried only while
     * nothing else wrote the store: the known-trees file must still hold what this process wrote
     * last (a gc deletes it, another process's snapshot rewrites it).
     */
    private static final class Carry {
        final Path store;
        final List<String> excluded;
        final String fingerprint;
        final Map<String, StatCache.Entry> captured;
        final Map<String, Skipped> skipped;
        final Map<String, Skipped> notRestored;
        final Set<String> smudged;
        /** Paths of files with other hard links: looked at every time (see {@link SnapshotStore#linked}). */
        final Set<String> linked = new java.util.HashSet<>();
        /** Blob ids of the snapshots carried so far (a hint of what the store has, never proof). */
        final Set<ObjectId> ids = new java.util.HashSet<>();
        TreeMemo trees;
        byte[] treesFile;
        /**
         * The size limit it was taken under: its entries and skipped paths hold only under the same
         * one (the daemon serves clients whose environments may set another).
         */
        final long maxFileBytes;
        /** Done when the sets and maps above are filled (see {@link SnapshotStore#takeScanned}). */
        java.util.concurrent.CompletableFuture<Void> ready = java.util.concurrent.CompletableFuture.completedFuture(null);

        Carry(Path store, List<String> excluded, String fingerprint, Map<String, StatCache.Entry> captured,
                Map<String, Skipped> skipped, Map<String, Skipped> notRestored, Set<String> smudged, TreeMemo trees,
                byte[] treesFile, long maxFileBytes) {
            this.store = store;
            this.excluded = excluded;
            this.fingerprint = fingerprint;
            this.captured = captured;
            this.skipped = skipped;
            this.notRestored = notRestored;
            this.smudged = smudged;
            this.trees = trees;
            this.treesFile = treesFile;
            this.maxFileBytes = maxFileBytes;
        }

        /**
         * Whether the store may already hold {@code id}: content this process has seen (the
         * carried snapshots', or written by a restore since). New content is the rule in the
         * loop, so an iteration's new files cost no lookups that miss.
         */
        java.util.function.Predicate<ObjectId> seen(Set<ObjectId> restored) {
            return id -> ids.contains(id) || restored.contains(id);
        }

        boolean usable(Path store, List<String> excluded, String fingerprint, Path treesFile, long maxFileBytes) {
            try {
                ready.join();
            } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
                return false;
            }
            if (!this.store.equals(store) || !this.excluded.equals(excluded) || !this.fingerprint.equals(fingerprint)
                    || this.maxFileBytes != maxFileBytes || trees == null) {
                return false;
            }
            try {
                return java.util.Arrays.equals(Files.readAllBytes(treesFile), this.treesFile);
            } catch (IOException e) {
                return false;
            }
        }
    }

    /** What a tree entry may be called: no empty, "." or ".." component, no ".git" (any case). */
    private static boolean validPath(String path) {
        for (String c : path.split("/", -1)) {
            if (c.isEmpty() || c.equals(".") || c.equals("..") || c.equalsIgnoreCase(".git")) {
                return false;
            }
        }
        return path.indexOf('\0') < 0;
    }

    /** Tree ids of the last snapshot (all stored): unchanged directories are not looked up again. */
    private static Set<ObjectId> loadTrees(Path file) {
        Set<ObjectId> out = new java.util.HashSet<>();
        try {
            byte[] raw = Files.readAllBytes(file);
            for (int i = 0; i + 20 <= raw.length; i += 20) {
                out.add(ObjectId.fromRaw(raw, i));
            }
        } catch (IOException e) {
            // none known: each tree is looked up in the object database
        }
        return out;
    }

    /** Writes the tree ids of the snapshot just taken and returns the file's bytes. */
    private static byte[] saveTrees(Path file, List<ObjectId> trees) throws IOException {
        byte[] raw = new byte[trees.size() * 20];
        for (int i = 0; i < trees.size(); i++) {
            trees.get(i).copyRawTo(raw, i * 20);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, raw);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return raw;
    }

    /**
     * What git says the snapshot must cover; {@code delta} is set when the listing was the
     * previous one updated for the watcher's events.
     */
    private record Listing(java.util.Collection<String> paths, List<String> nested, List<String> emptyDirs,
            Delta delta) {
        Listing(java.util.Collection<String> paths, List<String> nested, List<String> emptyDirs) {
            this(paths, nested, emptyDirs, null);
        }
    }

    /** How an updated listing differs from the previous one; {@code sorted} is the whole new listing. */
    private record Delta(java.util.NavigableSet<String> sorted, Set<String> added, Set<String> removed) {
    }

    /**
     * The listing of the last snapshot that used a watcher's events, with what it depends on
     * beyond the work tree: the stat data of the user's index and of every file of ignore rules
     * or configuration git reads outside the work tree.
     */
    private record ListingMemo(Path store, List<String> excluded, ListingKey key, List<Path> outside,
            java.util.TreeSet<String> paths, Set<String> nested, Set<String> emptyDirs) {
    }

    /**
     * What a listing depends on outside the work tree: {@code text} has the set of paths in the
     * user's index (its stat data and flags do not change what is listed) and the stat data and
     * content hash of every ignore and config file; {@code indexStat} (stat data and checksum of
     * the index file) spares parsing an index that did not change at all.
     */
    private record ListingKey(String text, String indexStat) {
    }

    /** More event paths than this: list everything again. */
    private static final int MAX_INCREMENTAL_PATHS = 20_000;
    /** More paths to ask git about than this: list everything again (git matches each entry against each). */
    private static final int MAX_ASKED_PATHS = 500;

    /**
     * Every path tracked in the user's index (whatever its flags) or untracked and not ignored,
     * from {@code git ls-files}; the paths only, never the index's stat data or blob ids. Empty
     * untracked directories come from a second listing run at the same time. Inside the loop,
     * when the watcher vouches for its events and nothing git's answer depends on outside the
     * work tree changed, the previous listing is reused and git is asked only about the paths
     * the events named (see {@link #incremental}).
     */
    private Listing list(Limits limits, WorkTreeWatcher.Changes hint) {
        GitCli git = repo.git(baseEnv);
        Duration timeout = remaining(limits);
        ListingKey key = null;
        List<Path> outside = null;
        if (hint != null) {
            Object m = hint.listingMemo();
            if (!hint.fullScan() && m instanceof ListingMemo memo && memo.store.equals(store)
                    && memo.excluded.equals(excludedPrefixes)) {
                ListingKey now = listingKey(memo.outside, memo.key);
                Listing l = null;
                if (now.text.equals(memo.key.text)) {
                    memo = new ListingMemo(memo.store, memo.excluded, now, memo.outside, memo.paths,
                            memo.nested, memo.emptyDirs);
                    l = incremental(memo, hint, git, timeout);
                }
                if (l != null) {
                    return l;
                }
            }
            hint.listingMemo(null);
            outside = configFiles(git, timeout);
            if (outside != null) {
                key = listingKey(outside, null); // before listing: a change while git lists shows next time
            }
        }
        Listing full = fullListing(git, timeout);
        if (hint != null && outside != null) {
            hint.listingMemo(new ListingMemo(store, excludedPrefixes, key, outside,
                    new java.util.TreeSet<>(full.paths), Set.copyOf(full.nested), Set.copyOf(full.emptyDirs)));
        }
        return full;
    }

    /**
     * Every config file git read (includes too) and the {@code core.excludesFile} they name, or
     * null if git cannot tell (then nothing is reused). Values are parsed here and dropped.
     */
    private List<Path> configFiles(GitCli git, Duration timeout) {
        GitCli.Result r = git.exec(List.of("config", "--list", "--show-origin", "-z"), null, timeout);
        if (!r.ok()) {
            return null;
        }
        LinkedHashSet<Path> files = new LinkedHashSet<>();
        String excludes = null;
        List<String> f = r.nulSeparated();
        for (int i = 0; i + 1 < f.size(); i += 2) {
            String origin = f.get(i);
            String kv = f.get(i + 1);
            if (origin.startsWith("file:")) {
                files.add(repo.workTree().resolve(origin.substring(5)));
            } else if (!origin.startsWith("command line:")) {
                return null; // a blob or standard input: not a file we can watch
            }
            int nl = kv.indexOf('\n');
            if (nl > 0 && kv.substring(0, nl).equalsIgnoreCase("core.excludesfile")) {
                excludes = kv.substring(nl + 1);
            }
        }
        if (excludes != null && !excludes.isEmpty()) {
            String home = baseEnv.getOrDefault("HOME", System.getenv("HOME"));
            if (excludes.startsWith("~/") && home != null) {
                excludes = home + excludes.substring(1);
            } else if (excludes.startsWith("~")) {
                return null; // ~user: not resolved here
            }
            files.add(repo.workTree().resolve(excludes));
        }
        return new ArrayList<>(files);
    }

    /** What the listing depends on outside the work tree: the index's paths, excludes, config. */
    private ListingKey listingKey(List<Path> outside, ListingKey previous) {
        List<Path> files = new ArrayList<>();
        files.add(repo.infoExclude());
        files.add(repo.commonDir().resolve("config"));
        files.add(repo.gitDir().resolve("config.worktree"));
        files.add(repo.gitDir().resolve("HEAD")); // includeIf onbranch: follows the branch
        files.add(Path.of("/etc/gitconfig")); // the usual system config, also before it exists
        String home = baseEnv.getOrDefault("HOME", System.getenv("HOME"));
        String xdg = baseEnv.getOrDefault("XDG_CONFIG_HOME", System.getenv("XDG_CONFIG_HOME"));
        if (home != null) {
            files.add(Path.of(home, ".gitconfig"));
            if (xdg == null || xdg.isEmpty()) {
                xdg = Path.of(home, ".config").toString();
            }
        }
        if (xdg != null && !xdg.isEmpty()) {
            files.add(Path.of(xdg, "git", "config"));
            files.add(Path.of(xdg, "git", "ignore"));
        }
        String global = baseEnv.getOrDefault("GIT_CONFIG_GLOBAL", System.getenv("GIT_CONFIG_GLOBAL"));
        if (global != null && !global.isEmpty()) {
            files.add(Path.of(global));
        }
        files.addAll(outside);
        StringBuilder sb = new StringBuilder();
        for (Path f : files) {
            sb.append(f).append('=');
            try {
                StatCache.Entry e = stat(f);
                sb.append(e.mode()).append(',').append(e.size()).append(',').append(e.mtimeNs()).append(',')
                        .append(e.ctimeNs()).append(',').append(e.ino()).append(',');
                sb.append(ObjectId.fromRaw(sha1().digest(Files.readAllBytes(f))).name());
            } catch (IOException e) {
                sb.append('-');
            }
            sb.append('\n');
        }
        Path index = repo.index();
        String indexStat;
        try {
            StatCache.Entry e = stat(index);
            indexStat = e.mode() + "," + e.size() + "," + e.mtimeNs() + "," + e.ctimeNs() + "," + e.ino() + ","
                    + ObjectId.fromRaw(indexChecksum(index)).name();
        } catch (IOException e) {
            indexStat = "-";
        }
        String indexPart;
        if (previous != null && previous.indexStat.equals(indexStat) && !indexStat.equals("-")) {
            int at = previous.text.lastIndexOf("\nindex paths=");
            indexPart = previous.text.substring(at + 1);
        } else {
            String digest = IndexPaths.digest(index);
            // an index we cannot read here (a format or extension we do not know): its exact file
            indexPart = "index paths=" + (digest != null ? digest : "unread " + indexStat);
        }
        return new ListingKey(sb.append('\n').append(indexPart).toString(), indexStat);
    }

    /** The index's own trailing checksum of its content (hashed here if git skipped it). */
    private static byte[] indexChecksum(Path index) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(index, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size >= 20) {
                java.nio.ByteBuffer tail = java.nio.ByteBuffer.allocate(20);
                long at = size - 20;
                while (tail.hasRemaining()) {
                    if (ch.read(tail, at + tail.position()) < 0) {
                        break;
                    }
                }
                byte[] raw = tail.array();
                for (byte b : raw) {
                    if (b != 0) {
                        return raw;
                    }
                }
            }
        }
        return sha1().digest(Files.readAllBytes(index)); // index.skipHash: no checksum written
    }

    /**
     * The previous listing updated for the paths the watcher's events named, or null when the
     * events may have changed more than git's answer for those paths: a {@code .gitignore} or
     * {@code .git} was touched, an event fell in an empty directory or nested repository of the
     * last listing, an asked path's directory may be empty now (empty directories come from a
     * full listing), or there are too many events. With the index and the ignore rules outside
     * the work tree unchanged, a listed file that is still a file stays listed without asking;
     * any other path (new, deleted, a directory that came or went) is asked about with a
     * literal pathspec, which covers everything under it, and replaces what the last listing
     * had at and under it.
     */
    private Listing incremental(ListingMemo memo, WorkTreeWatcher.Changes hint, GitCli git, Duration timeout) {
        Set<String> events = new java.util.TreeSet<>(hint.paths());
        if (events.size() > MAX_INCREMENTAL_PATHS) {
            return null;
        }
        Path root = repo.workTree();
        List<String> query = new ArrayList<>();
        Set<String> queried = new java.util.HashSet<>();
        List<String> newDirs = new ArrayList<>();
        for (String p : events) {
            if (p.isEmpty()) {
                return null;
            }
            if (isExcluded(p)) {
                continue;
            }
            String name = p.substring(p.lastIndexOf('/') + 1);
            if (name.equals(".git") || name.equals(".gitignore")) {
                return null;
            }
            boolean covered = false;
            for (int i = p.indexOf('/'); ; i = p.indexOf('/', i + 1)) {
                String dir = i < 0 ? p : p.substring(0, i);
                if (memo.emptyDirs.contains(dir + "/") || memo.nested.contains(dir + "/")) {
                    return null; // in (or at) an empty directory or nested repository of the last listing
                }
                if (i < 0) {
                    break;
                }
                covered |= queried.contains(dir);
            }
            if (covered) {
                continue; // under a directory asked about as a whole
            }
            boolean dir;
            boolean exists;
            try {
                dir = Files.readAttributes(root.resolve(p), java.nio.file.attribute.BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS).isDirectory();
                exists = true;
            } catch (java.nio.file.InvalidPathException e) {
                return null; // a name Java cannot encode here: the full listing and scan report it
            } catch (IOException e) {
                dir = false;
                exists = false;
            }
            if (exists && !dir && memo.paths.contains(p)) {
                continue; // a listed file edited: still tracked, or still untracked and not ignored
            }
            if (dir) {
                newDirs.add(p);
            }
            query.add(p);
            queried.add(p);
            if (query.size() > MAX_ASKED_PATHS) {
                return null;
            }
        }
        // Updated in place: a bail-out below (or a failed snapshot) drops the memo for a full listing.
        java.util.TreeSet<String> paths = memo.paths;
        hint.listingMemo(null);
        Set<String> removed = new java.util.HashSet<>();
        Set<String> added = new java.util.HashSet<>();
        if (!query.isEmpty()) {
            List<String> args = new ArrayList<>(List.of("ls-files", "-z", "--cached", "--others",
                    "--exclude-standard", "--"));
            for (String q : query) {
                args.add(":(literal)" + q);
            }
            List<String> listed = git.run(args, null, timeout).nulSeparated();
            for (String q : query) {
                if (paths.remove(q)) {
                    removed.add(q);
                }
                java.util.SortedSet<String> under = paths.subSet(q + "/", q + "0"); // '0' follows '/': all under q
                removed.addAll(under);
                under.clear();
            }
            for (String l : listed) {
                if (l.isEmpty()) {
                    continue;
                }
                if (l.endsWith("/")) {
                    return null; // a nested repository
                }
                if (!isExcluded(l) && paths.add(l) && !removed.remove(l)) {
                    added.add(l);
                }
            }
        }
        for (String q : query) {
            int slash = q.lastIndexOf('/');
            if (slash >= 0 && !hasUnder(paths, q.substring(0, slash + 1))) {
                return null; // its directory may be empty now
            }
        }
        for (String d : newDirs) {
            if (!everyDirHoldsListed(root, d, paths)) {
                return null;
            }
        }
        hint.listingMemo(new ListingMemo(memo.store, memo.excluded, memo.key, memo.outside, paths,
                memo.nested, memo.emptyDirs));
        listingsReused.incrementAndGet();
        LOG.debug("listing reused: {} event paths, {} asked", events.size(), query.size());
        return new Listing(paths, new ArrayList<>(memo.nested), new ArrayList<>(memo.emptyDirs),
                new Delta(paths, added, removed));
    }

    private static boolean hasUnder(java.util.TreeSet<String> paths, String dirSlash) {
        String next = paths.ceiling(dirSlash);
        return next != null && next.startsWith(dirSlash);
    }

    /**
     * Whether every directory at and under {@code dir} holds a listed path (else it may be one
     * a full listing reports as empty). Gives up (false) on a large tree.
     */
    private static boolean everyDirHoldsListed(Path root, String dir, java.util.TreeSet<String> paths) {
        List<String> todo = new ArrayList<>(List.of(dir));
        int seen = 0;
        while (!todo.isEmpty()) {
            String d = todo.remove(todo.size() - 1);
            if (!hasUnder(paths, d + "/") || ++seen > 1000) {
                return false;
            }
            try (var list = Files.newDirectoryStream(root.resolve(d))) {
                for (Path c : list) {
                    if (Files.isDirectory(c, LinkOption.NOFOLLOW_LINKS)) {
                        todo.add(d + "/" + c.getFileName());
                    }
                }
            } catch (IOException | java.nio.file.InvalidPathException e) {
                return false;
            }
        }
        return true;
    }

    private Listing fullListing(GitCli git, Duration timeout) {
        java.util.concurrent.CompletableFuture<List<String>> dirs = java.util.concurrent.CompletableFuture
                .supplyAsync(dev.loki.process.ProcessScope.carrying(() -> git.run(List.of("ls-files", "-z",
                        "--others", "--directory", "--exclude-standard"), null, timeout).nulSeparated()));
        List<String> all = git.run(List.of("ls-files", "-z", "--cached", "--others", "--exclude-standard"), null,
                timeout).nulSeparated();
        LinkedHashSet<String> paths = new LinkedHashSet<>(all.size() * 4 / 3 + 1);
        List<String> nested = new ArrayList<>();
        for (String p : all) {
            if (p.isEmpty() || isExcluded(p)) {
                continue;
            }
            if (p.endsWith("/")) {
                nested.add(p); // --others shows a nested repository as "dir/"
            } else {
                paths.add(p); // unmerged paths come once per stage: keep one
            }
        }
        List<String> empty = new ArrayList<>();
        try {
            List<String> listed = dirs.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            java.util.TreeSet<String> files = new java.util.TreeSet<>(paths);
            for (String d : listed) {
                if (!d.endsWith("/") || nested.contains(d)) {
                    continue;
                }
                String next = files.ceiling(d);
                if (next == null || !next.startsWith(d)) {
                    empty.add(d);
                }
            }
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof GitException g) {
                throw g;
            }
            throw new GitException(List.of("ls-files"), -1, String.valueOf(e.getCause()), false);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new GitException(List.of("ls-files"), -1, "", true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GitException(List.of("ls-files"), -1, "interrupted", true);
        }
        return new Listing(new ArrayList<>(paths), nested, empty);
    }

    static final int MODE_DIR = FileMode.TREE.getBits();
    static final int MODE_OTHER = -1;

    /** lstat: never follows a symlink. */
    static StatCache.Entry stat(Path file) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, "unix:mode,size,lastModifiedTime,ctime,ino,nlink",
                LinkOption.NOFOLLOW_LINKS);
        int unixMode = (Integer) a.get("mode");
        int type = unixMode & 0170000;
        int mode;
        if (type == 0100000) {
            mode = (unixMode & 0100) != 0 ? FileMode.EXECUTABLE_FILE.getBits() : FileMode.REGULAR_FILE.getBits();
        } else if (type == 0120000) {
            mode = FileMode.SYMLINK.getBits();
        } else if (type == 0040000) {
            mode = MODE_DIR;
        } else {
            mode = MODE_OTHER;
        }
        long mtime = ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS);
        long ctime = ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS);
        long size = (Long) a.get("size");
        long ino = (Long) a.get("ino");
        // keep the permission bits we care about in the cache key too (chmod changes ctime anyway),
        // and whether the file has other hard links
        long key = ino ^ ((long) (unixMode & 0777) << 48);
        key = (Integer) a.get("nlink") > 1 && mode != MODE_DIR ? key | LINKED : key & ~LINKED;
        return new StatCache.Entry(mode, size, mtime, ctime, key, null);
    }

    /** The bit of a stat key ({@link StatCache.Entry#ino}) that says the file has other hard links. */
    private static final long LINKED = 1L << 62;

    /**
     * Whether the file had other hard links when it was stat'ed: writing through another name
     * (elsewhere in the tree, or outside it) changes it with no event for this name, so the loop
     * looks at it on every snapshot instead of trusting the watcher.
     */
    static boolean linked(StatCache.Entry e) {
        return (e.ino() & LINKED) != 0;
    }

    private static boolean readOnly(StatCache.Entry st) {
        if (st.mode() == FileMode.SYMLINK.getBits()) {
            return false;
        }
        long perms = (st.ino() >>> 48) & 0777;
        return (perms & 0200) == 0;
    }

    /** A symlink target Java cannot read as the bytes it is (not valid UTF-8). */
    private static final class LossyLinkTarget extends IOException {
        LossyLinkTarget() {
            super("symlink target is not valid UTF-8", null);
        }
    }

    /** The blob id of a file's raw bytes (or a symlink's target), stored here unless already present. */
    private static byte[] hashAndStore(Path file, StatCache.Entry st, ObjectDirectory od, ObjectInserter ins,
            Set<ObjectId> inserted, java.util.function.Predicate<ObjectId> mayBeStored) throws IOException {
        if (st.mode() == FileMode.SYMLINK.getBits()) {
            String link = Files.readSymbolicLink(file).toString();
            byte[] target = link.getBytes(StandardCharsets.UTF_8);
            if (target.length != st.size() && link.indexOf('\uFFFD') >= 0) {
                // Java decoded bytes that are not UTF-8 (its lstat size is the target's length in bytes):
                // storing what it made of them would restore another target, so it is left out and said
                throw new LossyLinkTarget();
            }
            return storeBytes(target, od, ins, inserted, mayBeStored);
        }
        if (st.size() < STREAM_ABOVE) {
            return storeBytes(Files.readAllBytes(file), od, ins, inserted, mayBeStored);
        }
        // large: hash while streaming, then store by streaming again if needed
        MessageDigest md = sha1();
        long len = Files.size(file);
        md.update(Constants.encodedTypeString(Constants.OBJ_BLOB));
        md.update((byte) ' ');
        md.update(Constants.encodeASCII(len));
        md.update((byte) 0);
        long seen = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while (seen < len && (n = in.read(buf, 0, (int) Math.min(buf.length, len - seen))) > 0) {
                md.update(buf, 0, n);
                seen += n;
            }
        }
        if (seen != len) {
            throw new IOException(file + " changed size while it was read; take the snapshot again");
        }
        ObjectId id = ObjectId.fromRaw(md.digest());
        if (!inserted.contains(id) && !(mayBeStored.test(id) && od.has(id))) {
            synchronized (ins) {
                if (inserted.add(id)) {
                    try (InputStream in = Files.newInputStream(file)) {
                        ObjectId stored = ins.insert(Constants.OBJ_BLOB, len, in);
                        if (!stored.equals(id)) {
                            throw new IOException(file + " changed while it was read; take the snapshot again");
                        }
                    }
                }
            }
        }
        byte[] raw = new byte[20];
        id.copyRawTo(raw, 0);
        return raw;
    }

    /**
     * Stores a blob unless this snapshot stored it already or the store (or the user's
     * repository) has it; {@code mayBeStored} false skips that lookup, which costs tens of
     * microseconds when it misses (storing a blob again is harmless; skipping one that is
     * missing never happens).
     */
    private static byte[] storeBytes(byte[] data, ObjectDirectory od, ObjectInserter ins, Set<ObjectId> inserted,
            java.util.function.Predicate<ObjectId> mayBeStored) throws IOException {
        MessageDigest md = sha1();
        md.update(Constants.encodedTypeString(Constants.OBJ_BLOB));
        md.update((byte) ' ');
        md.update(Constants.encodeASCII(data.length));
        md.update((byte) 0);
        md.update(data);
        byte[] raw = md.digest();
        ObjectId id = ObjectId.fromRaw(raw);
        if (!inserted.contains(id) && !(mayBeStored.test(id) && od.has(id))) {
            synchronized (ins) {
                if (inserted.add(id)) {
                    ins.insert(Constants.OBJ_BLOB, data);
                }
            }
        }
        return raw;
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-1", e);
        }
    }

    /** Mebibytes with one decimal, never rounded down to a smaller whole (3,000,000 bytes: 2.9 MiB, not 2). */
    private static String mib(long bytes) {
        double m = bytes / (1024.0 * 1024.0);
        return (m == Math.rint(m) ? Long.toString((long) m) : String.format(java.util.Locale.ROOT, "%.1f", m)) + " MiB";
    }

    private static long nowNs() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** The names of the user's pack files: a gc or repack changes them. */
    private String userObjectsFingerprint() throws IOException {
        Path packs = repo.objectsDir().resolve("pack");
        if (!Files.isDirectory(packs)) {
            return "";
        }
        try (var list = Files.list(packs)) {
            return String.join("\n", list.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".pack")).sorted().toList());
        }
    }

    // ---- read ---------------------------------------------------------------------------

    /** The commit a ref of this store points at. */
    public Optional<String> resolve(String ref) {
        if (!Files.exists(store.resolve("HEAD")) && !migrateIfLegacy()) {
            return Optional.empty();
        }
        GitCli.Result r = git().exec("rev-parse", "-q", "--verify", ref + "^{commit}");
        return r.ok() ? Optional.of(r.out().strip()) : Optional.empty();
    }

    /**
     * The bytes of {@code path} in snapshot {@code commit} (a symlink's target), empty when the
     * snapshot has no such file; a blob over {@code maxBytes} is not read (its size is given
     * instead, as {@link Blob#size}).
     */
    public Optional<Blob> blob(String commit, String path, long maxBytes) throws IOException {
        init();
        try (FileRepository db = open(); ObjectReader reader = db.newObjectReader(); RevWalk rw = new RevWalk(reader)) {
            RevCommit c = rw.parseCommit(db.resolve(commit + "^{commit}"));
            try (TreeWalk tw = TreeWalk.forPath(reader, path, c.getTree())) {
                if (tw == null || tw.getFileMode(0) == FileMode.TREE || tw.getFileMode(0) == FileMode.GITLINK) {
                    return Optional.empty();
                }
                ObjectLoader l = reader.open(tw.getObjectId(0), Constants.OBJ_BLOB);
                return Optional.of(new Blob(l.getSize(), l.getSize() > maxBytes ? null : l.getBytes()));
            }
        }
    }

    /** A file of a snapshot: its size, and its bytes unless it was too large to read. */
    public record Blob(long size, byte[] bytes) {
    }

    /** Whether an object (from this store or the user's repository) exists. */
    public boolean hasCommit(String sha) {
        init();
        try (FileRepository db = open(); RevWalk rw = new RevWalk(db)) {
            ObjectId id = db.resolve(sha + "^{commit}"); // read in-process: a rollback asks first thing
            return id != null && rw.parseCommit(id) != null;
        } catch (IOException | RuntimeException e) {
            return false; // missing, not a commit, or not a revision at all
        }
    }

    /**
     * Objects reachable from {@code commit} that are missing from both this store and the
     * user's repository (for example after the user rewrote history and ran {@code gc}).
     */
    public List<String> missingObjects(String commit, Duration timeout) {
        init();
        GitCli.Result r = git().exec(List.of("rev-list", "--objects", "--missing=print", commit), null, timeout);
        List<String> missing = new ArrayList<>();
        if (!r.ok()) {
            missing.add(commit + " (" + r.stderr().strip() + ")");
            return missing;
        }
        for (String line : r.out().split("\n")) {
            if (line.startsWith("?")) {
                missing.add(line.substring(1).strip());
            }
        }
        return missing;
    }

    /** Paths that differ from {@code from} to {@code to} (commits or trees of this store). */
    public List<TreeChange> diff(String from, String to, Duration timeout) {
        init();
        GitCli.Result r = git().run(List.of("diff-tree", "-r", "-z", "--no-renames", "--raw", from, to),
                null, timeout);
        List<String> parts = r.nulSeparated();
        List<TreeChange> changes = new ArrayList<>();
        for (int i = 0; i + 1 < parts.size(); i += 2) {
            String meta = parts.get(i);
            if (!meta.startsWith(":")) {
                i--;
                continue;
            }
            String[] f = meta.substring(1).split(" ");
            char status = f[4].charAt(0);
            String path = parts.get(i + 1);
            if (!isExcluded(path)) {
                changes.add(new TreeChange(status, path, f[0], f[1], f[2], f[3]));
            }
        }
        return changes;
    }

    /**
     * Which of {@code paths} git would ignore under the ignore rules {@code commit} holds (its
     * {@code .gitignore} files, with the repository's {@code info/exclude} and
     * {@code core.excludesFile}); never a path the user's index tracks. See {@link IgnoreRules}.
     */
    public Set<String> ignoredUnder(String commit, java.util.Collection<String> paths, Duration timeout)
            throws IOException {
        if (paths.isEmpty()) {
            return Set.of();
        }
        init();
        try (FileRepository db = open()) {
            return IgnoreRules.ignored(db, commit, repo, baseEnv, paths, timeout);
        }
    }

    /** The work tree this store snapshots and restores. */
    public Path workTree() {
        return repo.workTree();
    }

    /**
     * Of {@code paths}, those on disk now as a file or symlink (not a directory, not beyond a
     * symlinked directory). For paths the last snapshot did not capture (ignored now), a
     * restore that wrote them would overwrite bytes that no snapshot holds.
     */
    public List<String> onDisk(java.util.Collection<String> paths) {
        LeadingDirs dirs = new LeadingDirs(repo.workTree());
        List<String> out = new ArrayList<>();
        for (String p : paths) {
            if (dirs.beyondLink(p)) {
                continue;
            }
            try {
                if (!Files.readAttributes(repo.workTree().resolve(p), java.nio.file.attribute.BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS).isDirectory()) {
                    out.add(p);
                }
            } catch (IOException | java.nio.file.InvalidPathException e) {
                // not there: writing it loses nothing
            }
        }
        return out;
    }

    // ---- restore ------------------------------------------------------------------------

    /**
     * Makes each of {@code changes}' paths in the work tree equal to {@code commit}: paths the
     * commit has are written from it (raw bytes, mode, symlink), the others are deleted.
     * Touches nothing else: no ignored file, no HEAD, branch, index, ref or object of the
     * user's repository. Writes in this process (no git child), deletions first so a file can
     * replace a directory and back. Idempotent: applying the same changes again completes an
     * interrupted apply. Submodule entries (gitlinks) are left alone. The blobs are the ids the
     * changes carry (from {@link #diff} with {@code commit} as its "to" side, or reversed from
     * one with it as its "from" side); changes without ids are looked up in the commit's tree.
     */
    public void apply(String commit, List<TreeChange> changes, Duration timeout) throws IOException {
        init();
        Instant deadline = Instant.now().plus(timeout);
        List<String> write = new ArrayList<>();
        for (TreeChange c : changes) {
            if (c.inTarget()) {
                if (!"160000".equals(c.newMode())) {
                    write.add(c.path());
                } else if (!"160000".equals(c.oldMode()) && !"000000".equals(c.oldMode())) {
                    writer().delete(c.path()); // a file that became a submodule: the file goes
                }
            } else if (!"160000".equals(c.oldMode())) {
                writer().delete(c.path());
            }
        }
        if (write.isEmpty()) {
            return;
        }
        Map<String, ObjectId> ids = new HashMap<>();
        Map<String, Integer> modes = new HashMap<>();
        try (FileRepository db = open()) {
            for (TreeChange c : changes) {
                if (c.inTarget() && !"160000".equals(c.newMode()) && c.newId() != null
                        && ObjectId.isId(c.newId())) {
                    ids.put(c.path(), ObjectId.fromString(c.newId()));
                    modes.put(c.path(), Integer.parseInt(c.newMode(), 8));
                }
            }
            if (ids.size() < write.size()) {
                // changes that do not say what they point at: read it from the commit's tree
                ids.clear();
                modes.clear();
                try (ObjectReader reader = db.newObjectReader(); RevWalk rw = new RevWalk(reader);
                        TreeWalk tw = new TreeWalk(reader)) {
                    RevCommit c = rw.parseCommit(db.resolve(commit + "^{commit}"));
                    tw.addTree(c.getTree());
                    tw.setRecursive(true);
                    tw.setFilter(PathFilterGroup.createFromStrings(write));
                    while (tw.next()) {
                        ids.put(tw.getPathString(), tw.getObjectId(0));
                        modes.put(tw.getPathString(), tw.getRawMode(0));
                    }
                }
            }
            for (String path : write) {
                if (ids.get(path) == null) {
                    throw new IOException(path + " is not in snapshot " + commit);
                }
            }
            Set<ObjectId> restored = RESTORED.computeIfAbsent(store, k -> ConcurrentHashMap.newKeySet());
            restored.addAll(ids.values());
            writer().write(db, write, ids, modes, deadline);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private WorkTreeWriter writer() {
        return new WorkTreeWriter(repo.workTree(), this::isExcluded);
    }

    // ---- refs and maintenance -----------------------------------------------------------

    /** Deletes refs of this store (objects go at the next {@link #maintain}). */
    public void deleteRefs(List<String> refs) {
        if (refs.isEmpty() || !Files.exists(store.resolve("HEAD"))) {
            return;
        }
        StringBuilder stdin = new StringBuilder();
        for (String ref : refs) {
            stdin.append("delete ").append(ref).append('\n');
        }
        git().run(List.of("update-ref", "--stdin"), stdin.toString().getBytes(StandardCharsets.UTF_8),
                Duration.ofMinutes(1));
    }

    public List<String> refs() {
        if (!Files.exists(store.resolve("HEAD")) && !migrateIfLegacy()) {
            return List.of();
        }
        String out = git().run("for-each-ref", "--format=%(refname)", "refs/loki/").out();
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    /**
     * Repacks the store so it holds its own copy of every object a retained snapshot needs
     * ({@code repack -a} without {@code -l} copies objects borrowed through alternates), and
     * drops objects no snapshot needs any more. A snapshot whose objects are already gone
     * cannot be repacked: its ref is deleted (the rest are saved) and returned.
     */
    public List<String> maintain(Duration timeout) {
        if (!Files.exists(store.resolve("HEAD"))) {
            return List.of();
        }
        GitCli git = git();
        List<String> lost = new ArrayList<>();
        GitCli.Result all = git.exec(List.of("rev-list", "--objects", "--missing=print", "--all"), null, timeout);
        if (!all.ok() || all.out().lines().anyMatch(l -> l.startsWith("?"))) {
            for (String ref : refs()) {
                if (!missingObjects(ref, timeout).isEmpty()) {
                    lost.add(ref);
                }
            }
            deleteRefs(lost);
        }
        // pruning drops objects only the stat cache still names: it must not vouch for them
        StatCache.delete(store.resolve(STAT_CACHE));
        try {
            Files.deleteIfExists(store.resolve(KNOWN_TREES));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reset " + store.resolve(KNOWN_TREES), e);
        }
        git.run(List.of("pack-refs", "--all"), null, timeout);
        git.run(List.of("repack", "-a", "-d", "-q"), null, timeout);
        git.run(List.of("prune", "--expire=now"), null, timeout);
        return lost;
    }

    /** Bytes the store's objects take on disk. */
    public long objectBytes() {
        Path objects = store.resolve("objects");
        if (!Files.isDirectory(objects)) {
            return 0;
        }
        try (var walk = Files.walk(objects)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    // ---- the store itself ---------------------------------------------------------------

    private FileRepository open() throws IOException {
        return JGitStore.open(store);
    }

    private boolean migrateIfLegacy() {
        if (legacy != null && Files.exists(legacy.resolve("HEAD"))) {
            init();
            return true;
        }
        return false;
    }

    /**
     * Creates the store on first use (in a temporary directory moved into place, so a
     * concurrent or killed creation never leaves half a store), migrating an older store's
     * refs and objects when there is one.
     */
    private void init() {
        if (Files.exists(store.resolve("HEAD"))) {
            return;
        }
        Path tmp = store.resolveSibling(store.getFileName() + ".new-" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(store.getParent());
            dev.loki.store.FileTrees.delete(tmp);
            Files.createDirectories(tmp.resolve("refs").resolve("heads"));
            Files.createDirectories(tmp.resolve("refs").resolve("tags"));
            Files.createDirectories(tmp.resolve("objects").resolve("pack"));
            Path info = Files.createDirectories(tmp.resolve("objects").resolve("info"));
            Files.writeString(tmp.resolve("HEAD"), "ref: refs/heads/main\n", StandardCharsets.UTF_8);
            Files.writeString(tmp.resolve("config"), String.join("\n",
                    "[core]",
                    "\trepositoryformatversion = 0",
                    "\tbare = true",
                    "\tfilemode = true",
                    "\tsymlinks = true",
                    "\tautocrlf = false",
                    "\tsafecrlf = false",
                    "\tlogallrefupdates = false",
                    "\tfsmonitor = false",
                    "[gc]",
                    "\tauto = 0",
                    "[receive]",
                    "\tautogc = false",
                    ""), StandardCharsets.UTF_8);
            StringBuilder alternates = new StringBuilder(repo.objectsDir().toString()).append('\n');
            Files.writeString(info.resolve("alternates"), alternates.toString(), StandardCharsets.UTF_8);
            Files.writeString(tmp.resolve("description"), "Loki checkpoint snapshots of " + repo.workTree()
                    + "\nManaged by loki; do not add refs here by hand.\n", StandardCharsets.UTF_8);
            if (legacy != null && Files.exists(legacy.resolve("HEAD")) && !legacy.equals(store)) {
                migrate(tmp, info, alternates);
            }
            try {
                Files.move(tmp, store, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                dev.loki.store.FileTrees.delete(tmp); // another process made it first
            } catch (IOException e) {
                if (!Files.exists(store.resolve("HEAD"))) {
                    throw e;
                }
                dev.loki.store.FileTrees.delete(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the snapshot store at " + store, e);
        }
    }

    /** Fetches the older store's snapshot refs and the objects they need into {@code tmp}. */
    private void migrate(Path tmp, Path info, StringBuilder alternates) throws IOException {
        GitCli git = GitCli.in(repo.workTree(), baseEnv).withEnv(Map.of("GIT_DIR", tmp.toString(),
                "GIT_CONFIG_NOSYSTEM", "1"));
        GitCli.Result r = git.exec(List.of("fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
                legacy.toString(), "+refs/loki/*:refs/loki/*"), null, Duration.ofMinutes(10));
        if (r.ok()) {
            LOG.info("migrated the snapshot store from {} to {}", legacy, store);
            return;
        }
        // keep reading it where it is rather than lose the old snapshots
        LOG.warn("could not copy the old snapshot store {} ({}); reading it in place", legacy, r.stderr().strip());
        alternates.append(legacy.resolve("objects")).append('\n');
        Files.writeString(info.resolve("alternates"), alternates.toString(), StandardCharsets.UTF_8);
        GitCli old = GitCli.in(repo.workTree(), baseEnv).withEnv(Map.of("GIT_DIR", legacy.toString()));
        String refs = old.exec("for-each-ref", "--format=%(objectname) %(refname)", "refs/loki/").out();
        StringBuilder stdin = new StringBuilder();
        refs.lines().filter(l -> !l.isBlank()).forEach(l -> {
            String[] f = l.split(" ", 2);
            stdin.append("update ").append(f[1]).append(' ').append(f[0]).append('\n');
        });
        if (stdin.length() > 0) {
            git.run(List.of("update-ref", "--stdin"), stdin.toString().getBytes(StandardCharsets.UTF_8),
                    Duration.ofMinutes(1));
        }
    }

    private boolean isExcluded(String path) {
        for (String prefix : excludedPrefixes) {
            if (path.startsWith(prefix) || path.equals(stripSlash(prefix))) {
                return true;
            }
        }
        return false;
    }

    /** git on the store alone: no work tree, no index of the user's. */
    private GitCli git() {
        Map<String, String> env = new HashMap<>();
        env.put("GIT_DIR", store.toString());
        env.put("GIT_AUTHOR_NAME", "loki");
        env.put("GIT_AUTHOR_EMAIL", "loki@localhost");
        env.put("GIT_COMMITTER_NAME", "loki");
        env.put("GIT_COMMITTER_EMAIL", "loki@localhost");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        return GitCli.in(repo.workTree(), baseEnv).withEnv(env);
    }

    private static Duration remaining(Limits limits) {
        long ms = Duration.between(Instant.now(), limits.deadline()).toMillis();
        if (ms <= 0) {
            throw new GitException(List.of("snapshot"), -1, "", true);
        }
        return Duration.ofMillis(ms);
    }

    private static String stripSlash(String p) {
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
