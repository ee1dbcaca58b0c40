package dev.loki.cli;

import dev.loki.store.FileTrees;
import dev.loki.ExitCode;
import dev.loki.git.GitCli;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code loki __warmup}: the training run for the launcher's class-data archive. It runs the
 * everyday commands once in a throwaway repository, so the archive holds the classes they load
 * (JSON parsing, time formatting, git process handling), not just those of an empty
 * {@code --version}. Hidden: only bin/loki calls it.
 */
@Command(name = "__warmup", hidden = true, mixinStandardHelpOptions = true, description = "Train the start-up archive (used by bin/loki).")
public final class WarmupCommand extends BaseCommand {
    private static final List<List<String>> WORKLOAD = List.of(
            List.of("--version"),
            List.of("--help"),
            List.of("checkpoint", "create", "warm-up"),
            List.of("checkpoint", "list"),
            List.of("checkpoint", "list", "--json"),
            List.of("rollback", "latest", "--dry-run"),
            List.of("rollback", "show", "latest-missing"),
            List.of("nosuchcommand"));

    WarmupCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() throws IOException {
        Path dir = Files.createTempDirectory("loki-warmup-");
        try {
            Map<String, String> env = new HashMap<>(ctx.env());
            env.remove("LOKI_DIR");
            env.put("GIT_CONFIG_NOSYSTEM", "1");
            GitCli git = GitCli.in(dir, env);
            git.run("init", "-q");
            Files.writeString(dir.resolve("README.md"), "warm-up\n");
            git.run("-c", "user.name=loki", "-c", "user.email=loki@localhost", "add", "-A");
            git.run("-c", "user.name=loki", "-c", "user.email=loki@localhost", "commit", "-q", "-m", "warm-up");
            Files.writeString(dir.resolve("work.txt"), "uncommitted\n");
            PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
            for (List<String> args : WORKLOAD) {
                Main.run(new ByteArrayInputStream(new byte[0]), nowhere, nowhere, env, dir, args.toArray(String[]::new));
            }
        } finally {
            FileTrees.delete(dir);
        }
        return ExitCode.OK;
    }
}
