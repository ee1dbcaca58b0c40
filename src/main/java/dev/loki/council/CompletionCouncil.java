package dev.loki.council;

import dev.loki.store.LokiDir;
import java.util.List;
import java.util.Map;

/** Decides whether the work is done: convergence tracking, 3 voters, devil's advocate, safety valves. */
public final class CompletionCouncil {
    private final Map<String, String> env;

    private CompletionCouncil(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public static CompletionCouncil fromEnv(Map<String, String> env) {
        return new CompletionCouncil(env);
    }

    /** Convergence tracking; the loop calls this after every iteration before shouldConvene. */
    public void recordIteration(LokiDir dir, int iteration, boolean codeChanged, boolean doneSignal) {
    }

    /** True when the council is due this iteration (interval, min iterations, a completion claim). */
    public boolean shouldConvene(LokiDir dir, int iteration, boolean completionClaimed) {
        return completionClaimed;
    }

    /** Never throws for reviewer failures (they count as REJECT). */
    public CouncilDecision evaluate(CouncilContext ctx) {
        return new CouncilDecision(CouncilDecision.Verdict.CONTINUE, List.of(), "council not yet implemented");
    }
}
