package dev.loki.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Tells a snapshot which paths may have changed since the previous one, so the loop (which
 * lives for the whole run) stats and hashes only those instead of all 30,000 files. Java's
 * WatchService is inotify on Linux.
 *
 * <p>Exactness comes first: the list of paths still comes from git at every snapshot, and a
 * full scan is done whenever the watcher cannot vouch for what it saw: the first snapshot,
 * every {@value #FULL_EVERY}th, after an overflow of the event queue, when a directory cannot
 * be watched, or when the watcher does not answer. Before a snapshot uses the events, a barrier
 * file is written in a watched directory of the store and the watcher waits until it sees that
 * event: inotify reports in order, so every change made before the snapshot began has then
 * been seen.
 */
public final class WorkTreeWatcher implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WorkTreeWatcher.class);
    static final int FULL_EVERY = 20;
    private static final int MAX_DIRS = 100_000;
    private static final Map<Path, WorkTreeWatcher> ACTIVE = new ConcurrentHashMap<>();

    private final Path root;
    private final Path barrierDir;
    private final List<String> excluded;
    private final WatchService ws;
    private final Map<WatchKey, Path> keys = new ConcurrentHashMap<>();
    private final Thread thread;
    private final WatchKey barrierKey;
    private final Object lock = new Object();

    // guarded by lock
    private Set<String> dirtyFiles = new HashSet<>();
    private Set<String> dirtyDirs = new HashSet<>();
    private boolean full = true;
    /** Tokens of barrier files whose creation was handled (any process's: the directory is shared). */
    private final Set<String> barriersSeen = new HashSet<>();
    private int sinceFull;
    private volatile boolean closed;
    private volatile boolean suspended;
    /** What the last snapshot that used this watcher's events listed (see SnapshotStore): reused for the paths without events. */
    private volatile Object listingMemo;
    /** What the last snapshot that used this watcher's events captured (see SnapshotStore): carried to the next. */
    private volatile Object carry;

    private WorkTreeWatcher(Path root, Path barrierDir, List<String> excluded) throws IOException {
        this.root = root;
        this.barrierDir = barrierDir;
        this.excluded = List.copyOf(excluded);
        this.ws = FileSystems.getDefault().newWatchService();
        Files.createDirectories(barrierDir);
        try {
            this.barrierKey = barrierDir.register(ws, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            registerTree(root);
        } catch (IOException | RuntimeException e) {
            ws.close(); // too many directories or inotify limits: no watcher, every snapshot scans
            throw e;
        }
        this.thread = new Thread(this::drain, "loki-worktree-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Starts watching {@code workTree} for snapshots of its store (a second call for the same
     * work tree returns the running watcher). Close it when the run ends.
     *
     * @param excludedPrefixes work-tree-relative directories not watched (the .loki directory), each ending in '/'
     */
    public static WorkTreeWatcher start(Path workTree, Path store, List<String> excludedPrefixes) throws IOException {
        Path root = workTree.toAbsolutePath().normalize();
        synchronized (ACTIVE) {
            WorkTreeWatcher w = ACTIVE.get(root);
            if (w != null && !w.closed) {
                return w;
            }
            w = new WorkTreeWatcher(root, store.toAbsolutePath().normalize().resolveSibling("watch-barrier"),
                    excludedPrefixes);
            ACTIVE.put(root, w);
            return w;
        }
    }

    /** The changes seen for {@code workTree} since the last snapshot, if a watcher runs and can vouch for them. */
    static Optional<Changes> changesFor(Path workTree) {
        WorkTreeWatcher w = ACTIVE.get(workTree.toAbsolutePath().normalize());
        if (w == null || w.closed || w.suspended) {
            return Optional.empty();
        }
        return w.take();
    }

    /**
     * The changes for a snapshot that leaves out {@code excludedPrefixes}: empty (scan in full)
     * when the watcher does not watch a directory the snapshot captures. The daemon's watcher
     * leaves out the daemon's .loki directory; a client whose LOKI_DIR is elsewhere captures it.
     */
    static Optional<Changes> changesFor(Path workTree, List<String> excludedPrefixes) {
        WorkTreeWatcher w = ACTIVE.get(workTree.toAbsolutePath().normalize());
        if (w == null || !excludedPrefixes.containsAll(w.excluded)) {
            return Optional.empty();
        }
        return changesFor(workTree);
    }

    /**
     * While suspended, snapshots scan in full and the events keep accumulating for the next
     * snapshot after {@link #resume} (benchmarks compare both ways in one run).
     */
    public void suspend() {
        suspended = true;
    }

    public void resume() {
        suspended = false;
    }

    @Override
    public void close() {
        closed = true;
        ACTIVE.remove(root, this);
        try {
            ws.close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What one snapshot may skip; {@link #commit} or {@link #abandon} it when the snapshot ends. */
    public final class Changes {
        private final boolean fullScan;
        private final Set<String> files;
        private final Set<String> dirs;

        private Changes(boolean fullScan, Set<String> files, Set<String> dirs) {
            this.fullScan = fullScan;
            this.files = files;
            this.dirs = dirs;
        }

        /** False only when no event since the last snapshot touched {@code path} or a directory above it. */
        public boolean mayHaveChanged(String path) {
            if (fullScan || files.contains(path)) {
                return true;
            }
            for (int i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
                if (dirs.contains(path.substring(0, i))) {
                    return true;
                }
            }
            return dirs.contains("");
        }

        public boolean fullScan() {
            return fullScan;
        }

        /** Paths of files (or what was a file) an event named since the last snapshot. */
        Set<String> files() {
            return files;
        }

        /** Directories an event named as a whole (created, removed, moved, unwatchable); "" is the root. */
        Set<String> dirs() {
            return dirs;
        }

        /** What the previous snapshot captured, to carry forward (null if none); taking it clears it. */
        Object takeCarry() {
            Object c = carry;
            carry = null;
            return c;
        }

        /** Leaves what this snapshot captured for the next one. */
        void carry(Object c) {
            carry = c;
        }

        /** Every path an event named since the last snapshot (files and directories; "" is the root). */
        Set<String> paths() {
            Set<String> all = new HashSet<>(files);
            all.addAll(dirs);
            return all;
        }

        /** The listing memo the previous snapshot left (null if none). */
        Object listingMemo() {
            return listingMemo;
        }

        /** Leaves the listing this snapshot made for the next one. */
        void listingMemo(Object memo) {
            listingMemo = memo;
        }

        void commit() {
            // the events were handed over when the barrier was passed
        }

        /** The snapshot failed: the next one scans everything. */
        void abandon() {
            carry = null;
            synchronized (lock) {
                full = true;
            }
        }
    }

    private Optional<Changes> take() {
        // A file of its own per barrier, its token in its name: the creation event itself says which
        // barrier it is. (Reading a token from one shared file let a late event of an earlier
        // barrier, read after this one was written, vouch for events not handled yet.)
        String token = ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime()) + "-"
                + Thread.currentThread().getId();
        Path file = barrierDir.resolve(BARRIER + token);
        try {
            Files.write(file, new byte[0]);
            return awaitBarrier(token);
        } catch (IOException e) {
            return Optional.empty();
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // left for the next watcher's start to remove
            }
        }
    }

    private static final String BARRIER = "barrier-";

    private Optional<Changes> awaitBarrier(String token) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        synchronized (lock) {
            while (!barriersSeen.remove(token)) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    LOG.debug("watcher did not see its barrier in time: full scan");
                    full = true;
                    return Optional.empty();
                }
                try {
                    lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }
            boolean wasFull = full || ++sinceFull >= FULL_EVERY;
            Changes c = new Changes(wasFull, dirtyFiles, dirtyDirs);
            if (wasFull) {
                sinceFull = 0;
            }
            dirtyFiles = new HashSet<>();
            dirtyDirs = new HashSet<>();
            full = false;
            return Optional.of(c);
        }
    }

    private void drain() {
        while (!closed) {
            WatchKey key;
            try {
                key = ws.take();
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            }
            if (key == barrierKey) {
                drainQueued();
            }
            process(key);
        }
    }

    private void process(WatchKey key) {
        Path dir = keys.get(key);
        for (WatchEvent<?> ev : key.pollEvents()) {
            handle(dir, key, ev);
        }
        if (!key.reset() && dir != null) {
            keys.remove(key);
            synchronized (lock) {
                dirtyDirs.add(rel(dir)); // the directory itself went away
            }
        }
    }

    /**
     * Before a barrier is acknowledged: every other key already queued. A key whose events
     * were being handled when the barrier's event came in is queued again only when it is
     * reset, after the barrier's key: without this, events from before the barrier (a file
     * made in a directory being registered) were seen only by the next snapshot.
     */
    private void drainQueued() {
        for (int i = 0; i < 100_000; i++) {
            WatchKey k;
            try {
                k = ws.poll();
            } catch (ClosedWatchServiceException e) {
                return;
            }
            if (k == null) {
                return;
            }
            process(k);
        }
        synchronized (lock) {
            full = true; // events keep coming faster than they are handled: do not vouch for them
        }
    }

    private void handle(Path dir, WatchKey key, WatchEvent<?> ev) {
        if (ev.kind() == StandardWatchEventKinds.OVERFLOW) {
            synchronized (lock) {
                full = true;
            }
            return;
        }
        Path name = (Path) ev.context();
        if (dir == null && key != barrierKey) {
            synchronized (lock) {
                full = true; // a key we have not recorded yet: do not guess
            }
            return;
        }
        if (dir == null) { // the barrier directory: a barrier file made (the token is its name)
            String file = name.toString();
            if (ev.kind() == StandardWatchEventKinds.ENTRY_CREATE && file.startsWith(BARRIER)) {
                synchronized (lock) {
                    if (barriersSeen.size() > 10_000) {
                        barriersSeen.clear(); // other processes' tokens: a waiter cleared here scans in full
                    }
                    barriersSeen.add(file.substring(BARRIER.length()));
                    lock.notifyAll();
                }
            }
            return;
        }
        Path child = dir.resolve(name);
        String rel = rel(child);
        if (isExcluded(rel) || rel.equals(".git") || rel.startsWith(".git/")) {
            return;
        }
        boolean isDir = Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS);
        synchronized (lock) {
            dirtyFiles.add(rel);
            if (isDir || ev.kind() == StandardWatchEventKinds.ENTRY_DELETE) {
                dirtyDirs.add(rel); // a directory came or went: everything under it
            }
        }
        if (isDir && ev.kind() == StandardWatchEventKinds.ENTRY_CREATE) {
            try {
                registerTree(child); // files made in it before the watch began are under dirtyDirs
            } catch (IOException e) {
                synchronized (lock) {
                    full = true;
                }
            }
        }
    }

    private void registerTree(Path start) throws IOException {
        Files.walkFileTree(start, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                String rel = rel(d);
                if (!rel.isEmpty() && (rel.equals(".git") || isExcluded(rel + "/")
                        || Files.exists(d.resolve(".git"), LinkOption.NOFOLLOW_LINKS))) {
                    return FileVisitResult.SKIP_SUBTREE; // our store, .loki, nested repositories
                }
                if (keys.size() >= MAX_DIRS) {
                    throw new IOException("more than " + MAX_DIRS + " directories to watch");
                }
                WatchKey k = d.register(ws, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY);
                keys.put(k, d);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                synchronized (lock) {
                    full = true;
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private String rel(Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }

    private boolean isExcluded(String rel) {
        for (String prefix : excluded) {
            if (rel.startsWith(prefix) || (rel + "/").equals(prefix)) {
                return true;
            }
        }
        return false;
    }
}
