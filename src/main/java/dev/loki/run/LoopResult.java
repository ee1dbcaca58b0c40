package dev.loki.run;

/**
 * How a run ended. {@code status} is the final autonomy-state status (upstream's names);
 * {@code exitCode} what {@code loki start} and {@code loki quick} exit with: 0 only for a
 * verified completion, one documented non-zero code for every other ending, so CI can tell
 * "done" from "ran out of iterations" without parsing output.
 */
public record LoopResult(String status, int exitCode, String reason, int iterations) {
    /** The council approved, or a completion claim was accepted. */
    public static final int COMPLETED = 0;
    /** Too many consecutive failed iterations (LOKI_MAX_RETRIES), or the run failed. */
    public static final int FAILED = 1;
    /** The iteration cap was reached without a verified completion. */
    public static final int MAX_ITERATIONS = 3;
    /** Stopped after the budget limit was reached. */
    public static final int BUDGET_EXCEEDED = 5;
    /** The council's safety valve stopped a run that was not converging. */
    public static final int COUNCIL_FORCE_STOP = 6;
    /** Stopped on request ({@code loki stop}, the dashboard's Stop). */
    public static final int STOPPED = 7;
    /** Ctrl+C twice, SIGTERM or SIGINT that ended the run at once. */
    public static final int INTERRUPTED = 130;

    /** The exit-code table for {@code --help}, README and docs: code, then what it means. */
    public static final String[][] EXIT_CODES = {
        {"0", "verified completion (council approval or an accepted completion claim)"},
        {"1", "failed: LOKI_MAX_RETRIES consecutive failed iterations, or loki itself failed"},
        {"2", "bad input (usage, settings, -C DIR that does not exist)"},
        {"3", "iteration cap reached without a verified completion"},
        {"5", "stopped after the budget limit (LOKI_BUDGET_LIMIT) was reached"},
        {"6", "the council's safety valve stopped a run that was not converging"},
        {"7", "stopped on request (loki stop, the dashboard, SIGTERM)"},
        {"130", "interrupted (Ctrl+C twice)"},
    };

    /** The exit code for a final loop status. */
    public static int exitCodeFor(String status) {
        return switch (status) {
            case "council_approved", "completion_promise_fulfilled" -> COMPLETED;
            case "max_iterations_reached" -> MAX_ITERATIONS;
            case "budget_exceeded" -> BUDGET_EXCEEDED;
            case "council_force_stop" -> COUNCIL_FORCE_STOP;
            case "stopped" -> STOPPED;
            case "interrupted" -> INTERRUPTED;
            default -> FAILED;
        };
    }

    /** A result whose exit code follows from its status. */
    public static LoopResult of(String status, String reason, int iterations) {
        return new LoopResult(status, exitCodeFor(status), reason, iterations);
    }
}
