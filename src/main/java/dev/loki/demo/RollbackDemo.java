package dev.loki.demo;

import dev.loki.checkpoint.Checkpoint;
import dev.loki.checkpoint.CheckpointRequest;
import dev.loki.checkpoint.CheckpointService;
import dev.loki.checkpoint.RollbackOptions;
import dev.loki.checkpoint.RollbackResult;
import dev.loki.git.GitCli;
import dev.loki.git.TreeChange;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A scripted walk-through of checkpoints and rollback in a throwaway repository: an "agent"
 * edits, deletes and creates files over two iterations, breaks things in a third, and the
 * user rolls back and then undoes the rollback. Every step runs the real code.
 */
public final class RollbackDemo {
    private final Path repo;
    private final Map<String, String> env;
    private final PrintStream out;
    private final CheckpointService checkpoints;

    public RollbackDemo(Path repo, Map<String, String> env, PrintStream out) {
        this.repo = repo;
        this.env = env;
        this.out = out;
        this.checkpoints = CheckpointService.open(LokiDir.locate(Optional.empty(), env, repo), env);
    }

    /** Runs the walk-through; returns true when every check along the way held. */
    public boolean run() throws IOException {
        GitCli git = GitCli.in(repo, env);
        git.run("init", "-q");
        write("calc.py", "def add(a, b):\n    return a + b\n");
        write("README.md", "# calc\nA tiny calculator.\n");
        git.run("add", "-A");
        git.run("-c", "user.name=Loki Demo", "-c", "user.email=demo@localhost", "-c", "commit.gpgsign=false",
                "commit", "-q", "-m", "calc: add");
        write("notes.txt", "uncommitted notes the user is still writing\n");
        step("A project with one commit and an untracked notes.txt (never committed)", "calc.py", "README.md",
                "notes.txt");

        Checkpoint first = checkpoints.create(CheckpointRequest.iteration(1, "iteration-1", "iteration 1 complete",
                "demo-agent"));
        out.println("   checkpoint " + first.id() + ": " + first.snapshot().status()
                + " (tracked AND untracked files, in .git/loki/store where rm -rf .loki cannot reach, never in your branch, index or refs)");

        write("calc.py", "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n");
        write("test_calc.py", "from calc import add, sub\n\nassert add(2, 3) == 5\nassert sub(5, 3) == 2\n");
        Checkpoint second = checkpoints.create(CheckpointRequest.iteration(2, "iteration-2", "iteration 2 complete",
                "demo-agent"));
        step("Iteration 2: the agent adds sub() and a test -> checkpoint " + second.id(), "calc.py", "test_calc.py");

        write("calc.py", "def add(a, b):\n    return a * b  # 'optimised'\n");
        Files.delete(repo.resolve("notes.txt"));
        Files.delete(repo.resolve("test_calc.py"));
        write("scratch/tmp_output.txt", "junk the agent left behind\n");
        step("Iteration 3 goes wrong: add() broken, your notes.txt and the test deleted, junk created",
                "calc.py", "notes.txt", "test_calc.py", "scratch/tmp_output.txt");

        RollbackResult preview = checkpoints.rollback(second.id(), new RollbackOptions(false, false, true));
        out.println();
        out.println("== loki rollback diff " + second.id());
        printChanges(preview);

        RollbackResult back = checkpoints.rollback(second.id(), RollbackOptions.defaults());
        out.println();
        out.println("== loki rollback to " + second.id());
        printChanges(back);
        out.println("   Undo this rollback with: " + back.undoCommand().orElse("?"));
        step("After the rollback", "calc.py", "notes.txt", "test_calc.py", "scratch/tmp_output.txt");
        boolean ok = read("calc.py").contains("a + b") && read("notes.txt").startsWith("uncommitted")
                && Files.exists(repo.resolve("test_calc.py")) && !Files.exists(repo.resolve("scratch"));

        RollbackResult undo = checkpoints.rollback(back.preRollbackId().orElseThrow(), RollbackOptions.defaults());
        out.println();
        out.println("== " + back.undoCommand().orElseThrow() + "   (changed your mind? undo the rollback)");
        printChanges(undo);
        step("After undoing the rollback: exactly the state before it", "calc.py", "notes.txt",
                "scratch/tmp_output.txt");
        ok &= read("calc.py").contains("a * b") && !Files.exists(repo.resolve("notes.txt"))
                && Files.exists(repo.resolve("scratch/tmp_output.txt"));

        out.println();
        out.println("== loki rollback list");
        for (Checkpoint c : checkpoints.list()) {
            out.printf("   %-26s %-12s %s%n", c.id(), c.kind().label(), c.summary());
        }
        String status = GitCli.in(repo, env).run("status", "--porcelain").out();
        out.println();
        out.println("Your branch, HEAD and index were never touched; `git stash list` is empty: "
                + GitCli.in(repo, env).run("stash", "list").out().isBlank());
        out.println("git status now:");
        status.lines().forEach(l -> out.println("   " + l));
        out.println();
        out.println(ok ? "Demo finished: every step checked out." : "Demo FAILED: a step did not restore as expected.");
        return ok;
    }

    private void printChanges(RollbackResult r) {
        for (TreeChange c : r.codeChanges()) {
            String what = switch (c.status()) {
                case 'A' -> "bring back";
                case 'D' -> "remove    ";
                default -> "revert    ";
            };
            out.println("   " + what + " " + c.path());
        }
    }

    private void step(String title, String... files) throws IOException {
        out.println();
        out.println("== " + title);
        for (String f : files) {
            Path p = repo.resolve(f);
            if (!Files.exists(p)) {
                out.println("   " + f + ": (missing)");
                continue;
            }
            String first = read(f).lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("");
            try (Stream<String> lines = Files.lines(p)) {
                out.println("   " + f + ": " + lines.count() + " line(s), last: " + first.strip());
            }
        }
    }

    private void write(String rel, String text) throws IOException {
        Path p = repo.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    private String read(String rel) throws IOException {
        Path p = repo.resolve(rel);
        return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    }
}
