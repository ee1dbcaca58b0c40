package dev.loki.checkpoint;

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
     * {@code GIT_DIR}) and whose parent is not a live JVM: children of a killed loki, still
     * writing. Linux only (reads /proc); elsewhere none are found.
     */
    static List<ProcessHandle> strayWriters(Path storeDir) {
        List<ProcessHandle> out = new ArrayList<>();
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc)) {
            return out;
        }
        byte[] needle = ("GIT_DIR=" + storeDir.toAbsolutePath().normalize()).getBytes(StandardCharsets.UTF_8);
        long self = ProcessHandle.current().pid();
        ProcessHandle.allProcesses().forEach(h -> {
            if (descendsFrom(h, self)) {
                return; // ours: a git child of this process (through setsid when it forked)
            }
            // a child of a live JVM (or of the setsid between them) belongs to a loki that is still
            // running: not a stray
            Optional<ProcessHandle> up = h.parent();
            for (int i = 0; i < 2 && up.isPresent(); i++, up = up.flatMap(ProcessHandle::parent)) {
                String c = up.get().info().command().orElse("");
                if (up.get().isAlive() && c.contains("java")) {
                    return;
                }
                if (!c.endsWith("/setsid")) {
                    break;
                }
            }
            String cmd = h.info().command().orElse("");
            if (!cmd.endsWith("/git") && !cmd.contains("/git-core/")) {
                return;
            }
            try {
                byte[] env = Files.readAllBytes(proc.resolve(Long.toString(h.pid())).resolve("environ"));
                if (containsEntry(env, needle)) {
                    out.add(h);
                }
            } catch (IOException | SecurityException e) {
                // gone, or not ours to read
            }
        });
        return out;
    }

    /** Whether {@code h} is {@code pid} or a child or grandchild of it. */
    private static boolean descendsFrom(ProcessHandle h, long pid) {
        Optional<ProcessHandle> p = Optional.of(h);
        for (int up = 0; up < 3 && p.isPresent(); up++) {
            if (p.get().pid() == pid) {
                return true;
            }
            p = p.get().parent();
        }
        return false;
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

    /** Whether a NUL-separated environment block holds exactly this {@code NAME=value} entry. */
    private static boolean containsEntry(byte[] env, byte[] entry) {
        int start = 0;
        for (int i = 0; i <= env.length; i++) {
            if (i == env.length || env[i] == 0) {
                if (i - start == entry.length) {
                    boolean eq = true;
                    for (int k = 0; k < entry.length; k++) {
                        if (env[start + k] != entry[k]) {
                            eq = false;
                            break;
                        }
                    }
                    if (eq) {
                        return true;
                    }
                }
                start = i + 1;
            }
        }
        return false;
    }
}
