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
 * iteration's snapshot per question, deleted after the answer, so a reviewer that writes files
 * never changes the user's tree nor what another reviewer sees. Without a snapshot (checkpoints
 * off) they get an empty directory and the diff in their prompt. Also computes the iteration's
 * exact change: the previous checkpoint's snapshot against this one.
 */
final class ReviewCheckout implements Reviewer, AutoCloseable {
    private final Reviewer base;
    private final Optional<SnapshotCheckout> snapshots;
    private final String commit;
    private final RunLog log;

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

    /** Each question gets its own fresh checkout, deleted after the answer: the reviewers stay blind to each other. */
    @Override
    public String ask(String prompt, Duration timeout) throws IOException, InterruptedException {
        return ask(prompt, timeout, false);
    }

    @Override
    public Reviewer asCouncil() {
        return (prompt, timeout) -> ask(prompt, timeout, true);
    }

    private String ask(String prompt, Duration timeout, boolean council) throws IOException, InterruptedException {
        if (!(base instanceof ProviderReviewer pr)) {
            return council ? base.asCouncil().ask(prompt, timeout) : base.ask(prompt, timeout);
        }
        Path where = Files.createTempDirectory("loki-review-");
        try {
            if (snapshots.isPresent()) {
                snapshots.get().materialise(commit, where);
            }
            return (council ? pr.in(where).asCouncil() : pr.in(where)).ask(prompt, timeout);
        } finally {
            try {
                FileTrees.delete(where);
            } catch (IOException e) {
                log.warn("Could not remove the review checkout " + where + ": " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        // every checkout is removed right after its question
    }
}
