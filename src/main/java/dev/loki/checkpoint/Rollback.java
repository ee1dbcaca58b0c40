package dev.loki.checkpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.LokiException;
import dev.loki.Quote;
import dev.loki.git.GitCli;
import dev.loki.git.GitException;
import dev.loki.git.RepoInfo;
import dev.loki.git.SnapshotStore;
import dev.loki.git.TreeChange;
import dev.loki.store.FileLocks;
import dev.loki.store.Json;
import dev.loki.store.SessionLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Restores a checkpoint's agent state and code. First a pre-rollback checkpoint of state and
 * code (no snapshot, no rollback, unless forced); then the work tree is made equal to the
 * snapshot path by path (changed files back, deleted files back, files created since removed;
 * ignored files, HEAD, branch and index untouched); then the state. A failure half-way puts
 * everything back from the pre-rollback checkpoint.
 *
 * <p>Crash safety: a {@link RollbackJournal} is written before the first write and removed at
 * the end; a rollback to the journal's target completes an interrupted one, reusing its
 * pre-rollback checkpoint (the restore is idempotent). Before writing, git processes a killed
 * loki left running against the snapshot store are ended, and a rollback under a merge,
 * rebase, cherry-pick, revert or bisect is refused unless forced.
 */
final class Rollback {
    private static final Duration GIT_TIMEOUT = Duration.ofMinutes(10);

    private final CheckpointService service;

    Rollback(CheckpointService service) {
        this.service = service;
    }

    RollbackResult run(Checkpoint target, RollbackOptions opts) {
        if (!opts.force() && !opts.dryRun()) {
            SessionLock.holder(service.lokiDir()).ifPresent(pid -> {
                throw LokiException.failed("A loki run (pid " + pid + ") is active in this project; stop it first"
                        + " with 'loki stop', or pass --force to roll back under it.");
            });
        }
        RollbackJournal journal = RollbackJournal.at(service.lokiDir());
        if (!opts.dryRun()) {
            journal.read().filter(p -> p.running() && !p.writer().isCurrent()).ifPresent(p -> {
                throw LokiException.failed("A rollback to " + p.target() + " is still running (pid " + p.writer().pid()
                        + "); wait for it to end, or stop it with 'kill " + p.writer().pid() + "', then run this again.");
            });
        }
        try (FileLocks.Held lock = service.lockStore()) {
            return runLocked(target, opts, journal);
        } catch (IOException e) {
            throw LokiException.failed("Could not lock the checkpoint store: " + e.getMessage());
        }
    }

