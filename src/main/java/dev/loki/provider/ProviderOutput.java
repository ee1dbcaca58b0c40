package dev.loki.provider;

/**
 * A finished call as the provider's own output describes it.
 *
 * @param exitCode the process exit code, or 1 when a stream reported {@code is_error}
 * @param text     the agent's readable text (for claude: assistant text and the result)
 */
public record ProviderOutput(int exitCode, String text, Usage usage, int toolUses) {
}
