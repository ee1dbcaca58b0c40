package dev.loki.provider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Starts one provider process: argument list, working directory, environment, stdin from a
 * file or /dev/null, stdout and stderr merged into a capture file. A timeout or a cancel
 * request kills the whole process tree (TERM, then KILL after a grace period), because agent
 * CLIs spawn shells, test runners and servers that would otherwise outlive the iteration.
 */
public final class ProcessRunner {
    private static final Duration GRACE = Duration.ofSeconds(2);
    private static final long POLL_MS = 50;

    private ProcessRunner() {
    }

    /**
     * Runs to completion, timeout or cancellation. {@code cancel} is polled while the process
     * runs; {@code onStart} receives the process (for Ctrl+C handling).
     */
    public static ProcessOutcome run(Invocation inv, Path workDir, Map<String, String> baseEnv, Path capture,
            Duration timeout, BooleanSupplier cancel, java.util.function.Consumer<Process> onStart) throws IOException {
        Files.createDirectories(capture.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(resolve(inv.argv(), baseEnv)).directory(workDir.toFile());
        pb.environment().clear();
        pb.environment().putAll(baseEnv);
        pb.environment().putAll(inv.env());
        pb.redirectErrorStream(true);
        pb.redirectOutput(capture.toFile());
        pb.redirectInput(inv.stdin().map(Path::toFile).map(ProcessBuilder.Redirect::from)
                .orElse(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))));
        long start = System.nanoTime();
        Process p = pb.start();
        onStart.accept(p);
        long deadline = start + timeout.toNanos();
        boolean timedOut = false;
        boolean cancelled = false;
        try {
            while (!p.waitFor(POLL_MS, TimeUnit.MILLISECONDS)) {
                if (System.nanoTime() > deadline) {
                    timedOut = true;
                    break;
                }
                if (cancel.getAsBoolean()) {
                    cancelled = true;
                    break;
                }
            }
        } catch (InterruptedException e) {
            cancelled = true;
            Thread.currentThread().interrupt();
        }
        if (timedOut || cancelled) {
            killTree(p.toHandle());
        }
        int exit;
        try {
            exit = p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killTree(p.toHandle());
            exit = -1;
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (timedOut) {
            exit = ProcessOutcome.TIMEOUT_EXIT;
        } else if (cancelled) {
            exit = ProcessOutcome.CANCELLED_EXIT;
        }
        return new ProcessOutcome(exit, timedOut, cancelled, ms, capture);
    }

    /**
     * Kills a process and every descendant: the tree is listed first (a dead parent's children
     * are re-parented and no longer found), TERM to all, then KILL to any still alive.
     */
    public static void killTree(ProcessHandle root) {
        List<ProcessHandle> all = new ArrayList<>();
        root.descendants().forEach(all::add);
        all.add(root);
        all.forEach(ProcessHandle::destroy);
        long until = System.nanoTime() + GRACE.toNanos();
        for (ProcessHandle h : all) {
            long left = until - System.nanoTime();
            if (left > 0) {
                try {
                    h.onExit().get(left, TimeUnit.NANOSECONDS);
                } catch (Exception e) {
                    // still alive after the grace period: killed below
                }
            }
        }
        // children started during the grace period are found again
        root.descendants().forEach(ProcessHandle::destroyForcibly);
        all.forEach(ProcessHandle::destroyForcibly);
    }

    /** The first element resolved on the PATH of the given environment (not the JVM's own). */
    private static List<String> resolve(List<String> argv, Map<String, String> env) {
        List<String> out = new ArrayList<>(argv);
        Executables.find(argv.get(0), env).ifPresent(p -> out.set(0, p.toString()));
        return out;
    }
}