    private RollbackResult runLocked(Checkpoint target, RollbackOptions opts, RollbackJournal journal)
            throws IOException {
        List<String> notes = new ArrayList<>();
        Optional<RepoInfo> repo = RepoInfo.detect(service.lokiDir().workTree(), service.env());
        if (repo.isPresent() && !opts.stateOnly()) {
            Optional<String> op = RollbackGuards.operationInProgress(repo.get().gitDir());
            if (op.isPresent()) {
                if (!opts.force() && !opts.dryRun()) {
                    throw LokiException.failed("The repository is in the middle of " + op.get() + "; a rollback now"
                            + " would mix its half-done files with the checkpoint's. Nothing was changed; pass --force"
                            + " to roll back anyway.");
                }
                notes.add("The repository is in the middle of " + op.get() + (opts.dryRun() ? "." : "; rolled back"
                        + " anyway because of --force (git's own state of it was left as it is)."));
            }
        }
        Optional<SnapshotStore> store = repo.map(service::snapshots);
        Optional<String> targetCommit = Optional.empty();
        if (!opts.stateOnly()) {
            if (repo.isEmpty()) {
                notes.add("Not a git repository: only agent state is restored.");
            } else {
                targetCommit = targetCommit(target, repo.get(), store.get());
                if (targetCommit.isEmpty()) {
                    notes.add("Checkpoint " + target.id() + " has no code snapshot ("
                            + (target.snapshot().reason().isBlank() ? "none was recorded" : target.snapshot().reason())
                            + "): only agent state is restored.");
                }
            }
        }
        if (targetCommit.isPresent()) {
            headMoved(target, repo.get(), opts.dryRun()).ifPresent(notes::add);
        }
        boolean legacy = targetCommit.isPresent() && !target.isOurs();
        if (legacy) {
            notes.add("Upstream snapshot of tracked files only: files it does not know about were left in place.");
        }
        Set<String> targetSkipped = Set.copyOf(target.snapshot().skipped());

        if (opts.dryRun()) {
            requireObjects(target, checkObjects(store, targetCommit));
            return dryRun(target, targetCommit, store, legacy, targetSkipped, notes);
        }

        Optional<RollbackJournal.Pending> pending = journal.readAndRecord(service.lokiDir());
        if (pending.isPresent()) {
            RollbackJournal.Pending p = pending.get();
            notes.add(p.target().equals(target.id()) ? "Completing the interrupted rollback to " + p.target()
                    + " (started " + p.startedAt() + " by pid " + p.writer().pid() + ")."
                    : "This replaces the interrupted rollback to " + p.target() + " (started " + p.startedAt()
                            + " by pid " + p.writer().pid() + ").");
        }
        if (store.isPresent()) {
            int ended = RollbackGuards.end(RollbackGuards.strayWriters(store.get().directory()));
            if (ended > 0) {
                notes.add("Ended " + ended + " git process(es) a killed loki had left writing to the work tree.");
            }
        }

        // Resuming: the journal's pre-rollback checkpoint already holds the work tree as it was.
        Optional<Checkpoint> resumed = pending.filter(p -> p.target().equals(target.id()) && p.changedFiles())
                .flatMap(RollbackJournal.Pending::preRollback).flatMap(service::find);
        RollbackJournal.Pending entry = pending.filter(p -> resumed.isPresent())
                .map(p -> p.withPhase(RollbackJournal.RESTORING, p.preRollback()))
                .orElseGet(() -> RollbackJournal.Pending.start(target.id()));
        if (resumed.isEmpty()) {
            journal.write(entry);
        }
        ObjectNode started = Json.object();
        started.put("checkpoint", target.id());
        started.put("resumed", resumed.isPresent());
        service.lokiDir().events().append("checkpoint.rollback_started", started);

        // Every object the target's snapshot needs is checked (a walk of the whole snapshot) while
        // the pre-rollback checkpoint is taken, and before the first write. Started only now: the
        // stray writers above are ended by what they are, and this git child must not look like one.
        java.util.concurrent.CompletableFuture<List<String>> missing = checkObjects(store, targetCommit);
        Checkpoint pre;
        if (resumed.isPresent()) {
            pre = resumed.get();
        } else {
            List<String> extra = target.isOurs() ? List.of() : StateFiles.legacyFiles(target.dir());
            CheckpointRequest preReq = CheckpointRequest.preRollback(target.id());
            try {
                pre = service.create(targetCommit.isPresent() ? preReq : preReq.withoutCode(), extra);
            } catch (RuntimeException e) {
                if (missing != null) {
                    missing.handle((r, x) -> null).join(); // its git child ends before we do
                }
                throw e;
            }
        }
        try {
            requireObjects(target, missing);
        } catch (LokiException | GitException e) {
            if (resumed.isEmpty()) { // nothing was written: the journal goes back to what it held
                service.deleteRecord(pre.id());
                if (pending.isPresent()) {
                    journal.write(pending.get());
                } else {
                    journal.clear();
                }
            }
            throw e;
        }
        if (targetCommit.isPresent() && !pre.snapshot().restorable()) {
            if (!opts.force()) {
                service.deleteRecord(pre.id());
                journal.clear();
                throw LokiException.failed("Could not snapshot the current work tree before rolling back ("
                        + pre.snapshot().reason() + "). Nothing was restored. Fix the cause, or pass --force to roll"
                        + " back without a way to undo it.");
            }
            notes.add("Pre-rollback code snapshot failed (" + pre.snapshot().reason()
                    + "); rolling back anyway because of --force: the code change cannot be undone.");
        }

        entry = entry.withPhase(RollbackJournal.RESTORING, Optional.of(pre.id()));
        journal.write(entry);

        List<TreeChange> changes = List.of();
        // in the order they were found; a set: an emptied .gitignore can keep thousands
        java.util.Set<String> protectedPaths = new java.util.LinkedHashSet<>();
        Map<String, String> then = KeptPath.reasons(target.metadata().path("snapshot").path("skipped"));
        Map<String, String> now = KeptPath.reasons(pre.metadata().path("snapshot").path("skipped"));
        List<String> stateRestored;
        try {
            if (targetCommit.isPresent()) {
                Set<String> skipped = new java.util.HashSet<>(targetSkipped);
                skipped.addAll(pre.snapshot().skipped());
                if (pre.snapshot().restorable()) {
                    changes = filter(store.get().diff(pre.snapshotCommit().get(), targetCommit.get(), GIT_TIMEOUT),
                            legacy, skipped, protectedPaths);
                } else {
                    changes = filter(allPaths(store.get(), targetCommit.get()), true, skipped, protectedPaths);
                }
                changes = keepIgnored(store.get(), targetCommit.get(), changes, protectedPaths, then);
                if (pre.snapshot().restorable() && resumed.isEmpty()) {
                    // (a completion must write every file: those on disk may be half-written by the killed restore)
                    changes = keepUnsnapshotted(store.get(), changes, protectedPaths, now);
                }
                changes = keepBlocked(repo.get().workTree(), changes, protectedPaths, now,
                        resumed.isPresent() || !pre.snapshot().restorable());
                store.get().apply(targetCommit.get(), changes, GIT_TIMEOUT);
                for (String p : pre.snapshot().skipped()) {
                    protectedPaths.add(p);
                }
            }
            stateRestored = StateFiles.restore(service.lokiDir().path(), target, absent(target));
        } catch (IOException | GitException | UncheckedIOException e) {
            throw revert(target, pre, store, changes, e, journal, entry);
        }

        journal.clear();
        ObjectNode ev = Json.object();
        ev.put("checkpoint", target.id());
        ev.put("pre_rollback_snapshot", pre.id());
        ev.put("code_restored", targetCommit.isPresent());
        ev.put("files_changed", changes.size());
        ev.put("state_restored", stateRestored.size());
        service.lokiDir().events().append("checkpoint.rollback", ev);
        service.lokiDir().events().append("checkpoint.rollback_finished", ev);
        service.pruneLocked(Set.of(target.id(), pre.id()), false);
        // the paths left as they are are listed one by one with why (RollbackResult.kept), not summed up here
        List<String> notRestored = new ArrayList<>();
        for (var k : target.metadata().path("snapshot").path("not_restored")) {
            notRestored.add(k.path("path").asText() + " (" + k.path("reason").asText() + ")");
        }
        if (!notRestored.isEmpty()) {
            notes.add("Not restored exactly: " + String.join("; ", notRestored));
        }
        List<String> nested = nestedRepos(target, pre, changes);
        if (!nested.isEmpty()) {
            notes.add("Left as they are (nested repositories and submodules are not rolled back): "
                    + String.join(", ", nested));
        }
        return new RollbackResult(target.id(), Optional.of(pre.id()), false, targetCommit.isPresent(), changes,
                stateRestored, notes, resumed.isPresent(), KeptPath.classify(protectedPaths, store, targetCommit,
                        then, now, service.lokiDir().workTree()));
    }

