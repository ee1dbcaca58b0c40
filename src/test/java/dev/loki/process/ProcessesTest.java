package dev.loki.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loki.testing.Leftovers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The one process runner: groups, leftovers, escapes, timeouts, cancellation, output limits. */
class ProcessesTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final Leftovers.Marker marker = new Leftovers.Marker();

    private Map<String, String> env() {
        return marker.mark(new HashMap<>(System.getenv()));
    }

    private Command bash(String script) {
        return Command.of(List.of("bash", "-c", script), dir, env());
    }

    @Test
    void each_child_gets_its_own_process_group() throws Exception {
        Outcome o = Processes.run(bash("ps -o pgid= -p $$; ps -o pgid= -p $PPID"));
        List<String> ids = o.out().lines().map(String::strip).toList();
        assertThat(o.exitCode()).as(o.err()).isZero();
        assertThat(Processes.groupsSupported()).isTrue();
        assertThat(ids).hasSize(2);
        assertThat(ids.get(0)).as("the child leads a group that is not loki's").isNotEqualTo(ids.get(1));
    }

    @Test
    void background_children_left_in_the_group_are_killed_when_the_call_ends() throws Exception {
        Path pid = dir.resolve("bg.pid");
        Outcome o = Processes.run(bash("nohup sleep 300 >/dev/null 2>&1 & echo $! > " + pid + "; echo done"));

        assertThat(o.ok()).isTrue();
        assertThat(o.out()).contains("done");
        long bg = Long.parseLong(Files.readString(pid).strip());
        // named by pid: caught before nohup exec'd sleep, the same process is still called nohup
        assertThat(o.leftovers()).anySatisfy(l -> assertThat(l).startsWith("pid " + bg + " ("));
        assertThat(ProcessHandle.of(bg).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(marker.carrying()).isEmpty();
    }

    @Test
    void a_child_that_left_the_group_is_named_and_killed() throws Exception {
        Outcome o = Processes.run(bash("setsid sleep 301 >/dev/null 2>&1 & sleep 1.2; echo parent done"));

        assertThat(o.out()).contains("parent done");
        assertThat(o.escaped()).anySatisfy(l -> assertThat(l).contains("sleep 301"));
        assertThat(marker.carrying()).isEmpty();
    }

    /**
     * A background job that calls setsid a moment after its parent exits is listed as a leftover
     * while still in the group, and has left the group by the time the group is killed. The
     * outcome says it was killed, so it must be: by its handle, not by the group it had left.
     * The delays spread the jobs over the window between the listing and the kill.
     */
    @Test
    void every_process_named_as_a_leftover_is_dead_afterwards() throws Exception {
        StringBuilder script = new StringBuilder();
        for (String d : List.of("0", "0.002", "0.005", "0.01", "0.02", "0.03", "0.05", "0.08", "0.12", "0.2")) {
            script.append("(sleep ").append(d).append("; exec setsid sleep 302) & ");
        }
        // one that leaves the group with a child of its own: the child goes too
        script.append("(sleep 0.01; exec setsid bash -c 'sleep 303; :') & ");
        script.append("echo parent done");
        List<String> named = new java.util.ArrayList<>();
        for (int round = 0; round < 3; round++) {
            Outcome o = Processes.run(bash(script.toString()));
            assertThat(o.out()).contains("parent done");
            named.addAll(o.leftovers());
            named.addAll(o.escaped());
        }
        List<Long> alive = named.stream().map(l -> Long.parseLong(l.substring(4, l.indexOf(' ', 4))))
                .filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).toList();
        assertThat(named).as("the jobs were seen").isNotEmpty();
        assertThat(alive).as("named as killed but still running: " + marker.carrying()).isEmpty();
        assertThat(marker.carrying()).noneMatch(l -> l.contains("sleep 303"));
    }

    /**
     * A child that answers the TERM of a kill by starting a process in a session of its own and
     * exiting: the new process is nobody's descendant and in no group loki knows, but it still
     * carries the child's tag, and goes too.
     */
    @Test
    void a_process_started_in_answer_to_the_kill_does_not_outlive_it() throws Exception {
        Outcome o = Processes.run(bash("trap 'setsid sleep 304 >/dev/null 2>&1 & exit 0' TERM; sleep 100 & wait")
                .withTimeout(Duration.ofMillis(700)));
        assertThat(o.timedOut()).isTrue();
        Thread.sleep(200); // had it escaped, the setsid'd sleep would be running by now
        assertThat(marker.carrying()).noneMatch(l -> l.contains("sleep 304"));
        assertThat(marker.carrying()).isEmpty();
    }

    @Test
    void a_timeout_kills_the_whole_tree() throws Exception {
        Outcome o = Processes.run(bash("sleep 300 & sleep 300 & wait").withTimeout(Duration.ofMillis(500)));

        assertThat(o.timedOut()).isTrue();
        assertThat(o.ok()).isFalse();
        assertThat(marker.carrying()).isEmpty();
    }

    @Test
    void a_child_that_ignores_term_is_killed_after_the_grace() throws Exception {
        Outcome o = Processes.run(bash("trap '' TERM; sleep 300 & trap '' TERM; wait")
                .withTimeout(Duration.ofMillis(300)));

        assertThat(o.timedOut()).isTrue();
        assertThat(marker.carrying()).isEmpty();
    }

    @Test
    void cancelling_the_scope_kills_its_children_and_refuses_new_ones_but_lets_plumbing_run() throws Exception {
        Path started = dir.resolve("started");
        try (ProcessScope scope = ProcessScope.open("test")) {
            // a thread of its own, which inherits the scope: a pooled thread made before it was opened
            // (another test's) does not, and the child would not be the scope's (CI saw live() == 0)
            CompletableFuture<Outcome> running = CompletableFuture.supplyAsync(() -> {
                try {
                    return Processes.run(bash("touch " + started + "; sleep 300 & sleep 300"));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, task -> new Thread(task, "scope-test").start());
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            // the child may touch the file before the runner has registered it: wait for both
            while ((!Files.exists(started) || scope.live() == 0) && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(scope.live()).isEqualTo(1);
            scope.cancel("test stop");
            Outcome o = running.get(20, TimeUnit.SECONDS);

            assertThat(o.cancelled()).isTrue();
            assertThat(marker.carrying()).isEmpty();
            assertThat(Processes.run(bash("echo never")).cancelled()).isTrue();
            Outcome plumbing = Processes.run(bash("echo still").notCancellable());
            assertThat(plumbing.out()).isEqualTo("still\n");
        }
    }

    /**
     * Git plumbing asked on a pooled thread (RepoInfo, the snapshot's listing, the rollback's
     * object check) belongs to the caller's scope: a pooled thread made before the scope was
     * opened inherits nothing, so its children escaped a stop until they ended by themselves.
     */
    @Test
    void a_task_carried_to_a_thread_made_before_the_scope_starts_its_children_in_that_scope() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            pool.submit(() -> { }).get(); // its one thread exists before the scope
            try (ProcessScope scope = ProcessScope.open("carried")) {
                CompletableFuture<Outcome> running = CompletableFuture.supplyAsync(ProcessScope.carrying(() -> {
                    try {
                        return Processes.run(bash("sleep 300"));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }), pool);
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (scope.live() == 0 && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                assertThat(scope.live()).as("the child is the scope's").isEqualTo(1);
                scope.cancel("test stop");
                assertThat(running.get(20, TimeUnit.SECONDS).cancelled()).isTrue();
                assertThat(marker.carrying()).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void memory_capture_is_bounded_and_says_it_was_cut() throws Exception {
        Outcome o = Processes.run(bash("head -c 100000 /dev/zero; echo err >&2").toMemory(1000, 10));

        assertThat(o.stdout()).hasSize(1000);
        assertThat(o.err()).isEqualTo("err\n");
        assertThat(o.outputCut()).isTrue();
    }

    @Test
    void a_child_writing_past_its_file_limit_is_killed() throws Exception {
        Path log = dir.resolve("out.log");
        Outcome o = Processes.run(bash("cat /dev/zero").toFile(log, 64 * 1024));

        assertThat(o.outputCut()).isTrue();
        assertThat(o.ok()).isFalse();
        assertThat(marker.carrying()).isEmpty();
    }

    @Test
    void a_missing_program_is_an_error_naming_it() {
        assertThatThrownBy(() -> Processes.run(Command.of(List.of("no-such-tool-xyz"), dir, env())))
                .isInstanceOf(IOException.class).hasMessageContaining("no-such-tool-xyz");
    }

    @Test
    void stdin_bytes_reach_the_child() throws Exception {
        Outcome o = Processes.run(Command.of(List.of("cat"), dir, env()).withStdin("hello".getBytes()));
        assertThat(o.out()).isEqualTo("hello");
    }

    /** What a caller quotes of a detached child that ended at once: its log's last line, read from the end only. */
    @Test
    void last_line_of_a_log_is_its_last_non_blank_line_cut_to_length() throws Exception {
        Path log = dir.resolve("child.log");
        assertThat(Processes.lastLine(log, 300)).isEqualTo("(no log)");
        java.nio.file.Files.writeString(log, "");
        assertThat(Processes.lastLine(log, 300)).isEqualTo("(no output)");
        java.nio.file.Files.writeString(log, "x".repeat(100_000) + "\nfirst\n  Error: the real reason  \n\n \n");
        assertThat(Processes.lastLine(log, 300)).isEqualTo("Error: the real reason");
        assertThat(Processes.lastLine(log, 5)).isEqualTo("Error");
        java.nio.file.Files.writeString(log, "y".repeat(40_000) + "\n");
        assertThat(Processes.lastLine(log, Integer.MAX_VALUE)).as("a line longer than what is read: its end")
                .hasSize(16 * 1024 - 1).matches("y+");
    }

    /**
     * Every child learns which loki started it (replacing an owner inherited from another loki),
     * so that a later loki can tell a leftover of a killed one from a live one's child. A
     * detached child outlives us by design and is told no owner.
     */
    @Test
    void every_child_is_told_its_owner_and_a_detached_one_is_not() throws Exception {
        String self = Processes.identity(ProcessHandle.current()).orElseThrow();
        Map<String, String> e = env();
        e.put(Processes.OWNER, "1@1");
        Outcome o = Processes.run(Command.of(List.of("bash", "-c", "echo \"$LOKI_OWNER\""), dir, e));
        assertThat(o.out().strip()).isEqualTo(self);

        Path log = dir.resolve("detached.log");
        Process d = Processes.startDetached(List.of("bash", "-c", "echo \"owner=[${LOKI_OWNER-unset}]\""), dir, e, log);
        assertThat(d.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(log)).contains("owner=[unset]");
    }

    @Test
    void an_owner_is_gone_when_its_process_ended_or_its_pid_names_another_process() throws Exception {
        String self = Processes.identity(ProcessHandle.current()).orElseThrow();
        assertThat(self).startsWith(ProcessHandle.current().pid() + "@");
        assertThat(Processes.identity(ProcessHandle.current())).contains(self);
        assertThat(Processes.ownerGone(self)).isFalse();
        assertThat(Processes.ownerGone(ProcessHandle.current().pid() + "@1")).as("the pid now names another process")
                .isTrue();
        assertThat(Processes.ownerGone("not an identity")).isFalse();

        Process p = new ProcessBuilder("sleep", "60").start();
        String id = Processes.identity(p.toHandle()).orElseThrow();
        assertThat(id).isNotEqualTo(self);
        assertThat(Processes.ownerGone(id)).isFalse();
        p.destroyForcibly();
        p.waitFor();
        assertThat(Processes.ownerGone(id)).isTrue();
    }

    /**
     * The launcher runs loki's JVM under C.UTF-8 when the user's locale is not UTF-8 (Java reads
     * no non-ASCII file name otherwise); the programs loki starts get the user's LC_ALL back,
     * set or unset, unless the caller chose one (git runs under C).
     */
    @Test
    void children_get_the_user_s_locale_back_from_the_launcher_s_utf8_one() throws Exception {
        String show = "echo \"[${LC_ALL-unset}] [${LOKI_USER_LC_ALL-none}]\"";
        Map<String, String> e = env();
        e.put("LC_ALL", "C.UTF-8");
        e.put(Processes.USER_LC_ALL, "unset");
        assertThat(Processes.run(Command.of(List.of("bash", "-c", show), dir, e)).out().strip())
                .isEqualTo("[unset] [none]");
        e.put(Processes.USER_LC_ALL, "set:POSIX");
        assertThat(Processes.run(Command.of(List.of("bash", "-c", show), dir, e)).out().strip())
                .isEqualTo("[POSIX] [none]");
        e.put("LC_ALL", "C");
        assertThat(Processes.run(Command.of(List.of("bash", "-c", show), dir, e)).out().strip())
                .as("chosen by the caller").isEqualTo("[C] [none]");
    }
}
