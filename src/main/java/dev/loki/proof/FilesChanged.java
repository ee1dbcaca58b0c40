package dev.loki.proof;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.git.GitCli;
import dev.loki.git.GitException;
import dev.loki.git.RepoInfo;
import dev.loki.git.SnapshotStore;
import dev.loki.git.TreeChange;
import dev.loki.store.FileLocks;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import dev.loki.store.RunRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the run changed in the work tree: its base snapshot (or base HEAD) against a fresh
 * snapshot taken now, so uncommitted and untracked work counts, not just the last commit
 * (upstream diffed {@code HEAD~1..HEAD}). The fresh snapshot goes into the checkpoint store's
 * private repository under {@code refs/loki/proofs/<run>}: the user's index, HEAD and refs are
 * never written, and the end state the proof describes stays inspectable.
 */
final class FilesChanged {
    /** Where {@code CheckpointService} keeps its snapshot store; the proof snapshots there too. */
    private static final String REF_PREFIX = "refs/loki/proofs/";
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final int MAX_PATCH = 64 * 1024;
    private static final int MAX_PATCHES = 1024 * 1024;

    /** The section, the diffs (when asked for), and the two ends that were compared. */
    record Outcome(ObjectNode section, Optional<ArrayNode> diffs, String base, String end, List<String> notes) {
    }

    private FilesChanged() {
    }

    static Outcome compute(LokiDir dir, Map<String, String> env, RunRecord run, boolean includeDiffs) {
        List<String> notes = new ArrayList<>();
        Optional<RepoInfo> repo = RepoInfo.detect(dir.workTree(), env);
        if (repo.isEmpty()) {
            notes.add("not a git repository: no file changes recorded");
            return new Outcome(empty("none"), Optional.empty(), "", "", notes);
        }
        SnapshotStore store = store(dir, repo.get(), env);
        // the whole comparison holds the store's snapshot lock: retention's repack takes it too, so
        // the base's objects cannot be dropped between finding the base and reading its diff
        try (FileLocks.Held lock = FileLocks.lock(store.directory().resolveSibling("snapshots.lock"), TIMEOUT)) {
            return compareLocked(dir, env, run, includeDiffs, store, notes);
        } catch (IOException e) {
            notes.add("could not lock the snapshot store to compare the work tree: " + e.getMessage());
            return new Outcome(empty("none"), Optional.empty(), "", "", notes);
        }
    }

