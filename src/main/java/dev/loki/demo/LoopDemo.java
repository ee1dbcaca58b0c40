package dev.loki.demo;

import dev.loki.provider.CommandProvider;
import dev.loki.provider.EnvReader;
import dev.loki.run.RunHooks;
import dev.loki.run.RunStarter;
import dev.loki.store.LokiDir;
import dev.loki.git.GitCli;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The main demo: the real {@code loki start} on a bundled spec in a fresh git repository, with
 * a bundled scripted agent as a command provider. Shows iterations, checkpoints, quality gates
 * (a real test run that fails, then passes), the completion council and the end of the run,
 * with no account and no network.
 */
public final class LoopDemo {
    private final Path home;
    private final Map<String, String> env;
    private final PrintStream out;

    /** @param home an empty directory the demo may fill (it keeps it for the user to inspect) */
    public LoopDemo(Path home, Map<String, String> env, PrintStream out) {
        this.home = home;
        this.env = env;
        this.out = out;
    }

    /** The demo's result: the run's outcome and where its project is. */
    public record Result(RunStarter.Outcome outcome, Path project) {
    }

    public Result run(boolean handleSignals) throws IOException, InterruptedException {
        Path project = Files.createDirectories(home.resolve("calc"));
        Path agent = Files.createDirectories(home.resolve("agent")).resolve("scripted-agent.sh");
        copyResource("scripted-agent.sh", agent);
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
        copyResource("example-prd.md", project.resolve("PRD.md"));
        Files.writeString(project.resolve("README.md"), "# calc\n\nLoki demo project.\n");

        Map<String, String> demoEnv = new HashMap<>(env);
        demoEnv.putAll(identity());
        GitCli git = GitCli.in(project, demoEnv);
        git.run("init", "-q");
        git.run("add", "-A");
        git.run("-c", "commit.gpgsign=false", "commit", "-q", "-m", "calc: spec and readme");

        out.println("Loki demo: the autonomous loop on a bundled spec, with a scripted agent (no account, no network).");
        out.println("  project:  " + project);
        out.println("  spec:     " + project.resolve("PRD.md"));
        out.println("  agent:    " + agent + " (a bash script standing in for claude/codex)");
        out.println("  expect:   3 iterations; the tests fail after iteration 2 (a bug), the agent fixes it in 3,");
        out.println("            claims completion, the council votes, the run ends. Every iteration is checkpointed.");
        out.println();

        Map<String, String> overrides = new HashMap<>(identity());
        overrides.put("LOKI_TEST_CMD", "bash test.sh");
        overrides.put("LOKI_MAX_ITERATIONS", "6");
        overrides.put("LOKI_MAX_RETRIES", "3");
        overrides.put("LOKI_BASE_WAIT", "1");
        overrides.put("LOKI_COUNCIL_ENABLED", "true");
        overrides.put("LOKI_DASHBOARD", "false");
        overrides.put("LOKI_SHOW_AGENT_OUTPUT", "true");
        List<String> cleared = List.of("LOKI_DIR", "LOKI_PROVIDER", "LOKI_GATES", "LOKI_COUNCIL", "LOKI_BUDGET_LIMIT",
                "LOKI_PRD_FILE", "LOKI_CHECKPOINTS");
        Map<String, String> base = new HashMap<>(env);
        cleared.forEach(base::remove);
        LokiDir dir = LokiDir.locate(Optional.empty(), base, project);
        CommandProvider provider = new CommandProvider(new EnvReader(base), List.of(agent.toString()));
        RunStarter.Outcome o = new RunStarter(dir, base, project, out).start(new RunStarter.Request(
                Optional.of(project.resolve("PRD.md")), Optional.empty(), Optional.of(provider), overrides, false,
                handleSignals, RunHooks.standard(overrides)));
        summary(o, project);
        return new Result(o, project);
    }

    private void summary(RunStarter.Outcome o, Path project) {
        out.println();
        out.println("== Result: " + o.result().status() + " after " + o.result().iterations() + " iterations ("
                + o.result().reason() + ")");
        List<String> ids = o.run().checkpointIds();
        out.println("== Checkpoints of run " + o.run().runId() + ": " + String.join(", ", ids));
        out.println("== Look around (the demo project is kept):");
        out.println("     " + dev.loki.Quote.command("cd", project.toString()));
        out.println("     loki status                # the run's final state");
        out.println("     loki checkpoint list       # one checkpoint per iteration, plus the run start");
        if (ids.size() > 2) {
            out.println("     loki rollback to " + ids.get(2) + "   # back to the buggy iteration 2 (undoable)");
        }
        out.println("     cat .loki/CONTINUITY.md    # the agent's working memory");
        out.println("     ls .loki/quality .loki/council");
        out.println("   Remove it with: " + dev.loki.Quote.command("rm", "-rf", home.toString()));
    }

    private static Map<String, String> identity() {
        return Map.of("GIT_AUTHOR_NAME", "Loki Demo", "GIT_AUTHOR_EMAIL", "demo@localhost",
                "GIT_COMMITTER_NAME", "Loki Demo", "GIT_COMMITTER_EMAIL", "demo@localhost");
    }

    private static void copyResource(String name, Path to) throws IOException {
        try (InputStream in = LoopDemo.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("demo resource " + name + " is missing from the jar");
            }
            Files.copy(in, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
