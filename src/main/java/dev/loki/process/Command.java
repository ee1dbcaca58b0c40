package dev.loki.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * What to run: an argument list (never a shell string), a working directory, the complete
 * environment, where stdin comes from, where the output goes and how much of it is kept, a
 * timeout, and whether a stop of the run may cancel it. Immutable; each {@code with} method
 * returns a copy. Run it with {@link Processes#run(Command)}.
 */
public final class Command {
    /** Where output goes: memory (stdout and stderr apart, or merged), or one file (merged). */
    public enum Sink { MEMORY, MEMORY_MERGED, FILE }

    static final long DEFAULT_MEMORY_LIMIT = 64L * 1024 * 1024;
    static final long DEFAULT_FILE_LIMIT = 256L * 1024 * 1024;

    /** The setting that bounds the log of a provider call or a gate command, in MiB (default 256). */
    public static final String OUTPUT_LIMIT_VAR = "LOKI_MAX_OUTPUT_MB";

    /**
     * How many bytes a provider call or gate command may write to its log before it is killed:
     * {@code LOKI_MAX_OUTPUT_MB} MiB, 256 when unset or not a positive whole number.
     */
    public static long fileLimit(Map<String, String> env) {
        try {
            long mb = Long.parseLong(env.getOrDefault(OUTPUT_LIMIT_VAR, "").strip());
            return mb > 0 && mb < (1L << 40) ? mb << 20 : DEFAULT_FILE_LIMIT;
        } catch (NumberFormatException e) {
            return DEFAULT_FILE_LIMIT;
        }
    }

    /** "killed by loki: its output passed the N MiB limit (LOKI_MAX_OUTPUT_MB)". */
    public static String outputCutNote(Map<String, String> env) {
        return "killed by loki: its output passed the " + (fileLimit(env) >> 20) + " MiB limit (" + OUTPUT_LIMIT_VAR
                + ")";
    }

    private final List<String> argv;
    private final Path dir;
    private final Map<String, String> env;
    private final Optional<byte[]> stdinBytes;
    private final Optional<Path> stdinFile;
    private final Sink sink;
    private final Optional<Path> outputFile;
    private final long stdoutLimit;
    private final long stderrLimit;
    private final Duration timeout;
    private final BooleanSupplier cancel;
    private final boolean cancellable;
    private final boolean keepBackground;

    private Command(List<String> argv, Path dir, Map<String, String> env, Optional<byte[]> stdinBytes,
            Optional<Path> stdinFile, Sink sink, Optional<Path> outputFile, long stdoutLimit, long stderrLimit,
            Duration timeout, BooleanSupplier cancel, boolean cancellable, boolean keepBackground) {
        this.keepBackground = keepBackground;
        this.argv = argv;
        this.dir = dir;
        this.env = env;
        this.stdinBytes = stdinBytes;
        this.stdinFile = stdinFile;
        this.sink = sink;
        this.outputFile = outputFile;
        this.stdoutLimit = stdoutLimit;
        this.stderrLimit = stderrLimit;
        this.timeout = timeout;
        this.cancel = cancel;
        this.cancellable = cancellable;
    }

    /** {@code argv} in {@code dir} with {@code env} as its whole environment; 10 minutes, output to memory. */
    public static Command of(List<String> argv, Path dir, Map<String, String> env) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        return new Command(List.copyOf(argv), dir, Map.copyOf(env), Optional.empty(), Optional.empty(), Sink.MEMORY,
                Optional.empty(), DEFAULT_MEMORY_LIMIT, DEFAULT_MEMORY_LIMIT, Duration.ofMinutes(10), () -> false,
                true, false);
    }

    public Command withStdin(byte[] bytes) {
        return new Command(argv, dir, env, Optional.ofNullable(bytes), Optional.empty(), sink, outputFile, stdoutLimit,
                stderrLimit, timeout, cancel, cancellable, keepBackground);
    }

    public Command withStdinFile(Path file) {
        return new Command(argv, dir, env, Optional.empty(), Optional.of(file), sink, outputFile, stdoutLimit,
                stderrLimit, timeout, cancel, cancellable, keepBackground);
    }

    /** stdout and stderr kept in memory, each up to its limit (what is beyond is dropped and flagged). */
    public Command toMemory(long stdoutLimit, long stderrLimit) {
        return new Command(argv, dir, env, stdinBytes, stdinFile, Sink.MEMORY, Optional.empty(), stdoutLimit,
                stderrLimit, timeout, cancel, cancellable, keepBackground);
    }

    /** stdout and stderr merged in memory, up to {@code limit} bytes. */
    public Command toMemoryMerged(long limit) {
        return new Command(argv, dir, env, stdinBytes, stdinFile, Sink.MEMORY_MERGED, Optional.empty(), limit, 0,
                timeout, cancel, cancellable, keepBackground);
    }

    /** stdout and stderr merged into {@code file}; a child that writes more than {@code limit} bytes is killed. */
    public Command toFile(Path file, long limit) {
        return new Command(argv, dir, env, stdinBytes, stdinFile, Sink.FILE, Optional.of(file), limit, 0, timeout,
                cancel, cancellable, keepBackground);
    }

    public Command toFile(Path file) {
        return toFile(file, DEFAULT_FILE_LIMIT);
    }

    public Command withTimeout(Duration t) {
        return new Command(argv, dir, env, stdinBytes, stdinFile, sink, outputFile, stdoutLimit, stderrLimit,
                Objects.requireNonNull(t), cancel, cancellable, keepBackground);
    }

    /** Polled while the child runs; true ends it (the outcome says cancelled). */
    public Command cancelWhen(BooleanSupplier c) {
        return new Command(argv, dir, env, stdinBytes, stdinFile, sink, outputFile, stdoutLimit, stderrLimit, timeout,
                Objects.requireNonNull(c), cancellable, keepBackground);
    }

    /**
     * Short plumbing (git) that a stop of the run lets finish, so a checkpoint taken while the
     * stop arrives is whole; it is still bounded by its timeout and killed at shutdown.
     */
    public Command notCancellable() {
        return new Command(argv, dir, env, stdinBytes, stdinFile, sink, outputFile, stdoutLimit, stderrLimit, timeout,
                cancel, false, keepBackground);
    }

    /**
     * The one exception to "kill what is left when the call ends": a desktop opener
     * ({@code xdg-open}) whose whole job is to start the user's browser, which is the user's, not
     * ours. A timeout or a cancellation still kills the tree.
     */
    public Command leavingBackground() {
        return new Command(argv, dir, env, stdinBytes, stdinFile, sink, outputFile, stdoutLimit, stderrLimit,
                timeout, cancel, cancellable, true);
    }

    boolean keepBackground() {
        return keepBackground;
    }

    public List<String> argv() {
        return argv;
    }

    public Path dir() {
        return dir;
    }

    public Map<String, String> env() {
        return env;
    }

    Optional<byte[]> stdinBytes() {
        return stdinBytes;
    }

    Optional<Path> stdinFile() {
        return stdinFile;
    }

    Sink sink() {
        return sink;
    }

    Optional<Path> outputFile() {
        return outputFile;
    }

    long stdoutLimit() {
        return stdoutLimit;
    }

    long stderrLimit() {
        return stderrLimit;
    }

    public Duration timeout() {
        return timeout;
    }

    BooleanSupplier cancel() {
        return cancel;
    }

    boolean cancellable() {
        return cancellable;
    }

    /** The program's name for messages. */
    public String name() {
        String a = argv.get(0);
        return a.substring(a.lastIndexOf('/') + 1);
    }
}
