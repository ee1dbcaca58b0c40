package dev.loki.checkpoint;

import dev.loki.process.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What must be checked before a rollback writes: a git operation in progress in the user's
 * repository (a rollback under a merge or rebase mixes two half states), and processes left
 * writing into the work tree by a killed rollback or checkpoint (their git children outlive
 * the JVM and would race the restore).
 */
final class RollbackGuards {
    private static final Duration GRACE = Duration.ofSeconds(2);

    private RollbackGuards() {
    }

    /** The git operation in progress in the repository with this git directory, if any. */
    static Optional<String> operationInProgress(Path gitDir) {
        if (Files.exists(gitDir.resolve("rebase-apply").resolve("applying"))) {
            // git am keeps its state in rebase-apply too; 'git rebase --abort' would not end it
            return Optional.of("a 'git am' (finish it, or 'git am --abort')");
        }
        if (Files.isDirectory(gitDir.resolve("rebase-merge")) || Files.isDirectory(gitDir.resolve("rebase-apply"))) {
            return Optional.of("a rebase (finish it, or 'git rebase --abort')");
        }
        if (Files.exists(gitDir.resolve("MERGE_HEAD"))) {
            return Optional.of("a merge (finish it, or 'git merge --abort')");
        }
        if (Files.exists(gitDir.resolve("CHERRY_PICK_HEAD"))) {
            return Optional.of("a cherry-pick (finish it, or 'git cherry-pick --abort')");
        }
        if (Files.exists(gitDir.resolve("REVERT_HEAD"))) {
            return Optional.of("a revert (finish it, or 'git revert --abort')");
        }
        if (Files.exists(gitDir.resolve("BISECT_LOG"))) {
            return Optional.of("a bisect (end it with 'git bisect reset')");
        }
        return Optional.empty();
    }

    /**
     * Git processes that run against {@code storeDir} (seen in their environment as
     * {@code GIT_DIR}) and whose loki has ended: leftovers of a killed loki, possibly still
     * writing. A process is loki's only when its environment names its owner
     * ({@link Processes#OWNER}, set by the one runner on every child and inherited by the
     * child's own children); it is a leftover only when that owner is gone or its pid now names
     * another process. What the process tree looks like (setsid forking, reparenting to a
     * subreaper) does not matter, and a git the user runs against the store is never touched.
     * Linux only (reads /proc); elsewhere none are found.
     */
    static List<ProcessHandle> strayWriters(Path storeDir) {
        List<ProcessHandle> out = new ArrayList<>();
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc)) {
            return out;
        }
        String gitDir = storeDir.toAbsolutePath().normalize().toString();
        long self = ProcessHandle.current().pid();
        ProcessHandle.allProcesses().forEach(h -> {
            String cmd = h.info().command().orElse("");
            if (h.pid() == self || !cmd.endsWith("/git") && !cmd.contains("/git-core/")) {
                return;
            }
            try {
                byte[] env = Files.readAllBytes(proc.resolve(Long.toString(h.pid())).resolve("environ"));
                if (!value(env, "GIT_DIR").filter(gitDir::equals).isPresent()) {
                    return;
                }
                Optional<String> owner = value(env, Processes.OWNER);
                if (owner.isPresent() && Processes.ownerGone(owner.get())) {
                    out.add(h);
                }
            } catch (IOException | SecurityException e) {
                // gone, or not ours to read
            }
        });
        return out;
    }

    /** Ends the processes (TERM, then KILL after a grace period); returns how many there were. */
    static int end(List<ProcessHandle> procs) {
        for (ProcessHandle h : procs) {
            h.destroy();
        }
        for (ProcessHandle h : procs) {
            try {
                h.onExit().get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
                try {
                    h.onExit().get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e2) {
                    // reported by the caller's count; a process that survives KILL is beyond us
                }
            }
        }
        return procs.size();
    }

    /** The value of {@code name} in a NUL-separated environment block, if it is set. */
    private static Optional<String> value(byte[] env, String name) {
        byte[] key = (name + "=").getBytes(StandardCharsets.UTF_8);
        int start = 0;
        for (int i = 0; i <= env.length; i++) {
            if (i == env.length || env[i] == 0) {
                if (i - start >= key.length && java.util.Arrays.equals(env, start, start + key.length, key, 0, key.length)) {
                    return Optional.of(new String(env, start + key.length, i - start - key.length, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return Optional.empty();
    }
}
