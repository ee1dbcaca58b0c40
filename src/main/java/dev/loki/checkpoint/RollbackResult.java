package dev.loki.checkpoint;

import dev.loki.Quote;
import dev.loki.git.TreeChange;
import java.util.List;
import java.util.Optional;

/**
 * What a rollback did (or, for a dry run, would do).
 *
 * @param codeChanges the work-tree paths changed: {@code A} brought back, {@code M}/{@code T}
 *                    changed back, {@code D} removed (it appeared after the checkpoint)
 * @param protectedPaths paths left alone because no snapshot could hold them
 * @param kept           the same paths, each with what is known about it (is it in the checkpoint,
 *                       does it differ, why no snapshot holds it)
 */
public record RollbackResult(String targetId, Optional<String> preRollbackId, boolean dryRun, boolean codeRestored,
        List<TreeChange> codeChanges, List<String> stateRestored, List<String> protectedPaths, List<String> notes,
        boolean resumedInterrupted, List<KeptPath> kept) {

    /** A result whose kept paths are known by name only (each worded as "may differ"). */
    public RollbackResult(String targetId, Optional<String> preRollbackId, boolean dryRun, boolean codeRestored,
            List<TreeChange> codeChanges, List<String> stateRestored, List<String> protectedPaths, List<String> notes,
            boolean resumedInterrupted) {
        this(targetId, preRollbackId, dryRun, codeRestored, codeChanges, stateRestored, protectedPaths, notes,
                resumedInterrupted, protectedPaths.stream().map(p -> new KeptPath(p, true, false, "", "")).toList());
    }

    public long count(char status) {
        return codeChanges.stream().filter(c -> c.status() == status).count();
    }

    /** The exact command that undoes this rollback. */
    public Optional<String> undoCommand() {
        return preRollbackId.map(id -> Quote.command("loki", "rollback", "to", id));
    }
}
