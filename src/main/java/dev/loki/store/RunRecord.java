package dev.loki.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One run of the loop, fixed when the run starts and updated as it goes: {@code
 * .loki/state/run.json} for the current (or last) run, copied to {@code
 * .loki/runs/<run_id>/run.json} so a proof can always name exactly the run it describes (never
 * "whatever ran last", upstream's stale pointer).
 *
 * @param runId         fixed at start: {@code run-<yyyyMMdd-HHmmss>-<4 hex>}
 * @param status        {@code running}, {@code completed}, {@code failed}, {@code stopped},
 *                      {@code max_iterations}, {@code budget_exceeded}, {@code interrupted}
 * @param baseHead      HEAD when the run started ({@code ""} with no commit or outside git)
 * @param baseSnapshot  code snapshot commit of the work tree when the run started, including
 *                      uncommitted and untracked files ({@code ""} when none could be taken)
 * @param checkpointIds the checkpoints this run took, oldest first
 */
public record RunRecord(
        @JsonProperty("run_id") String runId,
        @JsonProperty("started_at") String startedAt,
        @JsonProperty("ended_at") String endedAt,
        @JsonProperty("status") String status,
        @JsonProperty("provider") String provider,
        @JsonProperty("spec_path") String specPath,
        @JsonProperty("base_head") String baseHead,
        @JsonProperty("base_snapshot") String baseSnapshot,
        @JsonProperty("iterations") int iterations,
        @JsonProperty("max_iterations") int maxIterations,
        @JsonProperty("checkpoint_ids") List<String> checkpointIds,
        @JsonProperty("exit_reason") String exitReason) {

    public static final String CURRENT = "state/run.json";

    public RunRecord {
        runId = nz(runId);
        startedAt = nz(startedAt);
        endedAt = nz(endedAt);
        status = nz(status);
        provider = nz(provider);
        specPath = nz(specPath);
        baseHead = nz(baseHead);
        baseSnapshot = nz(baseSnapshot);
        exitReason = nz(exitReason);
        checkpointIds = checkpointIds == null ? List.of() : List.copyOf(checkpointIds);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    public RunRecord withCheckpoint(String id) {
        List<String> ids = new ArrayList<>(checkpointIds);
        ids.add(id);
        return new RunRecord(runId, startedAt, endedAt, status, provider, specPath, baseHead, baseSnapshot,
                iterations, maxIterations, ids, exitReason);
    }

    public RunRecord withIterations(int n) {
        return new RunRecord(runId, startedAt, endedAt, status, provider, specPath, baseHead, baseSnapshot,
                n, maxIterations, checkpointIds, exitReason);
    }

    public RunRecord ended(String endedAt, String status, String exitReason) {
        return new RunRecord(runId, startedAt, endedAt, status, provider, specPath, baseHead, baseSnapshot,
                iterations, maxIterations, checkpointIds, exitReason);
    }

    public static Path currentFile(LokiDir dir) {
        return dir.resolve(CURRENT);
    }

    public static Path archivedFile(LokiDir dir, String runId) {
        return dir.resolve("runs").resolve(runId).resolve("run.json");
    }

    /** Writes the record as the current run and into its own {@code runs/<id>/} directory. */
    public void save(LokiDir dir) throws IOException {
        JsonFiles.write(currentFile(dir), this);
        JsonFiles.write(archivedFile(dir, runId), this);
    }

    /** The current (or last) run, if any was recorded. */
    public static Optional<RunRecord> current(LokiDir dir) {
        return JsonFiles.read(currentFile(dir)).flatMap(RunRecord::fromTree);
    }

    /** A given run; the id must already be validated by the caller (see {@code Ids}). */
    public static Optional<RunRecord> load(LokiDir dir, String runId) {
        return JsonFiles.read(archivedFile(dir, runId)).flatMap(RunRecord::fromTree);
    }

    private static Optional<RunRecord> fromTree(JsonNode node) {
        try {
            RunRecord r = Json.MAPPER.treeToValue(node, RunRecord.class);
            return r.runId().isEmpty() ? Optional.empty() : Optional.of(r);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
