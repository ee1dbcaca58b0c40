package dev.loki.gate;

import dev.loki.store.LokiDir;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything a gate run needs. baseSha: the commit/snapshot the iteration's diff is taken
 * against ("" = diff against HEAD, or the empty tree without commits).
 */
public record GateContext(LokiDir lokiDir, Path workTree, int iteration, String baseSha, Reviewer reviewer,
        Map<String, String> env) {
    public GateContext {
        baseSha = baseSha == null ? "" : baseSha.strip();
        env = env == null ? Map.of() : Map.copyOf(env);
    }
}
