package dev.loki.cli;

import dev.loki.ExitCode;
import dev.loki.LokiException;
import dev.loki.checkpoint.Checkpoint;
import dev.loki.checkpoint.CheckpointService;
import dev.loki.checkpoint.RollbackOptions;
import dev.loki.checkpoint.RollbackResult;
import dev.loki.store.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code loki rollback}: restore a checkpoint's agent state and code, undoably. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = {"Roll back agent state AND code to a checkpoint. Every rollback first saves the",
            "current state and code as a pre-rollback checkpoint and prints the command that undoes it.",
            "Ignored files, HEAD, the branch and the git index are never touched."},
        subcommands = {
            CheckpointCommand.ListCmd.class,
            CheckpointCommand.Show.class,
            RollbackCommand.To.class,
            RollbackCommand.Latest.class,
            RollbackCommand.Diff.class,
            picocli.CommandLine.HelpCommand.class,
        })
public final class RollbackCommand extends BaseCommand {
    RollbackCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() {
        return usage();
    }

    /** Flags shared by every command that rolls back. */
    static final class RollbackFlags {
        @Option(names = "--state-only", description = "Restore agent state only; leave the code alone.")
        boolean stateOnly;

        @Option(names = "--code", description = "Restore code too (the default; kept for compatibility).")
        boolean code;

        @Option(names = "--force", description = {"Roll back even while a loki run is active, during a merge,",
            "rebase, cherry-pick, revert or bisect, or when the pre-rollback snapshot failed (the",
            "rollback then cannot be undone)."})
        boolean force;

        @Option(names = "--dry-run", description = "Only show what would change.")
        boolean dryRun;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;
    }

    static int rollback(CliContext ctx, String id, RollbackFlags f) {
        if (f.stateOnly && f.code) {
            throw LokiException.badInput("--state-only and --code contradict each other; pick one");
        }
        CheckpointService svc = CheckpointCommand.service(ctx, true);
        // 'latest' names what 'loki rollback latest' picks, unless a checkpoint is called that
        Checkpoint target = id.equals("latest") && svc.find(id).isEmpty() ? svc.latest()
                .orElseThrow(() -> LokiException.failed("No checkpoints found to roll back to.")) : svc.get(id);
        if (!f.json) {
            ctx.err().println((f.dryRun ? "Comparing with" : "Rolling back to") + " checkpoint " + target.id()
                    + " (" + target.kind().label() + ", iteration " + target.iteration() + ", " + target.createdAt()
                    + ")...");
        }
        RollbackResult r = svc.rollback(target.id(), new RollbackOptions(f.stateOnly, f.force, f.dryRun));
        if (f.json) {
            ctx.out().println(Json.pretty(CheckpointOutput.toJson(r)));
        } else {
            // the pre-rollback checkpoint is the journal's own only when the rollback really resumed it
            // without code to restore (--state-only, no snapshot, no repository) the pre-rollback checkpoint holds state only
            String what = r.codeRestored() ? "state and code" : "state";
            r.preRollbackId().ifPresent(p -> ctx.out().println(r.resumedInterrupted()
                    ? "The " + what + " from before the interrupted rollback " + (r.codeRestored() ? "are" : "is")
                            + " in " + p + "."
                    : "Saved the current " + what + " as " + p + "."));
            CheckpointOutput.printRollback(ctx.out(), r, f.stateOnly);
        }
        return ExitCode.OK;
    }

    static int diff(CliContext ctx, String id, boolean json) {
        RollbackFlags f = new RollbackFlags();
        f.dryRun = true;
        f.json = json;
        return rollback(ctx, id, f);
    }

    @Command(name = "to", mixinStandardHelpOptions = true,
            description = "Restore a checkpoint's agent state and code (undoable).")
    static final class To extends BaseCommand {
        @picocli.CommandLine.Mixin
        RollbackFlags flags;

        @Parameters(paramLabel = "ID", description = {"The checkpoint id (see 'loki rollback list'), or",
            "'latest' for the newest that is not a pre-rollback one."})
        String id;

        To(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            return rollback(ctx, id, flags);
        }
    }

    @Command(name = "latest", mixinStandardHelpOptions = true,
            description = "Roll back to the newest checkpoint that is not a pre-rollback one.")
    static final class Latest extends BaseCommand {
        @picocli.CommandLine.Mixin
        RollbackFlags flags;

        Latest(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            Checkpoint cp = CheckpointCommand.service(ctx, true).latest()
                    .orElseThrow(() -> LokiException.failed("No checkpoints found to roll back to."));
            return rollback(ctx, cp.id(), flags);
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = "Show which files a rollback would change, bring back and remove.")
    static final class Diff extends BaseCommand {
        @Parameters(paramLabel = "ID", description = "The checkpoint id, or 'latest'.")
        String id;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        Diff(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            return diff(ctx, id, json);
        }
    }
}
