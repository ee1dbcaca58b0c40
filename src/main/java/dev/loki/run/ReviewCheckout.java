package dev.loki.run;

import dev.loki.gate.IterationDiff;
import dev.loki.gate.Reviewer;
import dev.loki.git.SnapshotCheckout;
import dev.loki.store.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where one iteration's reviewers and council members work: a throwaway checkout of the
 * iteration's snapshot, written on the first question and deleted when the iteration is done,
 * so a reviewer that writes files never changes the user's tree. Without a snapshot (checkpoints
 * off) they get an empty directory and the diff in their prompt. Also computes the iteration's
 * exact change: the previous checkpoint's snapshot against this one.
 */
final class ReviewCheckout implements Reviewer, AutoCloseable {
    private final Reviewer base;
    private final Optional<SnapshotCheckout> snapshots;
    private final String commit;
    private final RunLog log;
    private Path dir;

    ReviewCheckout(Reviewer base, Optional<SnapshotCheckout> snapshots, String commit, RunLog log) {
        this.base = base;
        this.snapshots = snapshots;
        this.commit = commit;
        this.log = log;
    }

    /** For the snapshot {@code commit} of this iteration, found in the store it lives in. */
    static ReviewCheckout of(AutonomousLoop.LoopContext c, String commit) {
        Optional<SnapshotCheckout> s = SnapshotCheckout.locate(c.dir().workTree(), c.dir().path(), c.env(), commit);
        return new ReviewCheckout(c.reviewer(), s, commit, c.log());
    }

    /** The change from the snapshot {@code previous} to this one; empty when either is missing. */
    Optional<IterationDiff> change(String previous) {
        if (snapshots.isEmpty() || previous.isBlank() || !snapshots.get().has(previous)) {
            return Optional.empty();
        }
        try {
            return Optional.of(IterationDiff.of(previous, commit, snapshots.get().diff(previous, commit),
                    IterationDiff.MAX_CHARS));
        } catch (RuntimeException e) {
            log.warn("Could not diff snapshots " + previous + ".." + commit + " for review: " + e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public String ask(String prompt, Duration timeout) throws IOException, InterruptedException {
        Path where = directory();
        return base instanceof ProviderReviewer pr ? pr.in(where).ask(prompt, timeout) : base.ask(prompt, timeout);
    }

    /** The checkout, written on first use. */
    synchronized Path directory() throws IOException {
        if (dir == null) {
            Path d = Files.createTempDirectory("loki-review-");
            if (snapshots.isPresent()) {
                snapshots.get().materialise(commit, d);
            }
            dir = d;
        }
        return dir;
    }

    @Override
    public synchronized void close() {
        if (dir == null) {
            return;
        }
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            log.warn("Could not remove the review checkout " + dir + ": " + e.getMessage());
        }
        dir = null;
    }
}
