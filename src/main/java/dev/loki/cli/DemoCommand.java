package dev.loki.cli;

import dev.loki.store.FileTrees;
import dev.loki.ExitCode;
import dev.loki.LokiException;
import dev.loki.demo.LoopDemo;
import dev.loki.demo.RollbackDemo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code loki demo}: the whole loop on a bundled spec with a scripted agent; {@code loki demo
 * rollback}: the checkpoint and rollback walk-through. Both in throwaway repositories, needing
 * git and bash, no AI account or network.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run 'loki start' on a bundled example spec in a temporary git repository, with a",
            "scripted agent: iterations, checkpoints, quality gates, council, completion.",
            "Needs git and bash; no AI account or network. 'loki demo rollback' shows rollback."},
        subcommands = DemoCommand.Rollback.class)
public final class DemoCommand extends BaseCommand {
    @Option(names = "--dir", paramLabel = "DIR",
            description = "Create the demo under DIR (default: a new temporary directory).")
    Path dir;

    DemoCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() throws Exception {
        Path home = dir == null ? Files.createTempDirectory("loki-demo-")
                : Files.createDirectories(ctx.cwd().resolve(dir)).toAbsolutePath();
        LoopDemo.Result r = new LoopDemo(home, ctx.env(), ctx.out()).run(ctx.err() == System.err);
        String status = r.outcome().result().status();
        if (!status.equals("council_approved") && !status.equals("completion_promise_fulfilled")) {
            throw LokiException.failed("the demo run ended '" + status + "' instead of completing; its project is at "
                    + r.project() + " (see .loki/logs/session.log there)");
        }
        ctx.out().println("Demo finished: the loop ran, checked and completed the work.");
        return ExitCode.OK;
    }

    /** {@code loki demo rollback}: checkpoints after each iteration, a rollback, and its undo. */
    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = {"Walk through checkpoints and rollback in a temporary git repository: a rollback",
                "of code and state, and the undo of that rollback."})
    static final class Rollback extends BaseCommand {
        @Option(names = "--keep", description = "Keep the temporary repository and print where it is.")
        boolean keep;

        Rollback(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() throws IOException {
            Path tmp = Files.createTempDirectory("loki-demo-");
            Path repo = Files.createDirectories(tmp.resolve("calc"));
            ctx.out().println("Loki demo in " + repo);
            boolean ok;
            try {
                ok = new RollbackDemo(repo, ctx.env(), ctx.out()).run();
            } finally {
                if (keep) {
                    ctx.out().println("Kept the demo repository at " + repo);
                } else {
                    FileTrees.delete(tmp);
                }
            }
            if (!ok) {
                throw LokiException.failed("the demo's rollback did not restore what it should have; please report this");
            }
            return ExitCode.OK;
        }
    }
}
