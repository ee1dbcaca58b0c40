package dev.loki.cli;

import dev.loki.work.Finisher;
import dev.loki.work.WorkStart;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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

    @Option(names = "--keep-dashboard", description = "Keep the dashboard this run starts running after the run ends.")
    boolean keepDashboard;

    StartCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() throws Exception {
        Map<String, String> overrides = new HashMap<>();
        if (maxIterations != null) {
            if (maxIterations < 1) {
                throw dev.loki.LokiException.badInput("--max-iterations must be at least 1");
            }
            overrides.put("LOKI_MAX_ITERATIONS", maxIterations.toString());
        }
        if (budget != null) {
            if (!budget.matches("^[0-9]+(\\.[0-9]+)?$")) {
                throw dev.loki.LokiException.badInput("--budget must be a number of USD, e.g. 5 or 2.50");
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

    /** A run from an issue or a task, or in a worktree: run there, then commit and open the PR. */
    private int startPlanned(WorkStart.Plan plan, Map<String, String> overrides) throws Exception {
        CliContext runCtx = ctx;
        if (plan.isolated()) {
            Map<String, String> env = new HashMap<>(ctx.env());
            env.remove("LOKI_DIR");
            runCtx = ctx.elsewhere(plan.workDir(), env);
            ctx.err().println("Isolated run in " + plan.workDir() + " on branch " + plan.worktree().get().branch());
        }
        int exit = RunOutput.run(runCtx, Optional.of(plan.spec()), Optional.ofNullable(provider), overrides);
        return new Finisher(ctx.env(), ctx.out(), ctx.err()).finish(plan, exit);
    }
}
