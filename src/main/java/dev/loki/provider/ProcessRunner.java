package dev.loki.provider;

import dev.loki.process.Command;
import dev.loki.process.Outcome;
import dev.loki.process.Processes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A provider {@link Invocation} as a {@link Command}: argument list, working directory,
 * environment, stdin from a file or /dev/null, stdout and stderr merged into a capture file.
 * Agent CLIs spawn shells, test runners and servers; {@link Processes} kills all of them on
 * timeout, on cancellation and when the call ends.
 */
public final class ProcessRunner {
    private ProcessRunner() {
    }

    /** Runs to completion, timeout or cancellation ({@code cancel} is polled while it runs). */
    public static ProcessOutcome run(Invocation inv, Path workDir, Map<String, String> baseEnv, Path capture,
            Duration timeout, BooleanSupplier cancel) throws IOException {
        Map<String, String> env = new HashMap<>(baseEnv);
        env.putAll(inv.env());
        Command cmd = Command.of(resolve(inv.argv(), env), workDir, env).toFile(capture, Command.fileLimit(env))
                .withTimeout(timeout)
                .cancelWhen(cancel);
        if (inv.stdin().isPresent()) {
            cmd = cmd.withStdinFile(inv.stdin().get());
        }
        Outcome o = Processes.run(cmd);
        int exit = o.timedOut() ? ProcessOutcome.TIMEOUT_EXIT : o.cancelled() ? ProcessOutcome.CANCELLED_EXIT
                : o.exitCode();
        List<String> left = new ArrayList<>(o.leftovers());
        o.escaped().forEach(e -> left.add(e + " [left its process group]"));
        return new ProcessOutcome(exit, o.timedOut(), o.cancelled(), o.durationMs(), capture, left,
                o.outputCut() && !o.timedOut() && !o.cancelled());
    }

    /** The first element resolved on the PATH of the given environment (not the JVM's own). */
    private static List<String> resolve(List<String> argv, Map<String, String> env) {
        List<String> out = new ArrayList<>(argv);
        Executables.find(argv.get(0), env).ifPresent(p -> out.set(0, p.toString()));
        return out;
    }
}
