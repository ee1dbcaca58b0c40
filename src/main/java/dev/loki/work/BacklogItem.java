package dev.loki.work;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.Json;

/**
 * One entry of a backlog: what to run, and what became of it. Mutable, owned by the one
 * thread of the backlog scheduler; saved with the backlog after every change.
 */
public final class BacklogItem {
    public static final String PENDING = "pending";
    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String STOPPED = "stopped";
    public static final String SKIPPED = "skipped";

    final String input;
    final String slug;
    String status = PENDING;
    long pid;
    int exitCode = -1;
    int iterations;
    double cost;
    String runId = "";
    String worktree = "";
    String proof = "";
    String proofHash = "";
    String prUrl = "";
    String reason = "";
    String startedAt = "";
    String endedAt = "";
    int attempts;
    /**
     * What the entry's worktree recorded as spent (every run) before this backlog first started it:
     * not the backlog's spend, so not counted against {@code --total-budget}.
     */
    double spendBefore;
    /** Seconds since the run began (across resumes), from its run record when it ended. */
    long elapsedSec;
    /** Said instead of the proof path when the worktree is gone (status only, not saved). */
    String note = "";

    BacklogItem(String input, String slug) {
        this.input = input;
        this.slug = slug;
    }

    public String input() {
        return input;
    }

    public String slug() {
        return slug;
    }

    public String status() {
        return status;
    }

    public boolean verified() {
        return COMPLETED.equals(status);
    }

    public String prUrl() {
        return prUrl;
    }

    public String proof() {
        return proof;
    }

    public String reason() {
        return reason;
    }

    public String note() {
        return note;
    }

    public double cost() {
        return cost;
    }

    public int iterations() {
        return iterations;
    }

    boolean finished() {
        return COMPLETED.equals(status) || FAILED.equals(status) || STOPPED.equals(status) || SKIPPED.equals(status);
    }

    ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("input", input);
        o.put("run", slug);
        o.put("status", status);
        o.put("pid", pid);
        o.put("exit_code", exitCode);
        o.put("iterations", iterations);
        o.put("cost_usd", cost);
        o.put("run_id", runId);
        o.put("worktree", worktree);
        o.put("proof", proof);
        o.put("proof_hash", proofHash);
        o.put("pr_url", prUrl);
        o.put("reason", reason);
        o.put("started_at", startedAt);
        o.put("ended_at", endedAt);
        o.put("attempts", attempts);
        o.put("spend_before_usd", spendBefore);
        o.put("elapsed_sec", elapsedSec);
        return o;
    }

    static BacklogItem fromJson(JsonNode j) {
        BacklogItem i = new BacklogItem(j.path("input").asText(), j.path("run").asText());
        i.status = j.path("status").asText(PENDING);
        i.pid = j.path("pid").asLong(0);
        i.exitCode = j.path("exit_code").asInt(-1);
        i.iterations = j.path("iterations").asInt(0);
        i.cost = j.path("cost_usd").asDouble(0);
        i.runId = j.path("run_id").asText("");
        i.worktree = j.path("worktree").asText("");
        i.proof = j.path("proof").asText("");
        i.proofHash = j.path("proof_hash").asText("");
        i.prUrl = j.path("pr_url").asText("");
        i.reason = j.path("reason").asText("");
        i.startedAt = j.path("started_at").asText("");
        i.endedAt = j.path("ended_at").asText("");
        i.attempts = j.path("attempts").asInt(0);
        i.spendBefore = j.path("spend_before_usd").asDouble(0);
        i.elapsedSec = j.path("elapsed_sec").asLong(0);
        return i;
    }
}
