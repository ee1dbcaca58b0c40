package dev.loki.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * {@code .loki/autonomy-state.json} in upstream's camelCase shape (plus {@code run_id}), so a
 * dashboard or an upstream tool reads it unchanged.
 */
@JsonPropertyOrder({"retryCount", "iterationCount", "status", "lastExitCode", "lastRun", "prdPath", "pid",
    "maxRetries", "baseWait", "run_id"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record AutonomyState(
        @JsonProperty("retryCount") int retryCount,
        @JsonProperty("iterationCount") int iterationCount,
        @JsonProperty("status") String status,
        @JsonProperty("lastExitCode") int lastExitCode,
        @JsonProperty("lastRun") String lastRun,
        @JsonProperty("prdPath") String prdPath,
        @JsonProperty("pid") long pid,
        @JsonProperty("maxRetries") int maxRetries,
        @JsonProperty("baseWait") long baseWait,
        @JsonProperty("run_id") String runId) {

    public AutonomyState {
        status = status == null ? "" : status;
        lastRun = lastRun == null ? "" : lastRun;
        prdPath = prdPath == null ? "" : prdPath;
        runId = runId == null ? "" : runId;
    }

    public static AutonomyState fresh() {
        return new AutonomyState(0, 0, "", 0, "", "", 0, 0, 0, "");
    }

    public AutonomyState with(int retry, int iteration, String newStatus, int exitCode) {
        return new AutonomyState(retry, iteration, newStatus, exitCode, lastRun, prdPath, pid, maxRetries, baseWait,
                runId);
    }

    public AutonomyState stamped(String now, String prd, long ownPid, int maxR, long baseW, String run) {
        return new AutonomyState(retryCount, iterationCount, status, lastExitCode, now, prd, ownPid, maxR, baseW, run);
    }
}
