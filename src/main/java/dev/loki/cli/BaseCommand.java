package dev.loki.cli;

import dev.loki.ExitCode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The base of every command: the shared context and global flags, and a {@link #doCall()}
 * that returns an exit code or throws {@link dev.loki.LokiException} for a user-fixable failure.
 */
public abstract class BaseCommand implements Callable<Integer> {
    protected final CliContext ctx;

    @Mixin
    GlobalOptions global;

    @Spec
    protected CommandSpec spec;

    protected BaseCommand(CliContext ctx) {
        this.ctx = ctx;
        this.global = new GlobalOptions(ctx);
    }

    @Override
    public final Integer call() throws Exception {
        if (!java.nio.file.Files.isDirectory(ctx.cwd())) {
            // before anything can create files under it (a .loki, a lock, a checkpoint)
            throw dev.loki.LokiException.badInput("-C " + ctx.cwd() + ": no such directory. Give an existing"
                    + " project directory.");
        }
        RollbackNotice.printIfPending(ctx);
        return doCall();
    }

    protected abstract int doCall() throws Exception;

    /** For group commands run without a subcommand: usage on stderr, exit 2. */
    protected int usage() {
        spec.commandLine().usage(ctx.err());
        return ExitCode.USAGE;
    }
}
