package dev.loki.cli;

import dev.loki.ExitCode;
import dev.loki.LokiException;
import dev.loki.git.GitException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The entry point. {@link #run} is the testable seam: it takes its streams, environment and
 * directory, and returns the exit code; only {@link #main} calls {@code System.exit}.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        Path cwd = Path.of("").toAbsolutePath();
        // a checkpoint goes to this repository's daemon when one runs (loki daemon start)
        java.util.OptionalInt served = DaemonClient.forward(args, env, cwd, System.out, System.err);
        System.exit(served.isPresent() ? served.getAsInt() : run(System.in, System.out, System.err, env, cwd, args));
    }

    public static int run(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, Path cwd,
            String... args) {
        CliContext ctx = new CliContext(in, out, err, env, cwd);
        CommandLine cl = commandLine(ctx, args);
        return cl.execute(args);
    }

    /** The full command tree (help, tests). */
    static CommandLine commandLine(CliContext ctx) {
        return commandLine(ctx, new String[0]);
    }

    /**
     * The command tree for these arguments: when they name a subcommand, only that one is
     * registered; otherwise (no command, an unknown one, root help) all of them are, so usage
     * and "unknown command" messages are complete.
     */
    static CommandLine commandLine(CliContext ctx, String[] args) {
        CommandLine cl = new CommandLine(LokiCommand.class, new ContextFactory(ctx));
        Class<?> named = namedSubcommand(args);
        boolean versionOnly = named == null && args.length == 1 && ("--version".equals(args[0]) || "-V".equals(args[0]));
        for (Class<?> sub : LokiCommand.SUBCOMMANDS) {
            if (versionOnly) {
                break;
            }
            if (named == null || named == sub) {
                cl.addSubcommand(sub);
            }
        }
        summarize(cl);
        exitCodes(cl, "start");
        exitCodes(cl, "quick");
        cl.setOut(new java.io.PrintWriter(ctx.out(), true));
        cl.setErr(new java.io.PrintWriter(ctx.err(), true));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ParameterException ex, String[] a) -> usageError(ctx, ex));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> failure(ctx, ex, cmd));
        return cl;
    }

    private static int usageError(CliContext ctx, ParameterException ex) {
        CommandLine cmd = ex.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        String msg = ex.getMessage();
        if (ex instanceof UnmatchedArgumentException u && !cmd.getSubcommands().isEmpty()
                && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
            String sub = cmd.getCommandName();
            msg = "Unknown " + ("loki".equals(sub) ? "" : sub + " ") + "command: '" + u.getUnmatched().get(0) + "'";
        }
        ctx.err().println("Error: " + msg + ". See '" + name + " --help'.");
        return ExitCode.USAGE;
    }

    private static int failure(CliContext ctx, Exception ex, CommandLine cmd) {
        if (ex instanceof LokiException le) {
            ctx.err().println("Error: " + le.getMessage());
            if (ctx.verbose() && le.getCause() != null) {
                le.getCause().printStackTrace(ctx.err());
            }
            return le.exitCode();
        }
        if (ex instanceof GitException ge) {
            ctx.err().println("Error: " + ge.getMessage());
            if (ctx.verbose()) {
                ge.printStackTrace(ctx.err());
            }
            return ExitCode.FAILED;
        }
        ctx.err().println("Internal error: " + ex + (ctx.verbose() ? "" : " (run with --verbose for details)"));
        if (ctx.verbose()) {
            ex.printStackTrace(ctx.err());
        }
        return ExitCode.INTERNAL;
    }

    /**
     * Command lists show a command's first description line; ours wrap mid-sentence, so each
     * command without a header gets its first sentence as one, and the description keeps the
     * rest as one paragraph that picocli wraps (a command's help says each sentence once, and
     * never breaks where the source line happened to end).
     */
    private static void summarize(CommandLine cl) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            var usage = sub.getCommandSpec().usageMessage();
            if (usage.header().length == 0 && usage.description().length > 1) {
                String all = String.join(" ", usage.description()).replaceAll("\\s+", " ").strip();
                int end = all.indexOf(". ");
                usage.header(end > 0 ? all.substring(0, end + 1) : all);
                String rest = end > 0 ? all.substring(end + 1).strip() : "";
                usage.description(rest.isEmpty() ? new String[0] : new String[] {rest});
            }
            summarize(sub);
        }
    }

    /** The run commands list their exit codes (README and docs/loop.md have the same table). */
    private static void exitCodes(CommandLine cl, String name) {
        CommandLine sub = cl.getSubcommands().get(name);
        if (sub == null) {
            return;
        }
        Map<String, String> codes = new java.util.LinkedHashMap<>();
        for (String[] row : dev.loki.run.LoopResult.EXIT_CODES) {
            codes.put(String.format("%3s", row[0]), row[1]);
        }
        var usage = sub.getCommandSpec().usageMessage().exitCodeListHeading("Exit codes:%n").exitCodeList(codes);
        if (usage.footer().length == 0) {
            // picocli ends the exit-code table without a line break
            usage.footer("%nSettings (LOKI_*), providers and the scripted-agent protocol: docs/loop.md.");
        }
    }

    /** The subcommand the first positional argument names (skipping global options' values), if any. */
    private static Class<?> namedSubcommand(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ("--loki-dir".equals(a) || "-C".equals(a)) {
                i++;
                continue;
            }
            if (a.startsWith("-")) {
                continue;
            }
            for (Class<?> sub : LokiCommand.SUBCOMMANDS) {
                Command c = sub.getAnnotation(Command.class);
                if (c.name().equals(a) || java.util.Arrays.asList(c.aliases()).contains(a)) {
                    return sub;
                }
            }
            return null;
        }
        return null;
    }

    /** Creates commands and mixins, handing the context to those that take it. */
    private record ContextFactory(CliContext ctx) implements IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                Constructor<K> c = cls.getDeclaredConstructor(CliContext.class);
                c.setAccessible(true);
                return c.newInstance(ctx);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
        }
    }
}
