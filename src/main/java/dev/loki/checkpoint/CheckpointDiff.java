package dev.loki.checkpoint;

import dev.loki.LokiException;
import dev.loki.git.RepoInfo;
import dev.loki.git.SnapshotStore;
import dev.loki.git.TreeChange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.diff.DiffAlgorithm;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.EditList;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;

/**
 * What a rollback to a checkpoint would change, and what a checkpoint's iteration changed, file
 * by file, with a unified diff per file on demand. The rollback plan is the dry run of {@link
 * CheckpointService#rollback} itself (the same filter of protected paths and the same snapshot
 * of "now"), so the confirmation lists exactly what the real rollback will do. Iteration changes
 * are the diff between the previous snapshotted checkpoint and this one in the private store.
 * The CLI, the dashboard and the MCP server all call this class.
 */
public final class CheckpointDiff {
    /** A diff larger than this is cut, and says so. */
    public static final int MAX_DIFF_BYTES = 256 * 1024;
    private static final long MAX_BLOB_BYTES = 4L * 1024 * 1024;
    private static final Duration GIT_TIMEOUT = Duration.ofSeconds(60);

    private final CheckpointService service;

    public CheckpointDiff(CheckpointService service) {
        this.service = service;
    }

    /** One file in a plan or a change list, in words the user reads. */
    public record FileChange(char status, String path) {
        /** For a rollback: what happens to the file in the work tree. */
        public String rollbackEffect() {
            return switch (status) {
                case 'A' -> "brought back";
                case 'D' -> "removed";
                default -> "changed back";
            };
        }

        /** For an iteration: what the iteration did to the file. */
        public String iterationEffect() {
            return switch (status) {
                case 'A' -> "added";
                case 'D' -> "deleted";
                default -> "modified";
            };
        }
    }

    /** What a rollback to {@code checkpointId} would do (nothing is changed to find out). */
    public record RollbackPlan(String checkpointId, boolean codeRestorable, List<FileChange> changedBack,
            List<FileChange> broughtBack, List<FileChange> removed, List<String> stateRestored,
            List<String> notes, List<KeptPath> kept) {
        /** The kept paths by name, as {@link RollbackResult#protectedPaths()}. */
        public List<String> protectedPaths() {
            return kept.stream().map(KeptPath::path).toList();
        }

        public List<FileChange> all() {
            List<FileChange> out = new ArrayList<>(changedBack);
            out.addAll(broughtBack);
            out.addAll(removed);
            return out;
        }
    }

    /** What the iteration that made {@code checkpointId} changed, compared with {@code previousId}. */
    public record IterationChanges(String checkpointId, Optional<String> previousId, List<FileChange> files,
            String note) {
    }

    /** A unified diff of one file; {@code binary} or {@code truncated} say when it is not the whole text. */
    public record FileDiff(String path, char status, boolean binary, boolean truncated, String diff) {
    }

    public RollbackPlan rollbackPlan(String checkpointId) {
        RollbackResult r = service.rollback(checkpointId, new RollbackOptions(false, false, true));
        List<FileChange> back = new ArrayList<>();
        List<FileChange> brought = new ArrayList<>();
        List<FileChange> removed = new ArrayList<>();
        for (TreeChange c : r.codeChanges()) {
            FileChange f = new FileChange(c.status(), c.path());
            switch (c.status()) {
                case 'A' -> brought.add(f);
                case 'D' -> removed.add(f);
                default -> back.add(f);
            }
        }
        // an interrupted rollback is reported by /api/status (rollback_in_progress) and every CLI command
        return new RollbackPlan(r.targetId(), r.codeRestored(), back, brought, removed, r.stateRestored(),
                r.notes(), r.kept());
    }

    /**
     * The diff of one file of a rollback plan: from the work tree now to the checkpoint. Only a
     * path the plan lists is shown (no reading of arbitrary files through this call).
     */
    public FileDiff rollbackFileDiff(String checkpointId, String path) {
        RollbackPlan plan = rollbackPlan(checkpointId);
        FileChange f = plan.all().stream().filter(c -> c.path().equals(path)).findFirst()
                .orElseThrow(() -> LokiException.badInput("A rollback to " + checkpointId + " does not change "
                        + path));
        Checkpoint target = service.get(checkpointId);
        String commit = target.snapshotCommit().orElseThrow(() -> LokiException.failed(checkpointId
                + " has no code snapshot"));
        try {
            byte[] now = f.status() == 'A' ? new byte[0] : workTreeBytes(path);
            byte[] then = f.status() == 'D' ? new byte[0] : blob(store(), commit, path);
            return render(path, f.status(), now, then, "now", checkpointId);
        } catch (IOException e) {
            throw LokiException.failed("Cannot compare " + path + " with " + checkpointId + ": " + e.getMessage());
        }
    }

