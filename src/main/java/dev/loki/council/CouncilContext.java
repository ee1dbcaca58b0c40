package dev.loki.council;

import dev.loki.gate.GateReport;
import dev.loki.gate.Reviewer;
import dev.loki.store.LokiDir;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Everything one council session needs. */
public record CouncilContext(LokiDir lokiDir, Path workTree, int iteration, int maxIterations, String specText,
        Optional<GateReport> lastGates, Reviewer reviewer, Map<String, String> env) {
    public CouncilContext {
        specText = specText == null ? "" : specText;
        lastGates = lastGates == null ? Optional.empty() : lastGates;
        env = env == null ? Map.of() : Map.copyOf(env);
    }
}
