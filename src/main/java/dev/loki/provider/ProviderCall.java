package dev.loki.provider;

import java.nio.file.Path;

/**
 * One main-loop call: the prompt (also written to {@code promptFile}, which the command
 * provider receives as {@code LOKI_PROMPT_FILE}), the iteration and the tier it asks for.
 */
public record ProviderCall(String prompt, Path promptFile, int iteration, Tier tier, Path workTree, Path lokiDir) {
}
