package dev.loki.work;

import dev.loki.LokiException;
import dev.loki.provider.Executables;
import dev.loki.provider.ProcessRunner;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

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
        Optional<Path> exe = Executables.find(argv.get(0), env);
        if (exe.isEmpty()) {
            return Optional.empty();
        }
        List<String> cmd = new ArrayList<>(argv);
        cmd.set(0, exe.get().toString());
        Path out = Files.createTempFile("loki-work-out", ".txt");
        Path err = Files.createTempFile("loki-work-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            boolean done;
            try {
                done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ProcessRunner.killTree(p.toHandle());
                throw new IOException(argv.get(0) + " was interrupted");
            }
            if (!done) {
                ProcessRunner.killTree(p.toHandle());
                throw LokiException.failed(argv.get(0) + " did not answer within " + timeout.toSeconds() + " s");
            }
            ProcessRunner.killTree(p.toHandle());
            return Optional.of(new Result(p.exitValue(), read(out), read(err)));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Starts a child loki with this JVM and class path; its output goes to {@code log}. */
    static Process startLoki(List<String> args, Path dir, Map<String, String> env, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        // the launcher's class-data archive (bin/loki) makes a child start as fast as its parent
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-XX:SharedArchiveFile=") || a.startsWith("-XX:AOTCache=") || a.startsWith("-Xlog:cds")
                    || a.startsWith("-Xlog:aot") || a.startsWith("-Xshare:")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.loki.cli.Main"));
        cmd.addAll(args);
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return pb.start();
    }

    private static String read(Path p) throws IOException {
        byte[] b = Files.readAllBytes(p);
        int n = Math.min(b.length, MAX_OUTPUT);
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }
}
