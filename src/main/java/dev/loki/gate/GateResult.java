package dev.loki.gate;

/** One gate's outcome. status: "pass" | "fail" | "skipped" | "error". */
public record GateResult(String name, String status, String summary, long durationMs) {
    public static final String PASS = "pass";
    public static final String FAIL = "fail";
    public static final String SKIPPED = "skipped";
    public static final String ERROR = "error";

    public boolean passedOrSkipped() {
        return PASS.equals(status) || SKIPPED.equals(status);
    }
}
