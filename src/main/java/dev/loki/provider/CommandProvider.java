package dev.loki.provider;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Any executable as the agent: {@code LOKI_PROVIDER=command LOKI_PROVIDER_CMD="path args"}.
 * It gets the prompt on stdin and in the file named by {@code LOKI_PROMPT_FILE}, plus {@code
 * LOKI_CALL} ({@code iteration}, {@code review} or, for council members, {@code council}) and {@code LOKI_ITERATION}. The command
 * line is split into words like a shell would (quotes, no expansion) and run without a shell.
 * With {@code LOKI_PROVIDER_OUTPUT=stream-json} its output is read as Claude's stream, so a
 * wrapper can report usage and cost.
 */
public final class CommandProvider implements Provider {
    private final EnvReader env;
    private final List<String> argv;

    public CommandProvider(EnvReader env) {
        this(env, Words.split(env.get("LOKI_PROVIDER_CMD", "")));
    }

    /** A command given as an argument list (the built-in demo runs its scripted agent so). */
    public CommandProvider(EnvReader env, List<String> argv) {
        this.env = env;
        this.argv = List.copyOf(argv);
    }

    @Override
    public String name() {
        return "command";
    }

    @Override
    public String command() {
        return argv.isEmpty() ? "" : argv.get(0);
    }

    public List<String> argv() {
        return argv;
    }

    @Override
    public Optional<Path> locate(Map<String, String> environment) {
        return Executables.find(command(), environment);
    }

    @Override
    public String installHint() {
        return argv.isEmpty()
                ? "set LOKI_PROVIDER_CMD to the agent command to run (it gets the prompt on stdin and in $LOKI_PROMPT_FILE)"
                : "check LOKI_PROVIDER_CMD: '" + command() + "' is not an executable file or a command on PATH";
    }

    @Override
    public Invocation iteration(ProviderCall call) {
        return new Invocation(argv, Map.of("LOKI_PROMPT_FILE", call.promptFile().toString(), "LOKI_CALL", "iteration",
                "LOKI_ITERATION", Integer.toString(call.iteration())), Optional.of(call.promptFile()));
    }

    @Override
    public Invocation review(String prompt, Path promptFile) {
        return review(prompt, promptFile, "review");
    }

    @Override
    public Invocation review(String prompt, Path promptFile, String call) {
        List<String> cmd = new ArrayList<>(argv);
        return new Invocation(cmd, Map.of("LOKI_PROMPT_FILE", promptFile.toString(), "LOKI_CALL", call),
                Optional.of(promptFile));
    }

    @Override
    public ProviderOutput interpret(ProcessOutcome outcome, Tier tier) throws IOException {
        if (env.get("LOKI_PROVIDER_OUTPUT", "text").equalsIgnoreCase("stream-json")) {
            return ClaudeStream.parse(outcome.capture(), model(tier)).toOutput(outcome.exitCode());
        }
        return Provider.super.interpret(outcome, tier);
    }

    @Override
    public ProviderOutput interpretReview(ProcessOutcome outcome) throws IOException {
        if (env.get("LOKI_PROVIDER_OUTPUT", "text").equalsIgnoreCase("stream-json")) {
            return ClaudeStream.parse(outcome.capture(), model(Tier.FAST)).toAnswer(outcome.exitCode());
        }
        return Provider.super.interpretReview(outcome);
    }

    @Override
    public String model(Tier tier) {
        return env.get("LOKI_PROVIDER_MODEL", "");
    }

    @Override
    public boolean degraded() {
        return EnvReader.truthy(env.get("LOKI_PROVIDER_DEGRADED", ""));
    }

    @Override
    public int rpm() {
        return 60;
    }

    @Override
    public String capability() {
        return "Custom command (prompt on stdin and in $LOKI_PROMPT_FILE)";
    }
}
