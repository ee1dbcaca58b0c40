package dev.loki.provider;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A coding-agent CLI behind one interface: how to call it for an iteration and for a one-shot
 * review, how to read what it printed, and what it can do.
 */
public interface Provider {
    String name();

    /** The command this provider runs (after {@code LOKI_<NAME>_CLI} overrides). */
    String command();

    /** Where the command is, on the PATH of {@code env}; empty when it is not installed. */
    default Optional<Path> locate(Map<String, String> env) {
        return Executables.find(command(), env);
    }

    /** One line telling the user how to get this CLI, or how to pick another provider. */
    String installHint();

    /** One main-loop call. */
    Invocation iteration(ProviderCall call);

    /** One non-interactive question (code review, council vote); output is plain text. */
    Invocation review(String prompt, Path promptFile);

    /**
     * As {@link #review(String, Path)}, saying which kind of question it is ({@code review} or
     * {@code council}); only a command provider passes that on (as {@code LOKI_CALL}).
     */
    default Invocation review(String prompt, Path promptFile, String call) {
        return review(prompt, promptFile);
    }

    /** Reads a finished call's capture into text, usage and the effective exit code. */
    default ProviderOutput interpret(ProcessOutcome outcome, Tier tier) throws IOException {
        String text = outcome.capture() == null ? "" : CaptureText.read(outcome.capture());
        return new ProviderOutput(outcome.exitCode(), text, Usage.none(model(tier)), 0);
    }

    /**
     * Reads a finished review or council call: the answer's text and, for a provider that reports
     * it, the call's usage and cost (so the budget counts the reviewers and the council, not only
     * the iteration). Plain text without usage by default.
     */
    default ProviderOutput interpretReview(ProcessOutcome outcome) throws IOException {
        String text = outcome.capture() == null ? "" : CaptureText.read(outcome.capture());
        return new ProviderOutput(outcome.exitCode(), text, Usage.none(""), 0);
    }

    /** The model an iteration of this tier runs (for metrics; "" when the CLI decides). */
    String model(Tier tier);

    /** Degraded providers get the PRD inlined and a simpler prompt (upstream: codex, aider). */
    boolean degraded();

    /** Requests per minute, for the rate-limit fallback wait. */
    int rpm();

    /** Full, Near-full or Degraded, as {@code loki provider show} prints it. */
    String capability();
}
