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
 */
public record RollbackResult(String targetId, Optional<String> preRollbackId, boolean dryRun, boolean codeRestored,
        List<TreeChange> codeChanges, List<String> stateRestored, List<String> protectedPaths, List<String> notes,
        boolean resumedInterrupted) {

    public long count(char status) {
        return codeChanges.stream().filter(c -> c.status() == status).count();
    }

    /** The exact command that undoes this rollback. */
    public Optional<String> undoCommand() {
        return preRollbackId.map(id -> Quote.command("loki", "rollback", "to", id));
    }
}
