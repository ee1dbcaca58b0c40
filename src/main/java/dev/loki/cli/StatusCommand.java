package dev.loki.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.ExitCode;
import dev.loki.run.RunStatus;
import dev.loki.store.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loki status [--json]}: the state of this project's run. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show the state of this project's loki run.")
public final class StatusCommand extends BaseCommand {
    @Option(names = "--json", description = "Print JSON (for scripts).")
    boolean json;

    StatusCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() {
        ObjectNode s = RunStatus.read(ctx.lokiDir(), ctx.env(), VersionProvider.version());
        var journal = dev.loki.checkpoint.RollbackJournal.at(ctx.lokiDir()).read();
        if (json) {
            ctx.out().println(Json.pretty(s));
            return ExitCode.OK;
        }
        ctx.out().println("Status:     " + s.path("status").asText());
        journal.ifPresent(p -> ctx.out().println("Rollback:   " + dev.loki.Quote.line(p.line())));
        if (s.path("run_id").asText("").isEmpty() && s.path("status").asText().equals("inactive")) {
            ctx.out().println("Provider:   " + s.path("provider").asText() + " (" + s.path("provider_source").asText()
                    + ")");
            ctx.out().println("No run recorded here yet. Start one with 'loki start <spec>' or try 'loki demo'.");
            return ExitCode.OK;
        }
        ctx.out().println("Run:        " + s.path("run_id").asText() + (s.path("pid").isNull() ? ""
                : " (pid " + s.path("pid").asLong() + ")"));
        ctx.out().println("Spec:       " + dev.loki.Quote.path(s.path("spec").asText()));
        ctx.out().println("Provider:   " + s.path("provider").asText());
        ctx.out().println("Iteration:  " + s.path("iteration").asInt() + " of " + s.path("max_iterations").asInt()
                + ", phase " + s.path("phase").asText() + ", retries " + s.path("retry_count").asInt());
        ctx.out().println("Elapsed:    " + s.path("elapsed_time").asLong() + "s");
        JsonNode b = s.path("budget");
        ctx.out().println(String.format("Spend:      $%.4f%s", b.path("used").asDouble(),
                b.path("limit").asDouble() > 0 ? String.format(" of $%.2f", b.path("limit").asDouble()) : ""));
        ctx.out().println("Checkpoints: " + (s.path("checkpoints").isInt() ? s.path("checkpoints").asText() : "unknown")
                + (s.path("last_checkpoint").asText("").isEmpty()
                ? "" : " (latest " + s.path("last_checkpoint").asText() + ")"));
        if (!s.path("gate_failures").asText("").isEmpty()) {
            ctx.out().println("Gate failures: " + s.path("gate_failures").asText());
        }
        if (!s.path("exit_reason").asText("").isEmpty()) {
            ctx.out().println("Ended:      " + s.path("exit_reason").asText() + (s.path("exit_code").isInt()
                    ? " (exit " + s.path("exit_code").asInt() + ": " + RunOutput.meaning(s.path("exit_code").asInt())
                    + ")" : ""));
        }
        return ExitCode.OK;
    }
}
