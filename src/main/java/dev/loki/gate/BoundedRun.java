package dev.loki.gate;

import dev.loki.process.Command;
import dev.loki.process.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One external command for a gate through {@link Processes}: an argument list, the project as
 * working directory, stdin from /dev/null, stdout and stderr into a log file, and a timeout
 * after which the whole process tree is killed (a hanging test suite must not hang the loop).
 */
final class BoundedRun {
    /**
     * exitCode is -1 when the command timed out or could not start; {@code outputCut}: loki killed
     * it for writing more than {@link Command#fileLimit} bytes to its log (its exit code is then
     * loki's signal, not its own).
     */
    record Outcome(int exitCode, boolean timedOut, boolean started, String startError, Path log, long durationMs,
            boolean outputCut) {
        boolean ok() {
            return started && !timedOut && !outputCut && exitCode == 0;
        }
    }

    /** "killed by loki: its output passed the N MiB limit (LOKI_MAX_OUTPUT_MB; log: NAME)". */
    static String cutNote(Path log, Map<String, String> env) {
        String note = Command.outputCutNote(env);
        return note.substring(0, note.length() - 1) + "; log: " + log.getFileName() + ")";
    }

    private BoundedRun() {
    }

    static Outcome run(List<String> command, Path workDir, Map<String, String> env, Duration timeout, Path log) {
        long start = System.nanoTime();
        dev.loki.process.Outcome o;
        try {
            o = Processes.run(Command.of(command, workDir, env).toFile(log, Command.fileLimit(env)).withTimeout(timeout));
        } catch (IOException e) {
            return new Outcome(-1, false, false, e.getMessage(), log, millisSince(start), false);
        }
        if (o.cancelled()) {
            return new Outcome(-1, false, false, "cancelled: the run is stopping", log, millisSince(start), false);
        }
        return new Outcome(o.timedOut() ? -1 : o.exitCode(), o.timedOut(), true, "", log, millisSince(start),
                o.outputCut() && !o.timedOut());
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
        return Processes.which(name, env);
    }
}
