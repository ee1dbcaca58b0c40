package dev.loki.proof;

import dev.loki.process.Command;
import dev.loki.process.Outcome;
import dev.loki.process.Processes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a tool the proof commands need ({@code gh}, a browser opener): found on the caller's
 * {@code PATH}, started through {@link Processes} with an argument list, bounded by a timeout,
 * output captured in memory up to 4 MiB per stream.
 */
final class ExternalCommand {
    /** How the tool ended; {@code timedOut} means it was killed. */
    record Result(int exit, String out, String err, boolean timedOut) {
        boolean ok() {
            return exit == 0 && !timedOut;
        }
    }

    private static final long MAX_OUTPUT = 4L * 1024 * 1024;

    private ExternalCommand() {
    }

    /** The executable called {@code name} on {@code env}'s PATH. */
    static Optional<Path> find(String name, Map<String, String> env) {
        return Processes.which(name, env);
    }

    static Result run(Path exe, List<String> args, Map<String, String> env, Path cwd, Duration timeout)
            throws IOException {
        return run(command(exe, args, env, cwd, timeout));
    }

    /** A desktop opener: the browser it starts is the user's and is left running. */
    static Result launch(Path exe, List<String> args, Map<String, String> env, Path cwd, Duration timeout)
            throws IOException {
        return run(command(exe, args, env, cwd, timeout).leavingBackground());
    }

    private static Command command(Path exe, List<String> args, Map<String, String> env, Path cwd,
            Duration timeout) {
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.addAll(args);
        return Command.of(cmd, cwd, env).toMemory(MAX_OUTPUT, MAX_OUTPUT).withTimeout(timeout);
    }

    private static Result run(Command c) throws IOException {
        Outcome o = Processes.run(c);
        boolean killed = o.timedOut() || o.cancelled();
        return new Result(killed ? -1 : o.exitCode(), o.out(), o.err(), killed);
    }
}
