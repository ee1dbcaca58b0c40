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
 * @param kept        every path left as it is although it differs from the checkpoint (no snapshot
 *                    can hold it: over the size cap, ignored by the checkpoint's or today's ignore
 *                    rules, a nested repository), each with what is known about it and why
 */
public record RollbackResult(String targetId, Optional<String> preRollbackId, boolean dryRun, boolean codeRestored,
        List<TreeChange> codeChanges, List<String> stateRestored, List<String> notes, boolean resumedInterrupted,
        List<KeptPath> kept) {

    public RollbackResult {
        kept = List.copyOf(kept);
    }

    /** The kept paths by name ({@code protected} / {@code protected_paths} in the JSON answers). */
    public List<String> protectedPaths() {
        return kept.stream().map(KeptPath::path).toList();
    }

    public long count(char status) {
        return codeChanges.stream().filter(c -> c.status() == status).count();
    }

    /** The exact command that undoes this rollback. */
    public Optional<String> undoCommand() {
        return preRollbackId.map(id -> Quote.command("loki", "rollback", "to", id));
    }
}
