package dev.loki.gate;

import dev.loki.store.LokiDir;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a gate run needs. baseSha: the commit/snapshot the iteration's diff is taken
 * against ("" = diff against HEAD, or the empty tree without commits). {@code change}: the
 * iteration's exact change between two snapshots, when the loop has them (the gates then use it
 * instead of diffing the work tree). {@code noReview}: why code review must not run this
 * iteration ("" = it may).
 */
public record GateContext(LokiDir lokiDir, Path workTree, int iteration, String baseSha, Reviewer reviewer,
        Map<String, String> env, Optional<IterationDiff> change, String noReview) {
    public GateContext {
        baseSha = baseSha == null ? "" : baseSha.strip();
        env = env == null ? Map.of() : Map.copyOf(env);
        change = change == null ? Optional.empty() : change;
        noReview = noReview == null ? "" : noReview;
    }

    public GateContext(LokiDir lokiDir, Path workTree, int iteration, String baseSha, Reviewer reviewer,
            Map<String, String> env) {
        this(lokiDir, workTree, iteration, baseSha, reviewer, env, Optional.empty(), "");
    }
}
