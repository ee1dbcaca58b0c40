package dev.loki.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line's contract: help everywhere, one-line errors, the exit-code table. */
class CliTest {
    @TempDir
    Path tmp;

    @Test
    void version_and_help() {
        Map<String, String> env = TestRepo.isolatedEnv(tmp);
        Loki.Result v = Loki.run(tmp, env, "--version");
        assertThat(v.exit()).isZero();
        assertThat(v.out()).startsWith("loki ").doesNotContain("unknown");
        Loki.Result h = Loki.run(tmp, env, "--help");
        assertThat(h.exit()).isZero();
        assertThat(h.out()).contains("Usage: loki", "checkpoint", "rollback", "demo");
    }

    /**
     * Every command's help (the root's too, once each): exits 0, and says each sentence once
     * without breaking a word at a dot (see {@link HelpAndDirectoryTest#assertSaysEachThingOnce}).
     */
    @Test
    void every_command_has_help_that_exits_zero() {
        Map<String, String> env = TestRepo.isolatedEnv(tmp);
        CliContext ctx = new CliContext(System.in, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()), env, tmp);
        List<List<String>> paths = new ArrayList<>();
        paths.add(List.of());
        collect(Main.commandLine(ctx), new ArrayList<>(), paths);
        assertThat(paths).hasSizeGreaterThan(10);
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            Loki.Result r = Loki.run(tmp, env, args.toArray(String[]::new));
            assertThat(r.exit()).as(String.join(" ", args) + "\n" + r).isZero();
            assertThat(r.out()).as(String.join(" ", args)).contains("Usage: loki");
            HelpAndDirectoryTest.assertSaysEachThingOnce(args, r.out());
        }
    }

    /** Every command path below {@code cl}, aliases skipped. */
    static void collect(CommandLine cl, List<String> prefix, List<List<String>> out) {
        for (var e : cl.getSubcommands().entrySet()) {
            if (!e.getKey().equals(e.getValue().getCommandName())) {
                continue; // an alias: same command
            }
            List<String> path = new ArrayList<>(prefix);
            path.add(e.getKey());
            out.add(path);
            collect(e.getValue(), path, out);
        }
    }

    @Test
    void unknown_commands_and_bad_flags_are_one_line_usage_errors() {
        Map<String, String> env = TestRepo.isolatedEnv(tmp);
        for (String[] args : new String[][] {{"frobnicate"}, {"rollback", "frobnicate"}, {"checkpoint", "frobnicate"},
                {"checkpoint", "list", "--bogus"}, {"rollback", "to"}, {"checkpoint", "list", "--limit", "x"}}) {
            Loki.Result r = Loki.run(tmp, env, args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().strip().lines().count()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(1);
            assertThat(r.err()).startsWith("Error: ");
            assertThat(r.out()).isEmpty();
        }
        assertThat(Loki.run(tmp, env, "rollback", "frobnicate").err()).contains("Unknown rollback command");
        assertThat(Loki.run(tmp, env, "checkpoint", "frobnicate").err()).contains("Unknown checkpoint command");
    }

    @Test
    void read_commands_without_a_project_exit_1_with_a_hint() {
        Map<String, String> env = TestRepo.isolatedEnv(tmp);
        Loki.Result r = Loki.run(tmp, env, "rollback", "latest");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("No .loki directory found", "--loki-dir");
        Loki.Result list = Loki.run(tmp, env, "checkpoint", "list");
        assertThat(list.exit()).isZero();
        assertThat(list.out()).contains("No checkpoints found");
    }

    @Test
    void loki_dir_flag_beats_the_environment_which_beats_the_work_tree() {
        TestRepo repo = TestRepo.create(tmp);
        Map<String, String> env = repo.env();
        env.put("LOKI_DIR", tmp.resolve("from-env").toString());
        Loki.run(repo.dir(), env, "checkpoint", "create", "env");
        assertThat(tmp.resolve("from-env/state/checkpoints/index.jsonl")).exists();
        Loki.run(repo.dir(), env, "--loki-dir", tmp.resolve("from-flag").toString(), "checkpoint", "create", "flag");
        assertThat(tmp.resolve("from-flag/state/checkpoints/index.jsonl")).exists();
        repo.write("sub/file.txt", "x\n");
        // started outside the repository: only a -C that is honoured finds it
        Loki.Result sub = Loki.run(tmp, repo.env(), "-C", "repo/sub", "checkpoint", "create", "sub");
        assertThat(sub.exit()).as(sub.toString()).isZero();
        assertThat(repo.path(".loki/state/checkpoints/index.jsonl")).as("work tree root, not cwd").exists();
        assertThat(repo.path("sub/.loki")).as("work tree root, not the -C directory").doesNotExist();
        assertThat(tmp.resolve(".loki")).as("the -C directory, not where loki started").doesNotExist();
    }

    @Test
    void rollback_show_is_checkpoint_show() {
        TestRepo repo = TestRepo.create(tmp);
        Loki.Result created = Loki.run(repo, "checkpoint", "create", "--json", "shown");
        assertThat(created.exit()).as(created.toString()).isZero();
        String id = created.json().path("id").asText();
        for (String[] flags : new String[][] {{}, {"--json"}}) {
            Loki.Result cp = Loki.run(repo, concat(new String[] {"checkpoint", "show", id}, flags));
            Loki.Result rb = Loki.run(repo, concat(new String[] {"rollback", "show", id}, flags));
            assertThat(cp.exit()).as(cp.toString()).isZero();
            assertThat(cp.out()).contains(id);
            assertThat(rb.exit()).isZero();
            assertThat(rb.out()).isEqualTo(cp.out());
        }
        Loki.Result missing = Loki.run(repo, "rollback", "show", "cp-nope");
        assertThat(missing.exit()).as(missing.toString()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo(Loki.run(repo, "checkpoint", "show", "cp-nope").err());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void the_rollback_demo_runs_end_to_end() {
        Loki.Result r = Loki.run(tmp, TestRepo.isolatedEnv(tmp), "demo", "rollback");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Undo this rollback with: loki rollback to rb-pre-",
                "Demo finished: every step checked out.");
    }
}
