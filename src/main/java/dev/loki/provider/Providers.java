package dev.loki.provider;

import dev.loki.LokiException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The provider registry: names, construction, and the pre-flight check that the CLI exists. */
public final class Providers {
    public static final List<String> NAMES = List.of("claude", "codex", "cline", "aider", "command");

    private Providers() {
    }

    /** Builds a provider by name; unknown names (including gemini, dropped upstream) are exit 2. */
    public static Provider byName(String name, Map<String, String> env) {
        EnvReader r = new EnvReader(env);
        return switch (name.toLowerCase(Locale.ROOT).strip()) {
            case "claude" -> new ClaudeProvider(r);
            case "codex" -> new CodexProvider(r);
            case "cline" -> new ClineProvider(r);
            case "aider" -> new AiderProvider(r);
            case "command" -> new CommandProvider(r);
            default -> throw LokiException.badInput("Unknown provider '" + name + "': use one of "
                    + String.join(", ", NAMES));
        };
    }

    /** Fails with one line (exit 1) when the provider's CLI is not installed. */
    public static Provider requireInstalled(Provider p, Map<String, String> env) {
        if (p.locate(env).isEmpty()) {
            String what = p.command().isEmpty() ? "no command configured" : "'" + p.command() + "' not found on PATH";
            throw LokiException.failed("Provider " + p.name() + ": " + what + ". To fix: " + p.installHint() + ".");
        }
        return p;
    }
}