    private RollbackResult dryRun(Checkpoint target, Optional<String> targetCommit, Optional<SnapshotStore> store,
            boolean legacy, Set<String> targetSkipped, List<String> notes) throws IOException {
        List<TreeChange> changes = List.of();
        // in the order they were found; a set: an emptied .gitignore can keep thousands
        java.util.Set<String> protectedPaths = new java.util.LinkedHashSet<>();
        Map<String, String> then = KeptPath.reasons(target.metadata().path("snapshot").path("skipped"));
        Map<String, String> reasonsNow = new java.util.LinkedHashMap<>();
        if (targetCommit.isPresent()) {
            String ref = "refs/loki/tmp/dry-run-" + ProcessHandle.current().pid();
            SnapshotStore s = store.get();
            try (FileLocks.Held lock = FileLocks.lock(s.directory().resolveSibling("snapshots.lock"),
                    service.settings().snapshotBudget())) {
                SnapshotStore.Snapshot now = s.take(ref, "loki rollback --dry-run",
                        new SnapshotStore.Limits(service.settings().maxFileBytes(),
                                Instant.now().plus(service.settings().snapshotBudget())));
                Set<String> skipped = new java.util.HashSet<>(targetSkipped);
                now.skipped().forEach(k -> skipped.add(k.path()));
                changes = filter(s.diff(now.commit(), targetCommit.get(), GIT_TIMEOUT), legacy, skipped,
                        protectedPaths);
                reasonsNow.putAll(KeptPath.reasons(now.skipped()));
                changes = keepIgnored(s, targetCommit.get(), changes, protectedPaths, then);
                changes = keepUnsnapshotted(s, changes, protectedPaths, reasonsNow);
                changes = keepBlocked(s.workTree(), changes, protectedPaths, reasonsNow, false);
                s.deleteRefs(List.of(ref));
                // as the real rollback does with its pre-rollback snapshot: what no snapshot holds is kept too
                for (SnapshotStore.Skipped k : now.skipped()) {
                    protectedPaths.add(k.path());
                }
            } catch (GitException e) {
                throw LokiException.failed("Could not compare the work tree with " + target.id() + ": "
                        + e.getMessage());
            }
        }
        List<String> state = target.isOurs() ? target.stateFiles() : StateFiles.legacyFiles(target.dir());
        return new RollbackResult(target.id(), Optional.empty(), true, targetCommit.isPresent(), changes, state,
                notes, false, KeptPath.classify(protectedPaths, store, targetCommit, then, reasonsNow,
                        service.lokiDir().workTree()));
    }

