package dev.loki.gate;

import java.util.List;

/**
 * The iteration's gate outcome. codeReviewBlocked: a blocking code-review verdict this
 * iteration (the loop then rejects a completion claim). pauseRequested: the escalation ladder
 * reached its pause rung (the gate already wrote signals/GATE_ESCALATION and PAUSE).
 * failuresText: what the next prompt should be told (also written to quality/gate-failures.txt).
 */
public record GateReport(int iteration, List<GateResult> results, boolean codeReviewBlocked,
        boolean pauseRequested, String failuresText) {

    public GateReport {
        results = List.copyOf(results);
        failuresText = failuresText == null ? "" : failuresText;
    }

    /** True when every gate passed or was skipped. */
    public boolean passed() {
        return results.stream().allMatch(GateResult::passedOrSkipped);
    }
}
