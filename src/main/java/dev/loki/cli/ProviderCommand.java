package dev.loki.cli;

import dev.loki.ExitCode;
import dev.loki.provider.Provider;
import dev.loki.provider.Providers;
import dev.loki.run.ProviderChoice;
import dev.loki.store.LokiDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code loki provider list|show|set}. */
@Command(name = "provider", mixinStandardHelpOptions = true, description = "Show or choose the coding-agent CLI.",
        subcommands = {ProviderCommand.ListCmd.class, ProviderCommand.Show.class, ProviderCommand.Set.class})
public final class ProviderCommand extends BaseCommand {
    ProviderCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() {
        return usage();
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The providers, installed or not.")
    static final class ListCmd extends BaseCommand {
        ListCmd(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            String current = ProviderChoice.resolve(java.util.Optional.empty(), ctx.env(), ctx.lokiDir()).name();
            for (String name : Providers.NAMES) {
                Provider p = Providers.byName(name, ctx.env());
                boolean installed = p.locate(ctx.env()).isPresent();
                ctx.out().println(String.format("%-8s %-14s %s%s", name, installed ? "installed" : "not installed",
                        p.capability(), name.equals(current) ? "  (current)" : ""));
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "The provider 'loki start' would use.")
    static final class Show extends BaseCommand {
        Show(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            ProviderChoice c = ProviderChoice.resolve(java.util.Optional.empty(), ctx.env(), ctx.lokiDir());
            Provider p = Providers.byName(c.name(), ctx.env());
            ctx.out().println("Provider: " + p.name() + " (from " + c.source() + ")");
            ctx.out().println("Capability: " + p.capability());
            ctx.out().println("CLI: " + p.locate(ctx.env()).map(Object::toString).orElse("not found: " + p.installHint()));
            return ExitCode.OK;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Save the provider this project uses (.loki/state/provider).")
    static final class Set extends BaseCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "claude, codex, cline, aider or command.")
        String name;

        Set(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() throws Exception {
            Provider p = Providers.byName(name, ctx.env());
            LokiDir dir = ctx.lokiDir().ensureExists();
            ProviderChoice.save(dir, p.name());
            ctx.out().println("Provider set to " + p.name() + ".");
            if (p.locate(ctx.env()).isEmpty()) {
                ctx.err().println("Warning: " + (p.command().isEmpty() ? p.name() : p.command())
                        + " is not installed: " + p.installHint() + ".");
            }
            if (ctx.env("LOKI_PROVIDER").isPresent()) {
                ctx.err().println("Note: LOKI_PROVIDER=" + ctx.env("LOKI_PROVIDER").get()
                        + " is set and takes precedence over the saved choice.");
            }
            return ExitCode.OK;
        }
    }
}
