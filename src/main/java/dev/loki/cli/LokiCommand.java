package dev.loki.cli;

import java.util.List;
import picocli.CommandLine.Command;

/** The root command: {@code loki}. */
@Command(name = "loki",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Autonomous coding-agent orchestrator with undoable checkpoints.")
public final class LokiCommand extends BaseCommand {
    /**
     * Every subcommand. Registered by {@link Main} rather than in the annotation, so a command
     * line that names one builds only that one's model (picocli reflects over every option of
     * every registered command at start-up, which is most of a short command's run time).
     */
    static final List<Class<?>> SUBCOMMANDS = List.of(
            StartCommand.class,
            QuickCommand.class,
            StatusCommand.class,
            LogsCommand.class,
            ControlCommands.Pause.class,
            ControlCommands.Resume.class,
            ControlCommands.Stop.class,
            CheckpointCommand.class,
            RollbackCommand.class,
            DashboardCommand.class,
            AuditCommand.class,
            ProofCommand.class,
            McpCommand.class,
            MemoryCommand.class,
            ProviderCommand.class,
            DoctorCommand.class,
            DemoCommand.class,
            WarmupCommand.class,
            RunsCommand.class,
            BacklogCommand.class,
            VerifyCommand.class,
            DaemonCommand.class);

    LokiCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() {
        return usage();
    }
}
