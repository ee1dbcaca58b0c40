package dev.loki.cli;

import dev.loki.work.Finisher;
import dev.loki.work.WorkStart;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParseResult;

/** {@code loki start [spec]}: runs the autonomous loop on a spec until it is verified done. */
@Command(name = "start", mixinStandardHelpOptions = true,
        description = {"Run the autonomous loop on a spec (PRD) until the work is verified done.",
            "Without a spec: PRD.md, prd.md, SPEC.md, ... in the project (as upstream).",
            "Resumes from saved state after a crash or a stop. Ctrl+C pauses at the next checkpoint;",
            "twice within 2 s stops now."})
public final class StartCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "SPEC",
            description = {"The PRD or spec file; or a GitHub issue (#123, owner/repo#123, its URL);",
                "or a plain-text task in quotes."})
    Path spec;

    @Option(names = "--provider", paramLabel = "NAME", description = "claude, codex, cline, aider or command.")
    String provider;

    @Option(names = "--max-iterations", paramLabel = "N", description = "Provider calls at most (LOKI_MAX_ITERATIONS).")
    Integer maxIterations;

    @Option(names = "--budget", paramLabel = "USD", description = "Spend limit in USD (LOKI_BUDGET_LIMIT).")
    String budget;

    @Option(names = "--no-council", description = "Do not convene the completion council.")
    boolean noCouncil;

    @Option(names = "--no-gates", description = "Do not run the quality gates.")
    boolean noGates;

    @Option(names = "--isolation", paramLabel = "MODE",
            description = "worktree: run in a git worktree on branch loki/<issue-or-slug> (default for an issue or"
                    + " --pr); none: in this tree.")
    String isolation;

    @Option(names = "--base", paramLabel = "REF", description = "Where the worktree's branch starts (default: HEAD).")
    String base;

    @Option(names = "--pr", description = "At a verified completion, push the branch and open a pull request (gh).")
    boolean pr;

    @Option(names = "--draft", description = "Open the pull request as a draft.")
    boolean draft;

    @Option(names = "--bg", description = {"Run in the background: start the run detached",
        "(its own session, output appended to", ".loki/logs/start-bg.log), wait until it holds the",
        "project, print its pid and return."})
    boolean background;

    @Option(names = "--keep-dashboard", description = "Keep the dashboard this run starts running after the run ends.")
    boolean keepDashboard;

    StartCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() throws Exception {
        if (background) {
            return startInBackground();
        }
        Map<String, String> overrides = new HashMap<>();
        if (maxIterations != null) {
            if (maxIterations < 1) {
                throw dev.loki.LokiException.badInput("--max-iterations must be at least 1");
            }
            overrides.put("LOKI_MAX_ITERATIONS", maxIterations.toString());
        }
        if (budget != null) {
            if (!budget.matches("^[0-9]+(\\.[0-9]+)?$") || Double.parseDouble(budget) <= 0) {
                throw dev.loki.LokiException.badInput("--budget must be a number of USD more than 0, e.g. 5 or 2.50"
                        + " (leave it out for no limit)");
            }
            overrides.put("LOKI_BUDGET_LIMIT", budget);
        }
        if (noCouncil) {
            overrides.put("LOKI_COUNCIL_ENABLED", "false");
        }
        if (noGates) {
            overrides.put("LOKI_GATES", "false");
        }
        if (keepDashboard) {
            overrides.put("LOKI_KEEP_DASHBOARD", "true");
        }
        Optional<WorkStart.Plan> plan = WorkStart.plan(ctx.env(), ctx.cwd(), ctx.lokiDir(), new WorkStart.Options(
                Optional.ofNullable(spec).map(Path::toString), Optional.ofNullable(isolation),
                Optional.ofNullable(base), pr, draft));
        if (plan.isPresent()) {
            return startPlanned(plan.get(), overrides);
        }
        return RunOutput.run(ctx, Optional.ofNullable(spec), Optional.ofNullable(provider), overrides);
    }

    /**
     * {@code --bg}: the same command without {@code --bg}, detached, in this project (absolute
     * {@code -C} and {@code --loki-dir}); waits until the run holds the project's session lock or
     * the child ends, at most {@link #BG_WAIT}.
     */
    private int startInBackground() throws Exception {
        dev.loki.store.LokiDir loki = ctx.lokiDir();
        Optional<Long> holder = loki.exists() ? dev.loki.store.SessionLock.holder(loki) : Optional.empty();
        if (holder.isPresent()) {
            throw dev.loki.LokiException.failed("A loki run (pid " + holder.get() + ") is already active in this"
                    + " project; follow it with 'loki status', or stop it with 'loki stop'.");
        }
        List<String> args = new ArrayList<>(List.of("-C", ctx.cwd().toAbsolutePath().toString(), "--loki-dir",
                loki.path().toAbsolutePath().toString()));
        if (ctx.verbose()) {
            args.add("--verbose");
        }
        args.add("start");
        ParseResult parsed = super.spec.commandLine().getParseResult();
        for (OptionSpec o : parsed.matchedOptions()) {
            String name = o.longestName();
            if (o.inherited() || GLOBAL.contains(name) || name.equals("--bg")) {
                continue; // given above, or this very flag
            }
            if (o.arity().max() == 0) {
                args.add(name);
            } else {
                for (String v : o.originalStringValues()) {
                    args.add(name);
                    args.add(v);
                }
            }
        }
        for (PositionalParamSpec p : parsed.matchedPositionals()) {
            args.addAll(p.originalStringValues());
        }
        loki.ensureExists();
        Path logs = java.nio.file.Files.createDirectories(loki.resolve("logs"));
        Path log = logs.resolve("start-bg.log");
        // the run says which project it holds here: an isolated run holds its worktree's, not this one
        Path ready = logs.resolve("start-bg.ready");
        java.nio.file.Files.deleteIfExists(ready);
        Map<String, String> env = new HashMap<>(ctx.env());
        env.put(dev.loki.run.RunStarter.READY_FILE, ready.toAbsolutePath().toString());
        Process child = dev.loki.process.Processes.startDetached(
                dev.loki.process.JavaChild.command(List.of(), "dev.loki.cli.Main", args), ctx.cwd(), env, log);
        java.time.Instant deadline = java.time.Instant.now().plus(BG_WAIT);
        while (java.time.Instant.now().isBefore(deadline) && child.isAlive() && !java.nio.file.Files.exists(ready)) {
            Thread.sleep(50);
        }
        String where = ctx.cwd().toAbsolutePath().relativize(log.toAbsolutePath()).toString();
        if (!child.isAlive() && child.exitValue() != 0) {
            ctx.err().println("Error: the background run exited at once (code " + child.exitValue() + "): "
                    + dev.loki.Quote.line(dev.loki.process.Processes.lastLine(log, 300)) + " (all of it: " + where
                    + ")");
            return child.exitValue();
        }
        Optional<Path> holds = readReady(ready);
        Optional<Path> runDir = holds.filter(h -> !h.equals(loki.path().toAbsolutePath().normalize()))
                .map(h -> h.getParent() == null ? h : h.getParent());
        ctx.out().println((child.isAlive() ? "Started in the background" : "Started in the background and already"
                + " ended") + ": pid " + child.pid() + runDir.map(d -> ", running in " + d).orElse("")
                + ", output in " + where + ".");
        if (holds.isEmpty() && child.isAlive()) {
            ctx.err().println("Warning: the run has not taken the project after " + BG_WAIT.toSeconds()
                    + " s; see " + where + " if 'loki status' does not show it soon.");
        }
        // an isolated run is followed in its worktree: the commands name it
        List<String> in = runDir.map(d -> List.of("loki", "-C", d.toString())).orElse(List.of("loki"));
        java.util.function.Function<List<String>, String> cmd = sub -> {
            List<String> words = new ArrayList<>(in);
            words.addAll(sub);
            return dev.loki.Quote.command(words);
        };
        ctx.out().println("Follow it: " + cmd.apply(List.of("status")) + " (or " + cmd.apply(List.of("logs", "-f"))
                + ")");
        if (dev.loki.dashboard.DashboardLauncher.enabled(ctx.env())) {
            ctx.out().println("Its dashboard: " + cmd.apply(List.of("dashboard", "open")));
        }
        ctx.out().println("Stop it: " + cmd.apply(List.of("stop")));
        return dev.loki.ExitCode.OK;
    }

    /** The {@code .loki} the background run said it holds, once it has. */
    private static Optional<Path> readReady(Path ready) {
        try {
            String s = java.nio.file.Files.readString(ready).strip();
            java.nio.file.Files.deleteIfExists(ready);
            return s.isEmpty() ? Optional.empty() : Optional.of(Path.of(s).toAbsolutePath().normalize());
        } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
            return Optional.empty();
        }
    }

    /** How long {@code --bg} waits for the run to take the project before it reports it started anyway. */
    private static final java.time.Duration BG_WAIT = java.time.Duration.ofSeconds(20);
    private static final java.util.Set<String> GLOBAL = java.util.Set.of("--verbose", "--loki-dir", "-C");

    /** A run from an issue or a task, or in a worktree: run there, then commit and open the PR. */
    private int startPlanned(WorkStart.Plan plan, Map<String, String> overrides) throws Exception {
        CliContext runCtx = ctx;
        if (plan.isolated()) {
            Map<String, String> env = new HashMap<>(ctx.env());
            env.remove("LOKI_DIR");
            runCtx = ctx.elsewhere(plan.workDir(), env);
            ctx.err().println("Isolated run in " + dev.loki.Quote.path(plan.workDir().toString()) + " on branch "
                    + plan.worktree().get().branch());
        }
        int exit = RunOutput.run(runCtx, Optional.of(plan.spec()), Optional.ofNullable(provider), overrides);
        return new Finisher(ctx.env(), ctx.out(), ctx.err()).finish(plan, exit);
    }
}
