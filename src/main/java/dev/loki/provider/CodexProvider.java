package dev.loki.provider;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * OpenAI Codex CLI: {@code codex exec --full-auto PROMPT}, with the tier mapped to a reasoning
 * effort passed in {@code LOKI_CODEX_REASONING_EFFORT} and {@code CODEX_MODEL_REASONING_EFFORT}.
 */
public final class CodexProvider implements Provider {
    private static final String DEFAULT_MODEL = "gpt-5.3-codex";
    private final EnvReader env;

    public CodexProvider(EnvReader env) {
        this.env = env;
    }

    @Override
    public String name() {
        return "codex";
    }

    @Override
    public String command() {
        return env.get("LOKI_CODEX_CLI", "codex");
    }

    @Override
    public String installHint() {
        return "install the Codex CLI (npm install -g @openai/codex)"
                + " or pick another provider (claude|cline|aider|command): --provider NAME for one run,"
                + " or 'loki provider set NAME' for every run";
    }

    @Override
    public Invocation iteration(ProviderCall call) {
        String effort = effort(call.tier());
        return new Invocation(List.of(command(), "exec", "--full-auto", call.prompt()),
                Map.of("LOKI_CODEX_REASONING_EFFORT", effort, "CODEX_MODEL_REASONING_EFFORT", effort),
                java.util.Optional.empty());
    }

    @Override
    public Invocation review(String prompt, Path promptFile) {
        return Invocation.of(List.of(command(), "exec", "--full-auto", prompt));
    }

    /** xhigh / high / low; {@code LOKI_MAX_TIER} haiku|low gives low, sonnet|high caps xhigh at high. */
    String effort(Tier tier) {
        String e = switch (tier) {
            case PLANNING -> "xhigh";
            case DEVELOPMENT -> "high";
            case FAST -> "low";
        };
        String max = env.get("LOKI_MAX_TIER", "").toLowerCase(Locale.ROOT);
        if (max.equals("haiku") || max.equals("low")) {
            return "low";
        }
        if ((max.equals("sonnet") || max.equals("high")) && e.equals("xhigh")) {
            return "high";
        }
        return e;
    }

    /** {@code LOKI_CODEX_MODEL}, else generic {@code LOKI_MODEL_<TIER>} when it names an OpenAI model. */
    @Override
    public String model(Tier tier) {
        return env.get("LOKI_CODEX_MODEL").orElseGet(() -> env.get("LOKI_MODEL_" + tier.name())
                .filter(m -> m.matches("^(gpt-|o1-|o3-|o4-|codex-|ft:gpt-).*"))
                .orElse(DEFAULT_MODEL));
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
        return "Degraded (no subagents or parallel agents; PRD inlined in the prompt)";
    }
}
