package dev.loki.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reproduction 5 of issue 8: a rollback whose process died half-way is reported by the next
 * command, shown by status, and completed by {@code rollback to <target>} (or undone); a
 * rollback never races a writer that is still alive; a rollback under a merge, rebase,
 * cherry-pick, revert or bisect is refused unless forced.
 */
class RollbackJournalTest {
    private static final List<String> FILES = List.of("a.txt", "b.txt", "c.txt", "d.txt");

    @TempDir
    Path tmp;

    TestRepo repo;

    @BeforeEach
    void setUp() {
        repo = TestRepo.create(tmp);
        FILES.forEach(f -> repo.write(f, "A " + f + "\n"));
        repo.commitAll("base");
    }

    private Path journal() {
        return repo.path(".git/loki/journal/rollback.json");
    }

    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor(10, TimeUnit.SECONDS);
        return p.pid();
    }

    private void writeJournal(String target, String pre, String phase, long pid, String start) throws Exception {
        Files.createDirectories(journal().getParent());
        Files.writeString(journal(), """
                {"target": "%s", "pre_rollback": "%s", "phase": "%s", "pid": "%d", "pid_start": "%s",
                 "started_at": "2026-12-06T01:00:00Z", "error": ""}
                """.formatted(target, pre, phase, pid, start));
    }

    private static long lines(String text, String needle) {
        return Arrays.stream(text.split("\n")).filter(l -> l.contains(needle)).count();
    }

    @Test
    void an_interrupted_rollback_is_reported_by_every_command_and_completed_or_undone() throws Exception {
        String a = Loki.checkpoint(repo, "A");
        FILES.forEach(f -> repo.write(f, "B " + f + "\n"));
        repo.write("new.txt", "created after A\n");
        String b = Loki.checkpoint(repo, "B");
        // a rollback to A killed half-way: its pre-rollback checkpoint holds B, two files are A again
        repo.write("a.txt", "A a.txt\n");
        repo.write("b.txt", "A b.txt\n");
        writeJournal(a, b, "restoring", deadPid(), "-");

        Loki.Result list = Loki.run(repo, "checkpoint", "list");
        assertThat(list.exit()).isZero();
        assertThat(lines(list.err(), "was interrupted")).as(list.toString()).isEqualTo(1);
        assertThat(list.err()).contains("loki rollback to " + a).contains("loki rollback to " + b);

        Loki.Result status = Loki.run(repo, "status");
        assertThat(status.out()).contains("Rollback:").contains("was interrupted");
        JsonNode st = Loki.run(repo, "status", "--json").json().path("rollback_in_progress");
        assertThat(st.path("target").asText()).isEqualTo(a);
        assertThat(st.path("pre_rollback").asText()).isEqualTo(b);
        assertThat(st.path("interrupted").asBoolean()).isTrue();
        assertThat(st.path("undo_command").asText()).isEqualTo("loki rollback to " + b);
        String events = Files.readString(repo.path(".loki/events.jsonl"));
        assertThat(lines(events, "checkpoint.rollback_interrupted")).as("recorded once").isEqualTo(1);

        Loki.Result done = Loki.run(repo, "rollback", "to", a);
        assertThat(done.exit()).as(done.toString()).isZero();
        assertThat(done.out()).contains("Completing the interrupted rollback to " + a);
        FILES.forEach(f -> assertThat(repo.read(f)).isEqualTo("A " + f + "\n"));
        assertThat(repo.exists("new.txt")).isFalse();
        assertThat(journal()).doesNotExist();
        try (var s = Files.list(repo.path(".git/loki/checkpoints"))) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("rb-pre-")))
                    .as("the journal's pre-rollback checkpoint is reused, not a snapshot of the half state").isEmpty();
        }
        Loki.Result after = Loki.run(repo, "checkpoint", "list");
        assertThat(after.err()).doesNotContain("interrupted");
        events = Files.readString(repo.path(".loki/events.jsonl"));
        assertThat(events).contains("checkpoint.rollback_started").contains("checkpoint.rollback_finished");

        Loki.Result undo = Loki.run(repo, "rollback", "to", b);
        assertThat(undo.exit()).as(undo.toString()).isZero();
        FILES.forEach(f -> assertThat(repo.read(f)).isEqualTo("B " + f + "\n"));
        assertThat(repo.read("new.txt")).isEqualTo("created after A\n");
    }

    /**
     * The lines an interrupted rollback prints ("Complete it with: loki rollback to <target>, or
     * undo it with: loki rollback to <pre>") stay true while checkpoints are taken meanwhile:
     * retention keeps both checkpoints the journal names, beyond the newest N.
     */
    @Test
    void retention_keeps_both_checkpoints_an_interrupted_rollback_names() throws Exception {
        java.util.Map<String, String> env = new java.util.HashMap<>(repo.env());
        env.put("LOKI_CHECKPOINT_RETENTION", "2");
        String a = Loki.checkpoint(repo, "A");
        FILES.forEach(f -> repo.write(f, "B " + f + "\n"));
        String b = Loki.checkpoint(repo, "B");
        repo.write("a.txt", "A a.txt\n"); // killed half-way
        writeJournal(a, b, "restoring", deadPid(), "-");
        for (int i = 0; i < 3; i++) {
            Loki.Result more = Loki.run(repo.dir(), env, "checkpoint", "create", "meanwhile " + i);
            assertThat(more.exit()).as(more.toString()).isZero();
        }
        Loki.Result done = Loki.run(repo.dir(), env, "rollback", "to", a);
        assertThat(done.exit()).as(done.toString()).isZero();
        assertThat(done.out()).contains("Completing the interrupted rollback to " + a);
        FILES.forEach(f -> assertThat(repo.read(f)).isEqualTo("A " + f + "\n"));
        Loki.Result undo = Loki.run(repo.dir(), env, "rollback", "to", b);
        assertThat(undo.exit()).as(undo.toString()).isZero();
        FILES.forEach(f -> assertThat(repo.read(f)).isEqualTo("B " + f + "\n"));
    }

    @Test
    void a_rollback_that_failed_and_could_not_put_things_back_is_reported_and_its_printed_command_restores()
            throws Exception {
        String a = Loki.checkpoint(repo, "A");
        FILES.forEach(f -> repo.write(f, "B " + f + "\n"));
        String b = Loki.checkpoint(repo, "B");
        repo.write("a.txt", "A a.txt\n"); // half written before a write failed, and the revert failed too
        writeJournal(a, b, "failed", deadPid(), "-");

        Loki.Result status = Loki.run(repo, "status");
        String line = status.err().lines().filter(l -> l.contains("could not put everything back")).findFirst()
                .orElseThrow(() -> new AssertionError(status.toString()));
        assertThat(line).contains("Once what stopped the writes is mended");
        String printed = line.replaceAll(".*restore the state from before it with: (.*)$", "$1");
        assertThat(printed).isEqualTo("loki rollback to " + b + " --force");

        Loki.Result done = Loki.run(repo, printed.substring("loki ".length()).split(" "));
        assertThat(done.exit()).as(done.toString()).isZero();
        FILES.forEach(f -> assertThat(repo.read(f)).isEqualTo("B " + f + "\n"));
        assertThat(journal()).doesNotExist();
        assertThat(Loki.run(repo, "status").err()).doesNotContain("could not put everything back");
    }

    @Test
    void no_run_starts_on_a_half_restored_tree() throws Exception {
        String a = Loki.checkpoint(repo, "A");
        FILES.forEach(f -> repo.write(f, "B " + f + "\n"));
        String b = Loki.checkpoint(repo, "B");
        repo.write("a.txt", "A a.txt\n");
        writeJournal(a, b, "restoring", deadPid(), "-");
        repo.write("PRD.md", "# Spec\n\nWrite ran.txt.\n");
        Path agent = tmp.resolve("agent.sh");
        Files.writeString(agent, "#!/bin/sh\ncat >/dev/null\necho ran > ran.txt\necho done\n");
        agent.toFile().setExecutable(true);
        java.util.Map<String, String> env = new java.util.HashMap<>(repo.env());
        env.put("LOKI_PROVIDER", "command");
        env.put("LOKI_PROVIDER_CMD", agent.toString());
        env.put("LOKI_DASHBOARD", "false");

        Loki.Result start = Loki.run(repo.dir(), env, "start", "PRD.md", "--max-iterations", "1");
        assertThat(start.exit()).as(start.toString()).isEqualTo(1);
        assertThat(start.err()).contains("Nothing started: a rollback to " + a + " is unfinished")
                .contains("loki rollback to " + a).contains("undo it with: loki rollback to " + b);
        assertThat(repo.exists("ran.txt")).as("the agent never ran").isFalse();
        assertThat(repo.read("b.txt")).as("the half-restored tree is left for the rollback").isEqualTo("B b.txt\n");

        assertThat(Loki.run(repo, "rollback", "to", a).exit()).isZero();
        Loki.Result again = Loki.run(repo.dir(), env, "start", "PRD.md", "--max-iterations", "1");
        assertThat(again.err()).doesNotContain("Nothing started");
        assertThat(repo.exists("ran.txt")).isTrue();
    }

    @Test
    void a_rollback_killed_before_it_changed_a_file_says_so_and_runs_again_from_the_start() throws Exception {
        String a = Loki.checkpoint(repo, "A");
        FILES.forEach(f -> repo.write(f, "B " + f + "\n"));
        writeJournal(a, "", "saving", deadPid(), "-");
        Loki.Result status = Loki.run(repo, "status");
        assertThat(status.err()).contains("before it changed any file").contains("loki rollback to " + a);
        Loki.Result done = Loki.run(repo, "rollback", "to", a);
        assertThat(done.exit()).as(done.toString()).isZero();
        FILES.forEach(f -> assertThat(repo.read(f)).isEqualTo("A " + f + "\n"));
        assertThat(journal()).doesNotExist();
        String pre = done.out().replaceAll("(?s).*Undo this rollback with: loki rollback to (\\S+).*", "$1");
        assertThat(Loki.run(repo, "rollback", "to", pre).exit()).isZero();
        FILES.forEach(f -> assertThat(repo.read(f)).isEqualTo("B " + f + "\n"));
    }

    @Test
    void a_rollback_never_runs_beside_a_writer_that_is_still_alive() throws Exception {
        String a = Loki.checkpoint(repo, "A");
        FILES.forEach(f -> repo.write(f, "B " + f + "\n"));
        Process writer = new ProcessBuilder("sleep", "60").start();
        try {
            String start = writer.info().startInstant().map(Object::toString).orElse("-");
            writeJournal(a, "", "restoring", writer.pid(), start);
            Loki.Result r = Loki.run(repo, "rollback", "to", a);
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("still running (pid " + writer.pid() + ")");
            assertThat(lines(r.err(), "Error:")).isEqualTo(1);
            FILES.forEach(f -> assertThat(repo.read(f)).isEqualTo("B " + f + "\n"));
            assertThat(Loki.run(repo, "status").err()).contains("is in progress");
        } finally {
            writer.destroyForcibly();
            writer.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(writer.isAlive()).isFalse();
        Loki.Result r = Loki.run(repo, "rollback", "to", a);
        assertThat(r.exit()).as(r.toString()).isZero();
        FILES.forEach(f -> assertThat(repo.read(f)).isEqualTo("A " + f + "\n"));
    }

    @Test
    void a_rollback_during_a_merge_rebase_cherry_pick_revert_or_bisect_is_refused_unless_forced() throws Exception {
        String a = Loki.checkpoint(repo, "A");
        repo.git("checkout", "-q", "-b", "topic");
        repo.write("topic.txt", "topic\n");
        repo.commitAll("topic");
        repo.git("checkout", "-q", "main");
        repo.write("a.txt", "main edit\n");
        repo.commitAll("main edit");
        repo.git("merge", "--no-commit", "--no-ff", "-q", "topic");
        assertThat(repo.path(".git/MERGE_HEAD")).exists();

        Loki.Result r = Loki.run(repo, "rollback", "to", a);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("in the middle of a merge").contains("--force");
        assertThat(lines(r.err(), "Error:")).isEqualTo(1);
        assertThat(repo.read("a.txt")).isEqualTo("main edit\n");
        assertThat(repo.exists("topic.txt")).isTrue();

        Loki.Result forced = Loki.run(repo, "rollback", "to", a, "--force");
        assertThat(forced.exit()).as(forced.toString()).isZero();
        assertThat(repo.read("a.txt")).isEqualTo("A a.txt\n");
        assertThat(repo.path(".git/MERGE_HEAD")).as("git's own merge state is left alone").exists();
        repo.git("merge", "--abort");

        for (String marker : List.of("CHERRY_PICK_HEAD", "REVERT_HEAD", "BISECT_LOG", "rebase-merge/")) {
            Path p = repo.path(".git/" + marker);
            if (marker.endsWith("/")) {
                Files.createDirectories(p);
            } else {
                Files.writeString(p, repo.head() + "\n");
            }
            Loki.Result refused = Loki.run(repo, "rollback", "to", a);
            assertThat(refused.exit()).as(marker).isEqualTo(1);
            assertThat(refused.err()).contains("in the middle of a");
            dev.loki.store.FileTrees.delete(p);
        }
    }

    /** A stopped 'git am' keeps its state in rebase-apply as a rebase does; it is named as what it is. */
    @Test
    void a_rollback_during_a_stopped_git_am_names_it_and_how_to_end_it() throws Exception {
        String a = Loki.checkpoint(repo, "A");
        repo.write("a.txt", "patched\n");
        repo.commitAll("patch");
        Path patch = tmp.resolve("p.patch");
        Files.writeString(patch, repo.git("format-patch", "-1", "--stdout"));
        repo.git("reset", "-q", "--hard", "HEAD~1");
        repo.write("a.txt", "conflicting\n");
        repo.commitAll("conflict");
        Loki.Result am = Loki.run(repo, "rollback", "to", a, "--dry-run"); // (no operation yet: no note)
        assertThat(am.out()).doesNotContain("middle of");
        ProcessBuilder pb = new ProcessBuilder("git", "am", "-q", patch.toString()).directory(repo.dir().toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        pb.environment().putAll(repo.env());
        Process git = pb.start();
        assertThat(git.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(git.exitValue()).as("git am stops on the conflict").isNotZero();
        assertThat(repo.path(".git/rebase-apply/applying")).exists();

        Loki.Result r = Loki.run(repo, "rollback", "to", a);
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("in the middle of a 'git am' (finish it, or 'git am --abort')")
                .doesNotContain("rebase");
    }

    @Test
    void nested_repositories_are_named_as_left_alone() {
        repo.write("vendor/lib/x.txt", "nested\n");
        repo.git("-C", "vendor/lib", "init", "-q");
        String a = Loki.checkpoint(repo, "A");
        repo.write("a.txt", "changed\n");
        Loki.Result r = Loki.run(repo, "rollback", "to", a);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Left as they are").contains("vendor/lib");
    }

    @Test
    void status_json_has_no_rollback_when_none_is_pending() throws Exception {
        Loki.checkpoint(repo, "A");
        JsonNode st = Json.parse(Loki.run(repo, "status", "--json").out());
        assertThat(st.path("rollback_in_progress").isNull()).isTrue();
    }
}
