package dev.loki.cli;

import dev.loki.Quote;
import dev.loki.checkpoint.RollbackJournal;

/**
 * The one line every command prints while a rollback is unfinished (its process was killed
 * half-way): what happened and the command that completes or undoes it. Costs a stat or two
 * when there is nothing to say.
 */
final class RollbackNotice {
    private RollbackNotice() {
    }

    static void printIfPending(CliContext ctx) {
        try {
            var dir = ctx.lokiDir();
            RollbackJournal.at(dir).readAndRecord(dir)
                    .ifPresent(p -> ctx.err().println("Warning: " + Quote.line(p.line())));
        } catch (RuntimeException e) {
            // a notice must never stop the command itself
        }
    }
}
