package dev.loki.cli;

import dev.loki.LokiException;
import dev.loki.store.AtomicFiles;
import dev.loki.store.LokiDir;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code loki quick "<task>"}: a small PRD for one task, at most 3 iterations, no council. */
@Command(name = "quick", mixinStandardHelpOptions = true,
        description = {"Run a small task: writes a short PRD for it, then runs the loop with at most",
            "3 iterations (unless LOKI_MAX_ITERATIONS is set), no council and no code review."})
public final class QuickCommand extends BaseCommand {
    @Parameters(index = "0", arity = "1..*", paramLabel = "TASK", description = "What to do, in words.")
    java.util.List<String> task;

    @Option(names = "--provider", paramLabel = "NAME", description = "claude, codex, cline, aider or command.")
    String provider;

    @Option(names = "--keep-dashboard", description = "Keep the dashboard this run starts running after the run ends.")
    boolean keepDashboard;

    QuickCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() throws Exception {
        String text = String.join(" ", task).strip();
        if (text.isEmpty()) {
            throw LokiException.badInput("Say what the task is: loki quick \"add a --version flag\"");
        }
        LokiDir dir = ctx.lokiDir().ensureExists();
        Path prd = dir.resolve("quick-prd-" + Instant.now().getEpochSecond() + ".md");
        AtomicFiles.writeString(prd, "# Quick task\n\n## Overview\n\n" + text + "\n\n## Requirements\n\n- " + text
                + "\n\n## Success Criteria\n\n- The task is done and the project's tests pass.\n\n## Constraints\n\n"
                + "- Keep the change small and focused on this task.\n");
        ctx.err().println("Quick task PRD: " + prd);
        Map<String, String> profile = new HashMap<>();
        profile.put("LOKI_MAX_ITERATIONS", ctx.env("LOKI_MAX_ITERATIONS").orElse("3"));
        profile.put("LOKI_COMPLEXITY", "simple");
        profile.put("LOKI_COUNCIL_ENABLED", "false");
        for (String phase : new String[] {"CODE_REVIEW", "PERFORMANCE", "ACCESSIBILITY", "REGRESSION", "UAT",
            "WEB_RESEARCH"}) {
            profile.put("LOKI_PHASE_" + phase, "false");
        }
        if (keepDashboard) {
            profile.put("LOKI_KEEP_DASHBOARD", "true");
        }
        return RunOutput.run(ctx, Optional.of(prd), Optional.ofNullable(provider), profile);
    }
}
