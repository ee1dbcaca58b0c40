package dev.loki.proof;

import java.io.File;
import java.io.IOException;
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
 * Runs a tool the proof commands need ({@code gh}, a browser opener): found on the caller's
 * {@code PATH}, started with an argument list, bounded by a timeout, output captured to files.
 */
final class ExternalCommand {
    /** How the tool ended; {@code timedOut} means it was killed. */
    record Result(int exit, String out, String err, boolean timedOut) {
        boolean ok() {
            return exit == 0 && !timedOut;
        }
    }

    private ExternalCommand() {
    }

    /** The executable called {@code name} on {@code env}'s PATH. */
    static Optional<Path> find(String name, Map<String, String> env) {
        String path = env.getOrDefault("PATH", "");
        for (String d : path.split(File.pathSeparator)) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d).resolve(name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    static Result run(Path exe, List<String> args, Map<String, String> env, Path cwd, Duration timeout)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.addAll(args);
        Path out = Files.createTempFile("loki-cmd-", ".out");
        Path err = Files.createTempFile("loki-cmd-", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().clear();
            pb.environment().putAll(env);
            Process p = pb.start();
            boolean done;
            try {
                done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                done = false;
            }
            if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            return new Result(done ? p.exitValue() : -1,
                    new String(Files.readAllBytes(out), StandardCharsets.UTF_8),
                    new String(Files.readAllBytes(err), StandardCharsets.UTF_8), !done);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
