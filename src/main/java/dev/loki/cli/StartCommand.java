package dev.loki.cli;

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
    @Parameters(index = "0", arity = "0..1", paramLabel = "SPEC", description = "The PRD or spec file.")
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
        return RunOutput.run(ctx, Optional.ofNullable(spec), Optional.ofNullable(provider), overrides);
    }
}
