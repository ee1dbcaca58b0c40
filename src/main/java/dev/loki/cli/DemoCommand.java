package dev.loki.cli;

import dev.loki.ExitCode;
import dev.loki.LokiException;
import dev.loki.demo.RollbackDemo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loki demo}: the built-in example, in a throwaway repository, needing no AI account. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the built-in example in a temporary git repository: checkpoints after each",
            "iteration, a rollback of code and state, and the undo of that rollback.",
            "Needs git; no AI account or network."})
public final class DemoCommand extends BaseCommand {
    @Option(names = "--keep", description = "Keep the temporary repository and print where it is.")
    boolean keep;

    DemoCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() throws IOException {
        Path dir = Files.createTempDirectory("loki-demo-");
        Path repo = Files.createDirectories(dir.resolve("calc"));
        ctx.out().println("Loki demo in " + repo);
        boolean ok;
        try {
            ok = new RollbackDemo(repo, ctx.env(), ctx.out()).run();
        } finally {
            if (keep) {
                ctx.out().println("Kept the demo repository at " + repo);
            } else {
                deleteTree(dir);
            }
        }
        if (!ok) {
            throw LokiException.failed("the demo's rollback did not restore what it should have; please report this");
        }
        return ExitCode.OK;
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