    private LokiException revert(Checkpoint target, Checkpoint pre, Optional<SnapshotStore> store,
            List<TreeChange> changes, Exception cause, RollbackJournal journal, RollbackJournal.Pending entry) {
        String why = cause.getMessage();
        try {
            if (store.isPresent() && pre.snapshotCommit().isPresent() && !changes.isEmpty()) {
                store.get().apply(pre.snapshotCommit().get(), changes.stream().map(TreeChange::reversed).toList(),
                        GIT_TIMEOUT);
            }
            StateFiles.restore(service.lokiDir().path(), pre, absent(pre));
            journal.clear();
        } catch (IOException | GitException | UncheckedIOException e2) {
            try {
                journal.write(entry.failed(why + "; putting back: " + e2.getMessage()));
            } catch (IOException e3) {
                // the journal still says "restoring": the next command reports it all the same
            }
            return new LokiException(1, "Rollback to " + target.id() + " failed (" + why + "), and putting things"
                    + " back failed too (" + e2.getMessage() + "). Everything from before the rollback is in"
                    + " checkpoint " + pre.id() + ": once what stopped the writes is mended (permissions, a full disk,"
                    + " an immutable file), run '" + Quote.command("loki", "rollback", "to", pre.id(), "--force")
                    + "'.", cause);
        }
        ObjectNode ev = Json.object();
        ev.put("checkpoint", target.id());
        ev.put("error", why);
        ev.put("reverted_to", pre.id());
        service.lokiDir().events().append("checkpoint.rollback_failed", ev);
        return new LokiException(1, "Rollback to " + target.id() + " failed: " + why + ". Your files and agent state"
                + " were put back as they were (saved as checkpoint " + pre.id() + ").", cause);
    }

