package dev.loki.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.LokiException;
import dev.loki.git.GitException;
import dev.loki.git.PrivateDir;
import dev.loki.git.RepoInfo;
import dev.loki.git.SnapshotStore;
import dev.loki.store.AtomicFiles;
import dev.loki.store.FileLocks;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Checkpoints of a project: create (agent state and a code snapshot), list, find, retention,
 * maintenance, and rollback. The CLI, the loop and the dashboard all call this one class.
 */
public final class CheckpointService {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final Duration LOCK_WAIT = Duration.ofSeconds(30);

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CheckpointService.class);

    private final LokiDir loki;
    private final Map<String, String> env;
    private final CheckpointSettings settings;
    private volatile Consumer<String> reporter = LOG::warn;
    private CheckpointRecords records;

    CheckpointService(LokiDir loki, Map<String, String> env, CheckpointSettings settings) {
        this.loki = loki;
        this.env = Map.copyOf(env);
        this.settings = settings;
    }

    /**
     * Where one-line notices go (orphans cleaned, a wiped .loki recreated, a stale writer
     * ended): a warning in the log by default; the CLI prints them on stderr.
     */
    public CheckpointService reportTo(Consumer<String> reporter) {
        this.reporter = reporter;
        return this;
    }

    void report(String line) {
        reporter.accept(line);
    }

    /**
     * The checkpoint records: authoritative under the repository's git directory
     * ({@code <git-dir>/loki/checkpoints}), mirrored to {@code .loki/state/checkpoints}; outside
     * git only the latter.
     */
    synchronized CheckpointRecords records() {
        if (records == null) {
            Path primary = dev.loki.git.GitDirs.gitDir(loki.workTree())
                    .map(g -> PrivateDir.checkpoints(CheckpointPaths.repoAt(loki.workTree(), g)))
                    .orElse(loki.checkpointsDir());
            records = new CheckpointRecords(primary, loki.checkpointsDir());
        }
        return records;
    }

    /** Where the authoritative checkpoint records are. */
    public Path recordsDir() {
        return records().primary();
    }

    /**
     * The rollback that was started and did not finish (its process was killed), if any: for
     * {@code loki status}, the dashboard and the one-line notice of every command.
     */
    public Optional<RollbackJournal.Pending> pendingRollback() {
        return RollbackJournal.at(loki).read();
    }

    public static CheckpointService open(LokiDir loki, Map<String, String> env) {
        return new CheckpointService(loki, env, CheckpointSettings.fromEnv(env));
    }

    public LokiDir lokiDir() {
        return loki;
    }

    public CheckpointSettings settings() {
        return settings;
    }

    Map<String, String> env() {
        return env;
    }

    // ---- create -------------------------------------------------------------------------

    /** Takes a checkpoint. A failed code snapshot never fails the call: the reason is recorded. */
    public Checkpoint create(CheckpointRequest req) {
        return create(req, List.of());
    }

    Checkpoint create(CheckpointRequest req, Collection<String> extraState) {
        CheckpointRecords rec = records();
        Path root = rec.primary();
        Instant now = Instant.now();
        Path dir = null;
        long t0 = System.nanoTime();
        // git is asked where the repository and its HEAD are while the record is prepared
        java.util.concurrent.CompletableFuture<Optional<RepoInfo>> detecting = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> RepoInfo.detect(loki.workTree(), env), CheckpointService::onOwnThread);
        try {
            recreateIfWiped(rec, true);
            cleanOrphans(rec.scan(true, false));
            long tScan = System.nanoTime();
            dir = rec.allocate(baseId(req, now));
            String id = dir.getFileName().toString();
            List<String> absent = new ArrayList<>();
            List<String> state = StateFiles.capture(loki.path(), dir, extraState, absent);

            long tState = System.nanoTime();
            Optional<RepoInfo> repo;
            ObjectNode snapshot;
            RepoInfo guess = LAST_REPO.get(loki.workTree());
            long tRepo = System.nanoTime();
            if (req.captureCode() && guess != null) {
                // the loop checkpoints the same repository every time: the snapshot starts where it
                // was last time while git answers, and is taken again if the repository moved
                snapshot = snapshot(Optional.of(guess), id, req);
                repo = await(detecting);
                if (repo.isEmpty() || !sameLocation(repo.get(), guess)) {
                    snapshot = snapshot(repo, id, req);
                } else if ("captured".equals(snapshot.path("status").asText())) {
                    if (repo.get().head().isPresent()) {
                        snapshot.remove("note"); // what git says now, not what it said last time
                    } else {
                        snapshot.put("note", PARENTLESS);
                    }
                }
            } else {
                repo = await(detecting);
                tRepo = System.nanoTime();
                snapshot = req.captureCode() ? snapshot(repo, id, req) : noSnapshot("state-only checkpoint");
            }
            if (repo.isPresent()) {
                LAST_REPO.put(loki.workTree(), repo.get());
            } else {
                LAST_REPO.remove(loki.workTree());
            }
            long tSnap = System.nanoTime();
            if (snapshot.hasNonNull("commit")) {
                AtomicFiles.writeString(dir.resolve("worktree-snapshot.txt"), snapshot.get("commit").asText() + "\n");
            }

            ObjectNode m = Json.object();
            m.put("id", id);
            m.put("timestamp", now.truncatedTo(ChronoUnit.SECONDS).toString());
            m.put("iteration", req.iteration() >= 0 ? req.iteration() : currentIteration());
            m.put("task_id", req.taskId());
            m.put("task_description", cut(req.taskDescription(), 200));
            m.put("git_sha", repo.map(r -> r.head().orElse("no-commit")).orElse("no-git"));
            m.put("git_branch", repo.map(r -> r.branch().orElse("detached")).orElse("unknown"));
            m.put("provider", req.provider().isEmpty() ? env.getOrDefault("LOKI_PROVIDER", "none") : req.provider());
            m.put("phase", currentPhase());
            m.put("kind", req.kind().label());
            m.put("message", cut(req.message(), 500));
            m.put("created_at", now.toString());
            m.put("created_by", createdBy(req.kind()));
            m.put("format", CheckpointReader.FORMAT);
            m.put("format_version", 1);
            m.put("files_copied", state.size());
            ArrayNode files = m.putArray("state_files");
            state.forEach(files::add);
            ArrayNode gone = m.putArray("state_absent");
            absent.forEach(gone::add);
            m.set("snapshot", snapshot);
            rec.commit(dir, m);
            long tCommit = System.nanoTime();

            appendIndex(m);
            ObjectNode ev = Json.object();
            ev.put("id", id);
            ev.put("kind", req.kind().label());
            ev.put("iteration", m.get("iteration").asInt());
            ev.put("snapshot", snapshot.path("status").asText());
            ev.put("commit", snapshot.path("commit").asText(""));
            loki.events().append("checkpoint.created", ev);

            long tEvents = System.nanoTime();
            if (req.prune()) {
                prune(Set.of(id));
            }
            long tPrune = System.nanoTime();
            Checkpoint out = CheckpointReader.read(dir).orElseThrow(() -> new IOException("checkpoint " + id + " unreadable"));
            if (LOG.isDebugEnabled()) {
                long tEnd = System.nanoTime();
                LOG.debug("checkpoint {}: scan {} ms, allocate+state {} ms, repo {} ms, snapshot {} ms, record {} ms,"
                        + " index+event {} ms, prune {} ms, read back {} ms", id, ms(tScan - t0), ms(tState - tScan),
                        ms(tRepo - tState), ms(tSnap - tRepo), ms(tCommit - tSnap), ms(tEvents - tCommit),
                        ms(tPrune - tEvents), ms(tEnd - tPrune));
            }
            return out;
        } catch (IOException | UncheckedIOException e) {
            if (dir != null && !Files.exists(dir.resolve(CheckpointRecords.METADATA))) {
                try {
                    dev.loki.store.FileTrees.delete(dir); // never leave a half record behind a live process
                } catch (IOException e2) {
                    // the next scan removes it once this process is gone
                }
            }
            throw LokiException.failed("Could not write checkpoint under " + root + ": " + e.getMessage());
        } finally {
            detecting.handle((r, x) -> null).join(); // no git child outlives a failed create
        }
    }

    private static long ms(long ns) {
        return ns / 1_000_000;
    }

    private ObjectNode snapshot(Optional<RepoInfo> repo, String id, CheckpointRequest req) {
        if (repo.isEmpty()) {
            return noSnapshot("not a git repository: only agent state was saved");
        }
        SnapshotStore store = snapshots(repo.get());
        Instant start = Instant.now();
        Instant deadline = start.plus(settings.snapshotBudget());
        ObjectNode s = Json.object();
        try (FileLocks.Held lock = FileLocks.lock(store.directory().resolveSibling("snapshots.lock"),
                settings.snapshotBudget())) {
            SnapshotStore.Snapshot snap = store.take(SnapshotStore.REF_PREFIX + id,
                    "loki checkpoint " + id + "\n\n" + cut(req.message(), 500),
                    new SnapshotStore.Limits(settings.maxFileBytes(), deadline));
            s.put("status", "captured");
            s.put("commit", snap.commit());
            s.put("tree", snap.tree());
            s.put("ref", SnapshotStore.REF_PREFIX + id);
            s.put("store", loki.path().relativize(store.directory()).toString());
            s.put("paths_updated", snap.pathsUpdated());
            s.put("includes_untracked", true);
            if (repo.get().head().isEmpty()) {
                s.put("note", PARENTLESS);
            }
            ArrayNode skipped = s.putArray("skipped");
            for (SnapshotStore.Skipped k : snap.skipped()) {
                ObjectNode o = skipped.addObject();
                o.put("path", k.path());
                o.put("reason", k.reason());
            }
            ArrayNode notRestored = s.putArray("not_restored");
            for (SnapshotStore.Skipped k : snap.notRestored()) {
                ObjectNode o = notRestored.addObject();
                o.put("path", k.path());
                o.put("reason", k.reason());
            }
        } catch (GitException e) {
            s.removeAll();
            s.put("status", e.timedOut() ? "timeout" : "failed");
            s.put("reason", e.timedOut()
                    ? "code snapshot took longer than " + settings.snapshotBudget().toSeconds()
                            + "s (LOKI_CHECKPOINT_TIMEOUT); only agent state was saved"
                    : "code snapshot failed: " + e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            s.removeAll();
            s.put("status", "failed");
            s.put("reason", "code snapshot failed: " + e.getMessage());
        }
        s.put("duration_ms", Duration.between(start, Instant.now()).toMillis());
        return s;
    }

    /**
     * For the loop, which lives for the whole run: a file watcher on the work tree so each
     * checkpoint re-hashes only what changed (a full scan stays the safety net). Empty when
     * this is not a git repository or the tree cannot be watched. Close it when the run ends.
     */
    public Optional<dev.loki.git.WorkTreeWatcher> watchWorkTree() {
        try {
            return RepoInfo.detect(loki.workTree(), env).map(this::snapshots).map(s -> {
                try {
                    return s.watch();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            return Optional.empty(); // too many directories, or inotify limits: every checkpoint scans
        }
    }

    private static ObjectNode noSnapshot(String reason) {
        ObjectNode s = Json.object();
        s.put("status", "none");
        s.put("reason", reason);
        s.put("duration_ms", 0);
        return s;
    }

    private static final String PARENTLESS = "the repository has no commit yet: parentless snapshot";

    /**
     * Where the last checkpoint of each work tree in this process found its repository (see
     * {@link #create}): kept per process, not per service, so the daemon, which opens a service
     * per command, starts its snapshots as early as the loop does.
     */
    private static final Map<Path, RepoInfo> LAST_REPO = new java.util.concurrent.ConcurrentHashMap<>();

    private static boolean sameLocation(RepoInfo a, RepoInfo b) {
        return a.workTree().equals(b.workTree()) && a.gitDir().equals(b.gitDir()) && a.commonDir().equals(b.commonDir());
    }

    private static void onOwnThread(Runnable r) {
        Thread t = new Thread(r, "loki-repo-detect");
        t.setDaemon(true);
        t.start();
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    SnapshotStore snapshots(RepoInfo repo) {
        return SnapshotStore.forProject(repo, loki.path(), env);
    }

    private static String baseId(CheckpointRequest req, Instant now) {
        String stamp = STAMP.format(now);
        return switch (req.kind()) {
            case ITERATION, SESSION_END -> "cp-" + Math.max(0, req.iteration()) + "-" + now.getEpochSecond();
            case MANUAL -> "cp-" + stamp;
            case DASHBOARD -> "chk-" + stamp;
            case PRE_ROLLBACK -> "rb-pre-" + stamp;
        };
    }

    private static String createdBy(CheckpointKind kind) {
        return switch (kind) {
            case ITERATION, SESSION_END -> "loki run";
            case MANUAL -> "loki checkpoint create";
            case DASHBOARD -> "loki dashboard";
            case PRE_ROLLBACK -> "loki rollback";
        };
    }

    private String currentPhase() {
        return JsonFiles.peek(loki.resolve("state/orchestrator.json"))
                .map(n -> n.path("currentPhase").asText(""))
                .filter(s -> !s.isBlank())
                .orElse("unknown");
    }

    private int currentIteration() {
        return JsonFiles.peek(loki.resolve("autonomy-state.json"))
                .map(n -> n.path("iterationCount").asInt(0))
                .orElse(0);
    }

    private void appendIndex(ObjectNode m) throws IOException {
        ObjectNode line = Json.object();
        line.put("id", m.get("id").asText());
        line.put("ts", m.get("timestamp").asText());
        line.put("iter", m.get("iteration").asInt());
        line.put("task", m.get("task_description").asText());
        line.put("sha", m.get("git_sha").asText());
        line.put("kind", m.get("kind").asText());
        records().appendIndex(line);
    }

    /**
     * When .loki (or its checkpoints directory) was removed while records remain under the git
     * directory (an agent ran {@code rm -rf .loki} or {@code git clean -fdx}): recreate it, put
     * its .gitignore back, say so in one line, and go on. The next scan mirrors the records back.
     */
    private void recreateIfWiped(CheckpointRecords rec, boolean creating) throws IOException {
        boolean lokiGone = !loki.exists();
        boolean mirrorGone = rec.mirror().isPresent() && !Files.isDirectory(rec.mirror().get());
        if (creating) {
            loki.ensureExists();
        }
        if (!mirrorGone) {
            return;
        }
        long kept = keptRecords(rec);
        if (kept == 0) {
            return;
        }
        loki.ensureExists();
        dev.loki.store.SessionLock.repairHeld(loki);
        Path ignore = loki.resolve(".gitignore");
        if (!Files.exists(ignore)) {
            AtomicFiles.writeString(ignore,
                    "# Written by loki: keeps agent state out of your commits. Delete to version .loki.\n*\n");
        }
        report((lokiGone ? loki.path().toString() : rec.mirror().get().toString())
                + " had been removed (rm -rf .loki or git clean -fdx?); recreated it. The " + kept
                + " checkpoint(s) kept in " + rec.primary() + " are still listed and restorable.");
    }

    private static long keptRecords(CheckpointRecords rec) throws IOException {
        if (rec.mirror().isEmpty() || !Files.isDirectory(rec.primary())) {
            return 0;
        }
        try (var s = Files.list(rec.primary())) {
            return s.filter(p -> Files.isRegularFile(p.resolve(CheckpointRecords.METADATA))).count();
        }
    }

    /**
     * How many checkpoints {@code loki rollback list} shows, counted without cleaning or moving
     * anything (for {@code loki status}, which must not change what it reports on).
     */
    public int count() {
        return records().countReadable();
    }

    /** Whether this project has checkpoint records anywhere (.loki may have been removed). */
    public boolean hasRecords() {
        try {
            return loki.exists() || keptRecords(records()) > 0;
        } catch (IOException e) {
            return loki.exists();
        }
    }

    /** Reports what a scan cleaned up and drops the snapshot refs of removed orphans. */
    private void cleanOrphans(CheckpointRecords.Scan scan) {
        scan.notices().forEach(this::report);
        if (scan.orphansRemoved().isEmpty()) {
            return;
        }
        report("Removed " + scan.orphansRemoved().size() + " unfinished checkpoint(s) left by a killed"
                + " 'checkpoint create': " + String.join(", ", scan.orphansRemoved()));
        Optional<RepoInfo> repo = RepoInfo.detect(loki.workTree(), env);
        if (repo.isEmpty()) {
            return;
        }
        SnapshotStore store = snapshots(repo.get());
        int ended = RollbackGuards.end(RollbackGuards.strayWriters(store.directory()));
        if (ended > 0) {
            report("Ended " + ended + " git process(es) the killed 'checkpoint create' had left running.");
        }
        try (FileLocks.Held lock = FileLocks.lock(store.directory().resolveSibling("snapshots.lock"), LOCK_WAIT)) {
            List<String> refs = store.refs();
            store.deleteRefs(scan.orphansRemoved().stream().map(id -> SnapshotStore.REF_PREFIX + id)
                    .filter(refs::contains).toList());
        } catch (IOException | GitException | UncheckedIOException e) {
            report("Could not delete the snapshot refs of the unfinished checkpoints: " + e.getMessage());
        }
    }

    static String cut(String s, int max) {
        if (s == null) {
            return "";
        }
        if (s.codePointCount(0, s.length()) <= max) {
            return s;
        }
        return s.substring(0, s.offsetByCodePoints(0, max));
    }

    // ---- read ---------------------------------------------------------------------------

    /**
     * Every readable checkpoint, oldest first (by creation time, then id). Orphans of killed
     * creates are removed on the way (and reported); corrupt records are left out here and
     * named by {@link #scan()}.
     */
    public List<Checkpoint> list() {
        return scan().checkpoints();
    }

    /** Every record: readable checkpoints, corrupt ones (one line each), and what was cleaned. */
    public CheckpointRecords.Scan scan() {
        CheckpointRecords.Scan scan;
        try {
            recreateIfWiped(records(), false);
            scan = records().scan(true);
        } catch (IOException e) {
            throw LokiException.failed("Cannot list " + records().primary() + ": " + e.getMessage());
        } catch (UncheckedIOException e) {
            throw LokiException.failed("Cannot list " + records().primary() + ": " + e.getMessage());
        }
        cleanOrphans(scan);
        return scan;
    }

    /** The checkpoint with this id; the id is validated first (exit 2 when malformed). */
    public Optional<Checkpoint> find(String id) {
        return records().dirOf(id).flatMap(CheckpointReader::read);
    }

    public Checkpoint get(String id) {
        Optional<Checkpoint> cp = find(id);
        if (cp.isPresent()) {
            return cp.get();
        }
        Optional<CheckpointRecords.Corrupt> bad = records().corrupt(id);
        if (bad.isPresent()) {
            throw LokiException.failed(bad.get().line());
        }
        throw LokiException.failed("Checkpoint not found: " + id + ". Run 'loki rollback list' to see the checkpoints.");
    }

    /** Removes a checkpoint's record from every root (not its snapshot ref). */
    void deleteRecord(String id) throws IOException {
        records().delete(id);
    }

    /** The newest checkpoint that is not a pre-rollback one. */
    public Optional<Checkpoint> latest() {
        List<Checkpoint> all = list();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).kind() != CheckpointKind.PRE_ROLLBACK) {
                return Optional.of(all.get(i));
            }
        }
        return Optional.empty();
    }

    // ---- rollback -----------------------------------------------------------------------

    public RollbackResult rollback(String id, RollbackOptions options) {
        return new Rollback(this).run(get(id), options);
    }

    // ---- retention and maintenance ------------------------------------------------------

    /** What retention or gc removed and reclaimed. */
    public record PruneReport(List<String> removed, long bytesBefore, long bytesAfter, boolean repacked,
            List<String> notes) {
    }

    /**
     * Keeps the newest {@code retention} checkpoints of every kind (by creation time), never
     * removing {@code protect}, and keeps the pinned ones ({@link RetentionPins}) beyond that count.
     * Deletes the pruned directories, their snapshot refs and index lines. Skips quietly when a
     * rollback holds the store.
     */
    PruneReport prune(Set<String> protect) {
        try (FileLocks.Held lock = FileLocks.lock(storeLockFile(), Duration.ofMillis(200))) {
            return pruneLocked(protect, false);
        } catch (IOException e) {
            return new PruneReport(List.of(), 0, 0, false, List.of("retention skipped: " + e.getMessage()));
        }
    }

    /** {@code loki checkpoint gc}: retention, then repack so every kept snapshot is self-contained. */
    public PruneReport gc() {
        try (FileLocks.Held lock = FileLocks.lock(storeLockFile(), LOCK_WAIT)) {
            return pruneLocked(Set.of(), true);
        } catch (IOException e) {
            throw LokiException.failed("Checkpoint store is busy (a rollback is running?): " + e.getMessage());
        }
    }

    FileLocks.Held lockStore() throws IOException {
        return FileLocks.lock(storeLockFile(), LOCK_WAIT);
    }

    /** The one lock a rollback, retention and gc share: beside the authoritative records. */
    private Path storeLockFile() {
        return records().primary().resolve(".store.lock");
    }

    PruneReport pruneLocked(Set<String> protect, boolean forceRepack) throws IOException {
        if (!forceRepack && records().entriesAtMost() <= settings.retention()) {
            // fewer entries than retention keeps: no record is read (this runs after every checkpoint)
            return new PruneReport(List.of(), 0, 0, false, List.of());
        }
        List<Checkpoint> all = list();
        // pinned checkpoints (a live run's start, the last rollback's undo) are kept in addition to the newest N
        Map<String, String> pinned = RetentionPins.of(loki, all);
        List<Checkpoint> counted = all.stream().filter(c -> !pinned.containsKey(c.id())).toList();
        int excess = counted.size() - settings.retention();
        // only the oldest beyond the count go; a protected one among them is kept in addition (a
        // rollback's target must not take the place of a newer checkpoint, which would go at once)
        List<Checkpoint> victims = new ArrayList<>();
        for (Checkpoint c : counted.subList(0, Math.max(0, excess))) {
            if (!protect.contains(c.id())) {
                victims.add(c);
            }
        }
        if (victims.isEmpty() && !forceRepack) {
            // the common case after every iteration: nothing to prune, so no walk over the store
            return new PruneReport(List.of(), 0, 0, false, List.of());
        }
        List<String> notes = new ArrayList<>();
        Optional<RepoInfo> repo = RepoInfo.detect(loki.workTree(), env);
        Optional<SnapshotStore> store = repo.map(this::snapshots);
        long before = store.map(SnapshotStore::objectBytes).orElse(0L);
        List<String> removed = new ArrayList<>();
        if (!victims.isEmpty()) {
            for (Checkpoint c : victims) {
                deleteRecord(c.id());
                removed.add(c.id());
            }
            records().rewriteIndex(Set.copyOf(removed));
            if (store.isPresent()) {
                try (FileLocks.Held lock = FileLocks.lock(store.get().directory().resolveSibling("snapshots.lock"),
                        LOCK_WAIT)) {
                    store.get().deleteRefs(removed.stream().map(id -> SnapshotStore.REF_PREFIX + id).toList());
                } catch (GitException e) {
                    notes.add("could not delete snapshot refs: " + e.getMessage());
                }
                deleteLegacyRefs(repo.get(), victims, notes);
            }
            ObjectNode ev = Json.object();
            ArrayNode ids = ev.putArray("removed");
            removed.forEach(ids::add);
            ev.put("retention", settings.retention());
            ArrayNode kept = ev.putArray("pinned");
            pinned.keySet().forEach(kept::add);
            loki.events().append("checkpoint.pruned", ev);
        }
        boolean repacked = false;
        if (store.isPresent() && (forceRepack || (!removed.isEmpty() && repackDue(store.get())))) {
            try (FileLocks.Held lock = FileLocks.lock(store.get().directory().resolveSibling("snapshots.lock"),
                    LOCK_WAIT)) {
                for (String ref : store.get().maintain(Duration.ofMinutes(30))) {
                    String id = ref.substring(ref.lastIndexOf('/') + 1);
                    notes.add("The code snapshot of " + id + " had already lost objects (the repository's history was"
                            + " rewritten and garbage-collected); it is marked lost, its agent state is kept.");
                    markSnapshotLost(id);
                }
                AtomicFiles.writeString(store.get().directory().resolveSibling("snapshots.maintained"),
                        Instant.now() + "\n");
                repacked = true;
            } catch (GitException e) {
                notes.add("repack failed: " + e.getMessage());
            }
        }
        long after = store.map(SnapshotStore::objectBytes).orElse(0L);
        return new PruneReport(removed, before, after, repacked, notes);
    }

    private void markSnapshotLost(String id) {
        Optional<Path> dir = records().dirOf(id);
        if (dir.isEmpty()) {
            return;
        }
        Path meta = dir.get().resolve("metadata.json");
        JsonFiles.peek(meta).filter(JsonNode::isObject).ifPresent(m -> {
            ObjectNode snap = ((ObjectNode) m).putObject("snapshot");
            snap.put("status", "lost");
            snap.put("reason", "objects of the code snapshot were garbage-collected from the repository");
            try {
                records().updateMetadata(id, m);
                for (Path root : records().roots()) {
                    Files.deleteIfExists(root.resolve(id).resolve("worktree-snapshot.txt"));
                }
            } catch (IOException e) {
                // the note above already tells the user; the next gc tries again
            }
        });
    }

    private boolean repackDue(SnapshotStore store) {
        Path stamp = store.directory().resolveSibling("snapshots.maintained");
        try {
            Instant last = Instant.parse(Files.readString(stamp, StandardCharsets.UTF_8).strip());
            return Duration.between(last, Instant.now()).compareTo(settings.repackEvery()) >= 0;
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    /** Upstream never deleted its {@code refs/loki/cp/<id>} refs (F12); we do when we prune. */
    private void deleteLegacyRefs(RepoInfo repo, List<Checkpoint> victims, List<String> notes) {
        for (Checkpoint c : victims) {
            if (c.isOurs()) {
                continue;
            }
            String ref = "refs/loki/cp/" + c.id();
            var git = dev.loki.git.GitCli.in(repo.workTree(), env);
            if (git.exec("rev-parse", "-q", "--verify", ref).ok()) {
                var r = git.exec("update-ref", "-d", ref);
                if (!r.ok()) {
                    notes.add("could not delete " + ref + ": " + r.stderr().strip());
                }
            }
        }
    }
}
