package dev.loki.cli;

import picocli.CommandLine.Command;

/** {@code loki verify [BASE]}: placeholder until the verifier lands. */
@Command(name = "verify", mixinStandardHelpOptions = true, description = "Verify the diff from BASE.")
public final class VerifyCommand extends BaseCommand {
    VerifyCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() {
        return 2;
    }
}