    private static Outcome compareLocked(LokiDir dir, Map<String, String> env, RunRecord run, boolean includeDiffs,
            SnapshotStore store, List<String> notes) {
        String base = "";
        String baseKind = "none";
        String caveat = "";
        if (!run.baseSnapshot().isEmpty() && store.hasCommit(run.baseSnapshot())) {
            base = run.baseSnapshot();
            baseKind = "base_snapshot";
        } else if (!run.baseHead().isEmpty() && store.hasCommit(run.baseHead())) {
            base = run.baseHead();
            baseKind = "base_head";
            // said in the section itself, not only in a warning: the list is not the run's changes alone
            caveat = (run.baseSnapshot().isEmpty() ? "no snapshot of the work tree was taken when the run started"
                    : "the run's base snapshot " + run.baseSnapshot() + " is gone (its checkpoint was removed, or its objects lost)")
                    + ": compared against the run's base HEAD " + run.baseHead() + " instead, so uncommitted or"
                    + " untracked edits made before the run are listed as if the run made them";
            notes.add(caveat);
        }
        if (base.isEmpty()) {
            notes.add("the run recorded no base to compare against: file changes unknown");
            return new Outcome(empty(baseKind), Optional.empty(), "", "", notes);
        }
        String end;
        String endTree;
        String endNote = "";
        GitCli git = GitCli.in(dir.workTree(), env).withEnv(Map.of("GIT_DIR", store.directory().toString()));
        Optional<String[]> atEnd = snapshotAtEnd(store, git, run);
        if (atEnd.isPresent()) {
            // a proof made again after the run ended (by hand, e.g. for --include-diffs) describes the
            // work tree as the run left it, not the user's edits since
            end = atEnd.get()[0];
            endTree = atEnd.get()[1];
        } else {
            try {
                SnapshotStore.Snapshot snap = store.take(REF_PREFIX + run.runId(), "loki proof " + run.runId(),
                        new SnapshotStore.Limits(100L * 1024 * 1024, Instant.now().plus(TIMEOUT)));
                end = snap.commit();
                endTree = snap.tree();
            } catch (IOException | GitException e) {
                notes.add("could not snapshot the work tree: " + e.getMessage());
                return new Outcome(empty(baseKind), Optional.empty(), base, "", notes);
            }
            endNote = lateSnapshotNote(run);
            if (!endNote.isEmpty()) {
                notes.add(endNote);
            }
        }
        List<TreeChange> changes = store.diff(base, end, TIMEOUT);
        Map<String, long[]> numstat = numstat(git, base, end);
        ObjectNode o = Json.object();
        ArrayNode files = Json.MAPPER.createArrayNode();
        long ins = 0;
        long del = 0;
        for (TreeChange c : changes) {
            long[] n = numstat.getOrDefault(c.path(), new long[] {0, 0, 0});
            ObjectNode f = files.addObject();
            f.put("path", c.path());
            f.put("status", status(c.status()));
            f.put("insertions", n[0]);
            f.put("deletions", n[1]);
            f.put("binary", n[2] == 1);
            ins += n[0];
            del += n[1];
        }
        o.put("count", files.size());
        o.put("insertions", ins);
        o.put("deletions", del);
        o.set("files", files);
        o.put("base", baseKind);
        if (!caveat.isEmpty()) {
            o.put("base_note", caveat);
        }
        if (!endNote.isEmpty()) {
            o.put("end_note", endNote);
        }
        o.put("base_commit", base);
        o.put("end_snapshot", end);
        o.put("end_tree", endTree);
        Optional<ArrayNode> diffs = includeDiffs ? Optional.of(patches(git, base, end, changes)) : Optional.empty();
        return new Outcome(o, diffs, base, end, notes);
    }

    /** How long after a run's end a fresh snapshot still counts as the run's end (the end-of-run proof). */
    static final Duration END_GRACE = Duration.ofMinutes(2);