    /** Nested repositories and submodules (gitlinks, or left out as nested) near this rollback. */
    private static List<String> nestedRepos(Checkpoint target, Checkpoint pre, List<TreeChange> changes) {
        Set<String> out = new java.util.TreeSet<>();
        for (Checkpoint c : List.of(target, pre)) {
            for (var k : c.metadata().path("snapshot").path("skipped")) {
                if (k.path("reason").asText("").contains("nested")) {
                    out.add(k.path("path").asText());
                }
            }
        }
        for (TreeChange c : changes) {
            if ("160000".equals(c.newMode()) || "160000".equals(c.oldMode())) {
                out.add(c.path());
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * When HEAD is not where it was at the checkpoint (the agent checked out another branch,
     * committed, reset): a rollback restores files only, so git status then shows the
     * checkpoint's files as changes against the HEAD of now. Said, so it is not a surprise.
     */
    private static Optional<String> headMoved(Checkpoint target, RepoInfo repo, boolean dryRun) {
        String shaThen = target.gitSha().strip();
        String branchThen = target.gitBranch().strip();
        String shaNow = repo.head().orElse("");
        String branchNow = repo.branch().orElse("");
        boolean shaMoved = shaThen.matches("[0-9a-f]{7,64}") && !shaNow.isEmpty() && !shaNow.startsWith(shaThen)
                && !shaThen.startsWith(shaNow);
        boolean branchMoved = !branchThen.isEmpty() && !branchNow.isEmpty() && !branchThen.equals("HEAD")
                && !branchThen.equals(branchNow);
        if (!shaMoved && !branchMoved) {
            return Optional.empty();
        }
        String now = (branchNow.isEmpty() ? "a detached HEAD" : branchNow) + "@" + shaNow.substring(0,
                Math.min(7, shaNow.length()));
        String then = (branchThen.isEmpty() ? "?" : branchThen) + "@" + shaThen.substring(0,
                Math.min(7, shaThen.length()));
        return Optional.of("HEAD is at " + now + ", not at " + then + " where the checkpoint was taken; a rollback "
                + (dryRun ? "restores" : "restored") + " files only (HEAD, the branch and the index stay), so git"
                + " status compares them with " + now + ".");
    }

    /** Drops changes to protected paths; for tracked-only snapshots, never removes files. */
    private static List<TreeChange> filter(List<TreeChange> changes, boolean noRemovals, Set<String> skipped,
            java.util.Collection<String> protectedOut) {
        List<TreeChange> out = new ArrayList<>();
        for (TreeChange c : changes) {
            if (isProtected(c.path(), skipped)) {
                protectedOut.add(c.path());
                continue;
            }
            if (noRemovals && !c.inTarget()) {
                continue;
            }
            out.add(c);
        }
        return out;
    }

    /**
     * Drops the removals of files that the target's ignore rules ignore. Its snapshot could
     * not hold them, so their absence says nothing of whether they existed then; they are the
     * user's ignored files (an agent that edited .gitignore made them look new), and a restore
     * never touches ignored files. Asked only when the change restores a .gitignore file: with
     * the same rules the pre-rollback snapshot could not have held an ignored file either.
     * Each one is added to {@code keptOut}, with why the checkpoint left it out in {@code then}.
     */
    private static List<TreeChange> keepIgnored(SnapshotStore store, String commit, List<TreeChange> changes,
            java.util.Collection<String> keptOut, Map<String, String> then) throws IOException {
        boolean rulesChange = changes.stream().anyMatch(c -> c.path().equals(".gitignore")
                || c.path().endsWith("/.gitignore"));
        if (!rulesChange) {
            return changes;
        }
        List<String> removals = changes.stream().filter(c -> !c.inTarget()).map(TreeChange::path).toList();
        Set<String> ignored = store.ignoredUnder(commit, removals, GIT_TIMEOUT);
        if (ignored.isEmpty()) {
            return changes;
        }
        for (String p : new java.util.TreeSet<>(ignored)) {
            keptOut.add(p);
            then.put(p, KeptPath.IGNORED_THEN);
        }
        return changes.stream().filter(c -> c.inTarget() || !ignored.contains(c.path())).toList();
    }

    /**
     * Drops the writes over files that are on disk but not in the pre-rollback snapshot (the
     * target has them; they are ignored now, say the agent added them to .gitignore and then
     * edited them). Writing them would lose their bytes for good, undo included; they are added
     * to {@code keptOut}, with why no snapshot holds them now in {@code now} (their description
     * says how to get the checkpoint's version).
     */
    private static List<TreeChange> keepUnsnapshotted(SnapshotStore store, List<TreeChange> changes,
            java.util.Collection<String> keptOut, Map<String, String> now) {
        List<String> added = changes.stream().filter(c -> c.status() == 'A').map(TreeChange::path).toList();
        Set<String> there = new java.util.HashSet<>(store.onDisk(added));
        if (there.isEmpty()) {
            return changes;
        }
        for (String p : new java.util.TreeSet<>(there)) {
            keptOut.add(p);
            now.put(p, KeptPath.IGNORED_NOW);
        }
        return changes.stream().filter(c -> c.status() != 'A' || !there.contains(c.path())).toList();
    }

    /**
     * Drops the writes that cannot be made without touching what no snapshot holds: where the
     * checkpoint has a file, a directory that still holds files this rollback does not remove
     * (ignored ones, say f/a.log); where it has a directory, a file or symlink that this rollback
     * does not remove (an ignored one). Writing them failed the whole rollback, which its dry run
     * had announced as possible; they are now left as they are, each added to {@code keptOut}
     * with why in {@code now}, and the rest is restored. {@code everyWrite}: the snapshot the
     * changes start from is not one just taken (a completed interrupted rollback), so every write
     * is looked at, not only those of paths it lacks.
     */
    private static List<TreeChange> keepBlocked(Path root, List<TreeChange> changes, java.util.Collection<String> keptOut,
            Map<String, String> now, boolean everyWrite) throws IOException {
        Set<String> removed = new java.util.HashSet<>();
        for (TreeChange c : changes) {
            if (!c.inTarget()) {
                removed.add(c.path());
            }
        }
        Set<String> dirs = new java.util.HashSet<>();
        Map<String, String> blocked = new java.util.TreeMap<>();
        for (TreeChange c : changes) {
            // a path the snapshot just taken holds as a file has directories above it and none in
            // its place: only the paths it lacks are looked at (all of them when it is older)
            if (!c.inTarget() || (!everyWrite && c.status() != 'A')) {
                continue;
            }
            String rel = c.path();
            String why = null;
            for (int i = rel.indexOf('/'); i > 0 && why == null; i = rel.indexOf('/', i + 1)) {
                String dir = rel.substring(0, i);
                if (dirs.contains(dir)) {
                    continue;
                }
                Path d = root.resolve(dir);
                if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
                    dirs.add(dir);
                    continue;
                }
                if (Files.exists(d, LinkOption.NOFOLLOW_LINKS) && !removed.contains(dir)) {
                    why = dir + " is a file or symlink no snapshot holds (an ignored one?) where the checkpoint has"
                            + " a directory";
                }
                break;
            }
            Path p = root.resolve(rel);
            if (why == null && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                Optional<String> left = leftIn(p, rel, removed);
                if (left.isPresent()) {
                    why = "a directory is in its place that still holds " + left.get() + ", which no snapshot holds"
                            + " (an ignored file?)";
                }
            }
            if (why != null) {
                blocked.put(rel, why);
            }
        }
        if (blocked.isEmpty()) {
            return changes;
        }
        blocked.forEach((path, why) -> {
            keptOut.add(path);
            now.put(path, why);
        });
        return changes.stream().filter(c -> !blocked.containsKey(c.path())).toList();
    }

    /** The first entry under directory {@code dir} that the restore's deletions leave there (an empty directory counts). */
    private static Optional<String> leftIn(Path dir, String rel, Set<String> removed) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            return s.filter(e -> !e.equals(dir)).filter(e -> {
                String r = rel + "/" + dir.relativize(e).toString().replace(java.io.File.separatorChar, '/');
                if (Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS)) {
                    try (java.util.stream.Stream<Path> in = Files.list(e)) {
                        return in.findAny().isEmpty();
                    } catch (IOException x) {
                        return true;
                    }
                }
                return !removed.contains(r);
            }).findFirst().map(e -> rel + "/" + dir.relativize(e));
        } catch (UncheckedIOException e) {
            return Optional.of(rel + "/");
        }
    }

    private static boolean isProtected(String path, Set<String> skipped) {
        if (skipped.contains(path)) {
            return true;
        }
        for (String s : skipped) {
            if (s.endsWith("/") && path.startsWith(s)) {
                return true;
            }
        }
        return false;
    }

    /** The objects of {@code commit}'s snapshot that are missing, looked for on another thread; null without one. */
    private static java.util.concurrent.CompletableFuture<List<String>> checkObjects(Optional<SnapshotStore> store,
            Optional<String> commit) {
        if (store.isEmpty() || commit.isEmpty()) {
            return null;
        }
        SnapshotStore s = store.get();
        String c = commit.get();
        return java.util.concurrent.CompletableFuture.supplyAsync(
                dev.loki.process.ProcessScope.carrying(() -> s.missingObjects(c, GIT_TIMEOUT)));
    }

    /** Fails, changing nothing, when objects the target's snapshot needs are gone. */
    private static void requireObjects(Checkpoint target, java.util.concurrent.CompletableFuture<List<String>> check) {
        if (check == null) {
            return;
        }
        List<String> missing;
        try {
            missing = check.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        if (!missing.isEmpty()) {
            throw LokiException.failed("Cannot restore the code of " + target.id() + ": " + missing.size()
                    + " object(s) its snapshot needs are gone (was the repository's history rewritten and"
                    + " garbage-collected?). Nothing was changed. Use --state-only to restore agent state.");
        }
    }

    private static List<TreeChange> allPaths(SnapshotStore store, String commit) {
        String empty = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
        return store.diff(empty, commit, GIT_TIMEOUT);
    }

    private static List<String> absent(Checkpoint cp) {
        List<String> out = new ArrayList<>();
        cp.metadata().path("state_absent").forEach(n -> out.add(n.asText()));
        return out;
    }

    /**
     * The snapshot to restore: ours from metadata; upstream's from its sidecar or its
     * {@code refs/loki/cp/<id>} ref in the user's repository (read, never written).
     */
    private Optional<String> targetCommit(Checkpoint target, RepoInfo repo, SnapshotStore store) {
        Optional<String> c = target.snapshotCommit();
        if (c.isEmpty() && !target.isOurs()) {
            GitCli.Result r = repo.git(service.env()).exec("rev-parse", "-q", "--verify",
                    "refs/loki/cp/" + target.id() + "^{commit}");
            if (r.ok()) {
                c = Optional.of(r.out().strip());
            }
        }
        if (c.isPresent() && !store.hasCommit(c.get())) {
            throw LokiException.failed("The code snapshot of " + target.id() + " (" + c.get().substring(0, 12)
                    + ") is missing from the snapshot store and the repository. Nothing was changed. Use --state-only"
                    + " to restore agent state.");
        }
        return c;
    }
}
