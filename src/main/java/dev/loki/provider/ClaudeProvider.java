package dev.loki.provider;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Claude Code: {@code claude --dangerously-skip-permissions --model M [optional flags] -p
 * PROMPT --output-format stream-json --verbose}, optional flags only when {@code claude --help}
 * lists them. Its stream carries usage and cost, which the budget uses.
 */
public final class ClaudeProvider implements Provider {
    static final String AUTONOMY_NOTE = "[LOKI-AUTONOMY-AGENT] You run unattended under Loki. Do not ask questions or"
            + " wait for confirmation; decide and proceed. Commit locally only; never push. Safety rules still bind.";

    private final EnvReader env;

    public ClaudeProvider(EnvReader env) {
        this.env = env;
    }

    @Override
    public String name() {
        return "claude";
    }

    @Override
    public String command() {
        return env.get("LOKI_CLAUDE_CLI", "claude");
    }

    @Override
    public String installHint() {
        return "install Claude Code (npm install -g @anthropic-ai/claude-code)"
                + " or pick another provider (codex|cline|aider|command): --provider NAME for one run,"
                + " or 'loki provider set NAME' for every run";
    }

    @Override
    public Invocation iteration(ProviderCall call) {
        Tier tier = call.tier();
        List<String> argv = new ArrayList<>(List.of(command(), "--dangerously-skip-permissions", "--model", model(tier)));
        Optional<Path> exe = locate(env.env());
        boolean probe = exe.isPresent();
        if (probe && HelpProbe.lists(exe.get(), env.env(), "--effort")) {
            argv.add("--effort");
            argv.add(effort(tier));
        }
        if (probe && env.flag("LOKI_AUTONOMY_OVERRIDE", true)
                && HelpProbe.lists(exe.get(), env.env(), "--append-system-prompt")) {
            argv.add("--append-system-prompt");
            argv.add(AUTONOMY_NOTE);
        }
        if (probe && env.flag("LOKI_SETTING_SOURCES", true)
                && HelpProbe.lists(exe.get(), env.env(), "--setting-sources")) {
            argv.add("--setting-sources");
            argv.add("user,project,local");
        }
        if (probe && env.flag("LOKI_PARTIAL_MESSAGES", true)
                && HelpProbe.lists(exe.get(), env.env(), "--include-partial-messages")) {
            argv.add("--include-partial-messages");
        }
        argv.addAll(List.of("-p", call.prompt(), "--output-format", "stream-json", "--verbose"));
        return Invocation.of(argv);
    }

    @Override
    public Invocation review(String prompt, Path promptFile) {
        // stream-json (as the iteration's call), not text: its result event carries the call's cost
        return Invocation.of(List.of(command(), "--dangerously-skip-permissions", "-p", prompt,
                "--output-format", "stream-json", "--verbose"));
    }

    @Override
    public ProviderOutput interpretReview(ProcessOutcome outcome) throws IOException {
        return ClaudeStream.parse(outcome.capture(), "").toAnswer(outcome.exitCode());
    }

    @Override
    public ProviderOutput interpret(ProcessOutcome outcome, Tier tier) throws IOException {
        return ClaudeStream.parse(outcome.capture(), model(tier)).toOutput(outcome.exitCode());
    }

    /**
     * Default planning=opus, development=opus, fast=sonnet; {@code LOKI_ALLOW_HAIKU} gives
     * opus/sonnet/haiku. {@code LOKI_CLAUDE_MODEL_<TIER>} beats {@code LOKI_MODEL_<TIER>};
     * {@code LOKI_MAX_TIER} caps; {@code LOKI_MODEL_OVERRIDE} only applies with a custom
     * {@code ANTHROPIC_BASE_URL} (a proxy serving other model names).
     */
    @Override
    public String model(Tier tier) {
        if (env.get("LOKI_MODEL_OVERRIDE").isPresent() && env.get("ANTHROPIC_BASE_URL").isPresent()) {
            return env.get("LOKI_MODEL_OVERRIDE", "");
        }
        Tier capped = cap(tier);
        String key = capped.name();
        Optional<String> explicit = env.get("LOKI_CLAUDE_MODEL_" + key).or(() -> env.get("LOKI_MODEL_" + key));
        if (explicit.isPresent()) {
            return explicit.get();
        }
        boolean haiku = EnvReader.truthy(env.get("LOKI_ALLOW_HAIKU", ""));
        return switch (capped) {
            case PLANNING -> "opus";
            case DEVELOPMENT -> haiku ? "sonnet" : "opus";
            case FAST -> haiku ? "haiku" : "sonnet";
        };
    }

    private Tier cap(Tier tier) {
        String max = env.get("LOKI_MAX_TIER", "").toLowerCase(Locale.ROOT);
        if (max.equals("haiku") || max.equals("fast")) {
            return Tier.FAST;
        }
        if ((max.equals("sonnet") || max.equals("development")) && tier == Tier.PLANNING) {
            return Tier.DEVELOPMENT;
        }
        return tier;
    }

    /** planning xhigh, development high, fast medium; {@code LOKI_COMPLEXITY=complex} one step up. */
    String effort(Tier tier) {
        List<String> ladder = List.of("low", "medium", "high", "xhigh", "max");
        int i = switch (cap(tier)) {
            case PLANNING -> 3;
            case DEVELOPMENT -> 2;
            case FAST -> 1;
        };
        if (env.get("LOKI_COMPLEXITY", "").equalsIgnoreCase("complex")) {
            i++;
        }
        return ladder.get(Math.min(i, ladder.size() - 1));
    }

    @Override
    public boolean degraded() {
        return false;
    }

    @Override
    public int rpm() {
        return 50;
    }

    @Override
    public String capability() {
        return "Full (subagents, parallel, MCP)";
    }
}
