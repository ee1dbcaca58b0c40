package dev.loki.provider;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Aider: {@code aider --message PROMPT --yes-always --no-auto-commits --model M
 * $LOKI_AIDER_FLAGS}, stdin from /dev/null; extra flags are split on whitespace (never passed
 * through a shell).
 */
public final class AiderProvider implements Provider {
    private final EnvReader env;

    public AiderProvider(EnvReader env) {
        this.env = env;
    }

    @Override
    public String name() {
        return "aider";
    }

    @Override
    public String command() {
        return env.get("LOKI_AIDER_CLI", "aider");
    }

    @Override
    public String installHint() {
        return "install aider (python3 -m pip install aider-chat)"
                + " or pick another provider (claude|codex|cline|command): --provider NAME for one run,"
                + " or 'loki provider set NAME' for every run";
    }

    @Override
    public Invocation iteration(ProviderCall call) {
        List<String> argv = new ArrayList<>(List.of(command(), "--message", call.prompt(), "--yes-always",
                "--no-auto-commits", "--model", model(call.tier())));
        argv.addAll(extraFlags());
        return Invocation.of(argv);
    }

    @Override
    public Invocation review(String prompt, Path promptFile) {
        List<String> argv = new ArrayList<>(List.of(command(), "--message", prompt, "--yes-always",
                "--no-auto-commits", "--model", model(Tier.DEVELOPMENT), "--no-git"));
        argv.addAll(extraFlags());
        return Invocation.of(argv);
    }

    List<String> extraFlags() {
        String flags = env.get("LOKI_AIDER_FLAGS", "");
        return flags.isBlank() ? List.of() : List.of(flags.strip().split("\\s+"));
    }

    @Override
    public String model(Tier tier) {
        return env.get("AIDER_DEFAULT_MODEL").orElseGet(() -> env.get("LOKI_AIDER_MODEL", "claude-opus-4-7"));
    }

    @Override
    public boolean degraded() {
        return true;
    }

    @Override
    public int rpm() {
        return 60;
    }

    @Override
    public String capability() {
        return "Degraded (no subagents, parallel agents or MCP; PRD inlined in the prompt)";
    }
}
