package dev.loki.provider;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Cline CLI: {@code cline -y [-m LOKI_CLINE_MODEL] PROMPT}; the tier is ignored. */
public final class ClineProvider implements Provider {
    private final EnvReader env;

    public ClineProvider(EnvReader env) {
        this.env = env;
    }

    @Override
    public String name() {
        return "cline";
    }

    @Override
    public String command() {
        return env.get("LOKI_CLINE_CLI", "cline");
    }

    @Override
    public String installHint() {
        return "install the Cline CLI (npm install -g cline)"
                + " or pick another provider (claude|codex|aider|command): --provider NAME for one run,"
                + " or 'loki provider set NAME' for every run";
    }

    @Override
    public Invocation iteration(ProviderCall call) {
        List<String> argv = new ArrayList<>(List.of(command(), "-y"));
        env.get("LOKI_CLINE_MODEL").ifPresent(m -> {
            argv.add("-m");
            argv.add(m);
        });
        argv.add(call.prompt());
        return Invocation.of(argv);
    }

    @Override
    public Invocation review(String prompt, Path promptFile) {
        return Invocation.of(List.of(command(), "-y", prompt));
    }

    @Override
    public String model(Tier tier) {
        return env.get("LOKI_CLINE_MODEL", "");
    }

    @Override
    public boolean degraded() {
        return false;
    }

    @Override
    public int rpm() {
        return 60;
    }

    @Override
    public String capability() {
        return "Near-full (subagents and MCP, no parallel agents)";
    }
}
