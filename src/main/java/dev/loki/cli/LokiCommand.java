package dev.loki.cli;

import picocli.CommandLine.Command;

/** The root command: {@code loki}. */
@Command(name = "loki",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Autonomous coding-agent orchestrator with undoable checkpoints.",
        subcommands = {
            CheckpointCommand.class,
            RollbackCommand.class,
            DemoCommand.class,
            WarmupCommand.class,
            DashboardCommand.class,
            AuditCommand.class,
            ProofCommand.class,
            StartCommand.class,
            QuickCommand.class,
            ControlCommands.Stop.class,
            ControlCommands.Pause.class,
            ControlCommands.Resume.class,
            StatusCommand.class,
            LogsCommand.class,
            ProviderCommand.class,
            DoctorCommand.class,
        })
public final class LokiCommand extends BaseCommand {
    LokiCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() {
        return usage();
    }
}
