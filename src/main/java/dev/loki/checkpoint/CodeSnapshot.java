package dev.loki.checkpoint;

import java.util.List;
import java.util.Optional;

/**
 * The code part of a checkpoint.
 *
 * @param status  {@code captured}; {@code legacy} (upstream's tracked-only {@code git stash
 *                create} snapshot); {@code none} (not a git repo, or state-only by request);
 *                {@code failed} or {@code timeout} (with the reason)
 * @param commit  the snapshot commit (in the private store, or the user's repo for legacy)
 * @param reason  why there is no snapshot, when there is none
 * @param skipped paths left out of the snapshot (too large, nested repositories) with reasons;
 *                a rollback never touches them
 */
public record CodeSnapshot(String status, Optional<String> commit, String reason, List<String> skipped,
        long durationMs) {

    public static CodeSnapshot none(String reason) {
        return new CodeSnapshot("none", Optional.empty(), reason, List.of(), 0);
    }

    public boolean restorable() {
        return commit.isPresent();
    }
}
