package dev.loki.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.process.Processes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a rollback ends as a stray writer of a killed loki, and what it leaves alone. A git
 * running against the store is a stray exactly when the loki that started it (named in its
 * environment) is gone; the shape of the process tree (setsid forking, reparenting) decides
 * nothing, so each case is tried in every shape.
 */
class RollbackGuardsTest {
    @TempDir
    Path tmp;

    /** How the git is started: as our child, under a shell, under a forked setsid, or orphaned. */
    enum Shape {
        CHILD("git cat-file --batch"),
        UNDER_A_SHELL("bash -c 'git cat-file --batch; exit 0'"),
        UNDER_SETSID("setsid --fork --wait git cat-file --batch"),
        // setsid's forked child runs git and setsid ends: git is reparented; the shell stays to hold git's stdin open
        ORPHANED("bash -c 'setsid --fork git cat-file --batch; exec sleep 600'");

        final String command;

        Shape(String command) {
            this.command = command;
        }
    }

    @Test
    void a_git_whose_loki_was_killed_is_a_stray_in_every_shape_and_is_ended() throws Exception {
        Process owner = new ProcessBuilder("sleep", "60").start();
        String dead = Processes.identity(owner.toHandle()).orElseThrow();
        owner.destroyForcibly();
        owner.waitFor();
        for (Shape shape : Shape.values()) {
            Path store = store(shape + "-dead");
            try (Running git = start(store, dead, shape)) {
                assertThat(RollbackGuards.strayWriters(store)).as(shape.name()).extracting(ProcessHandle::pid)
                        .containsExactly(git.pid());
                assertThat(RollbackGuards.end(RollbackGuards.strayWriters(store))).isEqualTo(1);
                assertThat(git.handle().isAlive()).as(shape + ": ended").isFalse();
            }
        }
    }

    /** The owner's pid is alive but names another process now: the owner is gone all the same. */
    @Test
    void a_git_whose_owner_pid_was_reused_is_a_stray() throws Exception {
        Path store = store("reused");
        String reused = ProcessHandle.current().pid() + "@1";
        try (Running git = start(store, reused, Shape.CHILD)) {
            assertThat(RollbackGuards.strayWriters(store)).extracting(ProcessHandle::pid).containsExactly(git.pid());
        }
    }

    /**
     * A git of a live loki is not a stray, however it hangs off its owner: the rollback's own
     * missing-objects check runs as a grandchild through a forked setsid, and another loki's
     * (a detached dashboard's) may have been reparented.
     */
    @Test
    void a_git_of_a_live_loki_is_never_a_stray_whatever_the_tree() throws Exception {
        String live = Processes.identity(ProcessHandle.current()).orElseThrow();
        for (Shape shape : Shape.values()) {
            Path store = store(shape + "-live");
            try (Running git = start(store, live, shape)) {
                assertThat(RollbackGuards.strayWriters(store)).as(shape.name()).isEmpty();
            }
        }
    }

    /** A git the user runs against the store names no owner: never ours to end, even orphaned. */
    @Test
    void a_git_without_an_owner_is_never_a_stray() throws Exception {
        for (Shape shape : Shape.values()) {
            Path store = store(shape + "-none");
            try (Running git = start(store, null, shape)) {
                assertThat(RollbackGuards.strayWriters(store)).as(shape.name()).isEmpty();
            }
        }
    }

    private Path store(String name) throws Exception {
        Path store = Files.createDirectories(tmp.resolve(name));
        assertThat(new ProcessBuilder("git", "init", "-q", "--bare", store.toString()).start().waitFor()).isZero();
        return store;
    }

    /** A git process reading its stdin (held open by this test) with the store as its GIT_DIR. */
    private record Running(Process starter, ProcessHandle handle) implements AutoCloseable {
        long pid() {
            return handle.pid();
        }

        @Override
        public void close() throws Exception {
            starter.getOutputStream().close(); // git's stdin ends: it exits
            try {
                handle.onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                handle.destroyForcibly();
            }
            starter.destroyForcibly();
            starter.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Running start(Path store, String owner, Shape shape) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "exec " + shape.command);
        pb.environment().put("GIT_DIR", store.toString());
        if (owner == null) {
            pb.environment().remove(Processes.OWNER);
        } else {
            pb.environment().put(Processes.OWNER, owner);
        }
        Process starter = pb.redirectErrorStream(true).start();
        byte[] entry = ("GIT_DIR=" + store).getBytes(StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            List<ProcessHandle> gits = ProcessHandle.allProcesses()
                    .filter(h -> h.info().command().orElse("").endsWith("/git"))
                    .filter(h -> environHas(h, entry)).toList();
            if (!gits.isEmpty()) {
                assertThat(gits).as("one git on " + store).hasSize(1);
                return new Running(starter, gits.get(0));
            }
            Thread.sleep(20);
        }
        starter.destroyForcibly();
        throw new AssertionError("the git of " + shape + " did not start");
    }

    private static boolean environHas(ProcessHandle h, byte[] entry) {
        try {
            byte[] env = Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "environ"));
            String all = new String(env, StandardCharsets.UTF_8);
            return List.of(all.split("\0")).contains(new String(entry, StandardCharsets.UTF_8));
        } catch (Exception e) {
            return false;
        }
    }
}