    /** The files the iteration behind {@code checkpointId} changed (vs the previous snapshotted checkpoint). */
    public IterationChanges iterationChanges(String checkpointId) {
        Checkpoint c = service.get(checkpointId);
        if (c.snapshotCommit().isEmpty()) {
            return new IterationChanges(c.id(), Optional.empty(), List.of(), "this checkpoint has no code snapshot");
        }
        Optional<Checkpoint> prev = previous(c);
        if (prev.isEmpty()) {
            return new IterationChanges(c.id(), Optional.empty(), List.of(),
                    "no earlier checkpoint with a code snapshot to compare with");
        }
        SnapshotStore store = store();
        List<FileChange> files = store.diff(prev.get().snapshotCommit().get(), c.snapshotCommit().get(), GIT_TIMEOUT)
                .stream().map(t -> new FileChange(t.status(), t.path())).toList();
        return new IterationChanges(c.id(), Optional.of(prev.get().id()), files,
                files.isEmpty() ? "no file changed since " + prev.get().id() : "");
    }

    public FileDiff iterationFileDiff(String checkpointId, String path) {
        IterationChanges ch = iterationChanges(checkpointId);
        FileChange f = ch.files().stream().filter(x -> x.path().equals(path)).findFirst()
                .orElseThrow(() -> LokiException.badInput("The iteration of " + checkpointId + " did not change "
                        + path));
        Checkpoint c = service.get(checkpointId);
        Checkpoint prev = service.get(ch.previousId().orElseThrow());
        try {
            SnapshotStore store = store();
            byte[] before = f.status() == 'A' ? new byte[0] : blob(store, prev.snapshotCommit().get(), path);
            byte[] after = f.status() == 'D' ? new byte[0] : blob(store, c.snapshotCommit().get(), path);
            return render(path, f.status(), before, after, prev.id(), c.id());
        } catch (IOException e) {
            throw LokiException.failed("Cannot read " + path + " from the snapshots: " + e.getMessage());
        }
    }

    /** The last checkpoint with a snapshot before {@code c} in creation order (the list is oldest first). */
    private Optional<Checkpoint> previous(Checkpoint c) {
        Checkpoint best = null;
        for (Checkpoint x : service.list()) {
            if (x.id().equals(c.id())) {
                break;
            }
            if (x.snapshotCommit().isPresent()) {
                best = x;
            }
        }
        return Optional.ofNullable(best);
    }

    private SnapshotStore store() {
        RepoInfo repo = RepoInfo.detect(service.lokiDir().workTree(), service.env()).orElseThrow(
                () -> LokiException.failed("Not a git work tree: no code snapshots to compare"));
        return service.snapshots(repo);
    }

    private byte[] workTreeBytes(String path) throws IOException {
        Path root = service.lokiDir().workTree().toAbsolutePath().normalize();
        Path p = root.resolve(path).normalize();
        if (!p.startsWith(root)) {
            throw new IOException("path outside the work tree");
        }
        if (new dev.loki.git.LeadingDirs(root).beyondLink(path)) {
            return new byte[0]; // under a symlinked directory: not in the work tree, never read through the link
        }
        if (Files.isSymbolicLink(p)) {
            return Files.readSymbolicLink(p).toString().getBytes(StandardCharsets.UTF_8);
        }
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return new byte[0];
        }
        if (Files.size(p) > MAX_BLOB_BYTES) {
            return ("(" + Files.size(p) + " bytes: too large to show)\n").getBytes(StandardCharsets.UTF_8);
        }
        return Files.readAllBytes(p);
    }

    private static byte[] blob(SnapshotStore store, String commit, String path) throws IOException {
        Optional<SnapshotStore.Blob> b = store.blob(commit, path, MAX_BLOB_BYTES);
        if (b.isEmpty()) {
            return new byte[0];
        }
        if (b.get().bytes() == null) {
            return ("(" + b.get().size() + " bytes: too large to show)\n").getBytes(StandardCharsets.UTF_8);
        }
        return b.get().bytes();
    }

    static FileDiff render(String path, char status, byte[] a, byte[] b, String aLabel, String bLabel)
            throws IOException {
        if (RawText.isBinary(a) || RawText.isBinary(b)) {
            return new FileDiff(path, status, true, false, "Binary file " + path + " differs (" + a.length + " -> "
                    + b.length + " bytes)\n");
        }
        RawText ra = new RawText(a);
        RawText rb = new RawText(b);
        EditList edits = DiffAlgorithm.getAlgorithm(DiffAlgorithm.SupportedAlgorithm.HISTOGRAM)
                .diff(RawTextComparator.DEFAULT, ra, rb);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(("--- " + (status == 'A' && aLabel.equals("now") ? "/dev/null" : "a/" + path) + " (" + aLabel
                + ")\n+++ " + (status == 'D' ? "/dev/null" : "b/" + path) + " (" + bLabel + ")\n")
                .getBytes(StandardCharsets.UTF_8));
        try (DiffFormatter f = new DiffFormatter(out)) {
            f.setContext(3);
            f.format(edits, ra, rb);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        boolean cut = text.length() > MAX_DIFF_BYTES;
        if (cut) {
            text = text.substring(0, MAX_DIFF_BYTES) + "\n... (diff cut at " + MAX_DIFF_BYTES / 1024 + " KiB)\n";
        }
        return new FileDiff(path, status, false, cut, text);
    }
}
