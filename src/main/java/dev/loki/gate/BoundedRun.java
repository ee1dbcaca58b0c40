package dev.loki.gate;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one external command for a gate: an argument list, the project as working directory,
 * stdin from /dev/null, stdout and stderr into a log file, and a timeout after which the
 * whole process tree is killed (a hanging test suite must not hang the loop).
 */
final class BoundedRun {
    /** exitCode is -1 when the command timed out or could not start. */
    record Outcome(int exitCode, boolean timedOut, boolean started, String startError, Path log, long durationMs) {
        boolean ok() {
            return started && !timedOut && exitCode == 0;
        }
    }

    private BoundedRun() {
    }

    static Outcome run(List<String> command, Path workDir, Map<String, String> env, Duration timeout, Path log) {
        long start = System.nanoTime();
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
        } catch (IOException e) {
            return new Outcome(-1, false, false, "cannot create " + log.getParent() + ": " + e.getMessage(), log, 0);
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Outcome(-1, false, false, e.getMessage(), log, millisSince(start));
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                killTree(p);
                return new Outcome(-1, true, true, "", log, millisSince(start));
            }
            return new Outcome(p.exitValue(), false, true, "", log, millisSince(start));
        } catch (InterruptedException e) {
            killTree(p);
            Thread.currentThread().interrupt();
            return new Outcome(-1, true, true, "interrupted", log, millisSince(start));
        }
    }

    /** Children first: once the parent is gone its children are re-parented and harder to find. */
    private static void killTree(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last {@code maxLines} lines of a log, at most {@code maxChars} characters. */
    static String tail(Path log, int maxLines, int maxChars) {
        try {
            long size = Files.size(log);
            byte[] bytes;
            try (var ch = java.nio.channels.FileChannel.open(log)) {
                long from = Math.max(0, size - 64 * 1024);
                ch.position(from);
                bytes = new byte[(int) (size - from)];
                var buf = java.nio.ByteBuffer.wrap(bytes);
                while (buf.hasRemaining() && ch.read(buf) > 0) {
                    // keep reading
                }
            }
            String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).strip();
            String[] lines = text.split("\r?\n");
            String joined = String.join("\n", java.util.Arrays.asList(lines)
                    .subList(Math.max(0, lines.length - maxLines), lines.length));
            return joined.length() > maxChars ? joined.substring(joined.length() - maxChars) : joined;
        } catch (IOException e) {
            return "";
        }
    }

    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** The executable named {@code name} on the PATH of {@code env}, if any. */
    static java.util.Optional<Path> which(Map<String, String> env, String name) {
        String path = env.getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path c = Path.of(dir, name);
            if (Files.isExecutable(c) && !Files.isDirectory(c)) {
                return java.util.Optional.of(c);
            }
        }
        return java.util.Optional.empty();
    }
}
