package dev.loki.work;

import dev.loki.LokiException;
import dev.loki.process.Command;
import dev.loki.process.JavaChild;
import dev.loki.process.Outcome;
import dev.loki.process.Processes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one place {@code work/} starts a process that is not git (git goes through GitCli): the
 * GitHub CLI and child {@code loki start} runs. Argument lists only, the executable resolved on
 * the PATH of the given environment, a timeout that kills the whole tree. Kept in one small
 * class so it can move onto the shared process package without touching its callers.
 */
final class WorkProcesses {
    private static final int MAX_OUTPUT = 4 * 1024 * 1024;

    private WorkProcesses() {
    }

    /** A finished call: exit code, stdout, stderr. */
    record Result(int exit, String out, String err) {
        boolean ok() {
            return exit == 0;
        }

        String firstErrorLine() {
            String text = err.isBlank() ? out : err;
            return text.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("exit " + exit);
        }
    }

    /** Runs a command to completion; empty when its executable is not on the PATH. */
    static Optional<Result> run(List<String> argv, Path dir, Map<String, String> env, Duration timeout)
            throws IOException {
        if (Processes.which(argv.get(0), env).isEmpty() && !argv.get(0).contains("/")) {
            return Optional.empty();
        }
        Outcome o = Processes.run(Command.of(argv, dir, env).toMemory(MAX_OUTPUT, MAX_OUTPUT).withTimeout(timeout));
        if (o.timedOut()) {
            throw LokiException.failed(argv.get(0) + " did not answer within " + timeout.toSeconds() + " s");
        }
        if (o.cancelled()) {
            throw new IOException(argv.get(0) + " was interrupted");
        }
        return Optional.of(new Result(o.exitCode(), o.out(), o.err()));
    }

    /** Starts a child loki with this JVM and class path; its output goes to {@code log}. */
    static Process startLoki(List<String> args, Path dir, Map<String, String> env, Path log) throws IOException {
        List<String> cmd = JavaChild.command(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"), "dev.loki.cli.Main",
                args);
        return Processes.startDetached(cmd, dir, env, log);
    }

    /** Ends a child started by {@link #startLoki} and everything it started. */
    static void killTree(ProcessHandle h) {
        Processes.killTree(h);
    }
}