    /**
     * The snapshot an earlier proof of this run took when (or after) the run ended, as {commit,
     * tree}: the run's end state. Empty while the run has not ended, when no proof snapshot
     * exists, or when it is older than the run's (latest) end: a resumed run ended again later.
     */
    private static Optional<String[]> snapshotAtEnd(SnapshotStore store, GitCli git, RunRecord run) {
        Optional<Instant> ended = ProofService.parse(run.endedAt());
        if (ended.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> commit = store.resolve(REF_PREFIX + run.runId());
        if (commit.isEmpty()) {
            return Optional.empty();
        }
        GitCli.Result r = git.exec(List.of("log", "-1", "--format=%ct %T", commit.get()), null, TIMEOUT);
        String[] f = r.ok() ? r.out().strip().split(" ") : new String[0];
        if (f.length != 2) {
            return Optional.empty();
        }
        try {
            // commit times are whole seconds: the end-of-run snapshot may carry the end's own second
            boolean atOrAfterEnd = Long.parseLong(f[0]) >= ended.get().getEpochSecond();
            return atOrAfterEnd ? Optional.of(new String[] {commit.get(), f[1]}) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Said when the end snapshot is taken well after the run ended: later edits count as the run's. */
    private static String lateSnapshotNote(RunRecord run) {
        Optional<Instant> ended = ProofService.parse(run.endedAt());
        if (ended.isEmpty() || Instant.now().isBefore(ended.get().plus(END_GRACE))) {
            return "";
        }
        return "the work tree was snapshotted now, not when the run ended (" + run.endedAt() + "): no snapshot"
                + " of its end was kept, so edits made since are listed as if the run made them";
    }

    /**
     * Deletes every proof snapshot ref of the private store whose run is not in {@code keep}
     * (retention: the snapshots go with their proofs). Returns the refs deleted; when none could
     * be, says why in {@code notes}.
     */
    static List<String> pruneRefs(LokiDir dir, Map<String, String> env, java.util.Set<String> keep, List<String> notes) {
        Optional<RepoInfo> repo = RepoInfo.detect(dir.workTree(), env);
        if (repo.isEmpty()) {
            return List.of();
        }
        SnapshotStore store = store(dir, repo.get(), env);
        if (!java.nio.file.Files.isDirectory(store.directory())) {
            return List.of();
        }
        try (FileLocks.Held lock = FileLocks.lock(store.directory().resolveSibling("snapshots.lock"), TIMEOUT)) {
            List<String> gone = store.refs().stream().filter(r -> r.startsWith(REF_PREFIX))
                    .filter(r -> !keep.contains(r.substring(REF_PREFIX.length()))).toList();
            if (!gone.isEmpty()) {
                store.deleteRefs(gone);
            }
            return gone;
        } catch (IOException | GitException e) {
            notes.add("could not delete proof snapshot refs: " + e.getMessage());
            return List.of();
        }
    }

    /** Where the private snapshot store is (for tests and diagnostics). */
    static Optional<Path> storeDirectory(LokiDir dir, Map<String, String> env) {
        return RepoInfo.detect(dir.workTree(), env).map(r -> store(dir, r, env).directory());
    }

    /** The ref a run's proof snapshot is kept under. */
    static String refOf(String runId) {
        return REF_PREFIX + runId;
    }

    /** The private store's refs (for tests and diagnostics). */
    static List<String> proofRefs(LokiDir dir, Map<String, String> env) {
        Optional<RepoInfo> repo = RepoInfo.detect(dir.workTree(), env);
        if (repo.isEmpty()) {
            return List.of();
        }
        SnapshotStore store = store(dir, repo.get(), env);
        return java.nio.file.Files.isDirectory(store.directory())
                ? store.refs().stream().filter(r -> r.startsWith(REF_PREFIX)).toList() : List.of();
    }

    private static SnapshotStore store(LokiDir dir, RepoInfo repo, Map<String, String> env) {
        return SnapshotStore.forProject(repo, dir.path(), env);
    }

    /** path to {insertions, deletions, binary?1:0}. */
    private static Map<String, long[]> numstat(GitCli git, String base, String end) {
        Map<String, long[]> out = new HashMap<>();
        GitCli.Result r = git.exec(List.of("diff", "--numstat", "-z", "--no-renames", base, end), null, TIMEOUT);
        if (!r.ok()) {
            return out;
        }
        for (String rec : r.nulSeparated()) {
            String[] f = rec.split("\t", 3);
            if (f.length < 3) {
                continue;
            }
            boolean binary = "-".equals(f[0]);
            out.put(f[2], new long[] {binary ? 0 : parse(f[0]), binary ? 0 : parse(f[1]), binary ? 1 : 0});
        }
        return out;
    }

    private static long parse(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static ArrayNode patches(GitCli git, String base, String end, List<TreeChange> changes) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        int total = 0;
        for (TreeChange c : changes) {
            ObjectNode d = out.addObject();
            d.put("path", c.path());
            if (total >= MAX_PATCHES) {
                d.put("patch", "(left out: the proof's diffs are capped at 1 MiB)");
                continue;
            }
            GitCli.Result r = git.exec(List.of("diff", "--no-renames", "--no-color", base, end, "--", c.path()),
                    null, TIMEOUT);
            String patch = r.ok() ? r.out() : "";
            if (patch.length() > MAX_PATCH) {
                patch = patch.substring(0, MAX_PATCH) + "\n(cut at 64 KiB)\n";
            }
            total += patch.length();
            d.put("patch", patch);
        }
        return out;
    }

    private static String status(char c) {
        return switch (c) {
            case 'A' -> "added";
            case 'D' -> "deleted";
            case 'T' -> "type_changed";
            default -> "modified";
        };
    }

    private static ObjectNode empty(String baseKind) {
        ObjectNode o = Json.object();
        o.put("count", 0);
        o.put("insertions", 0);
        o.put("deletions", 0);
        o.putArray("files");
        o.put("base", baseKind);
        return o;
    }
}
