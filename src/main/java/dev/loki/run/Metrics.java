package dev.loki.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.provider.Usage;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The per-iteration records other tools read: {@code metrics/efficiency/iteration-N.json}
 * (upstream's fields), {@code state/orchestrator.json} (phase and iteration), and the
 * {@code iteration_complete} event.
 */
public final class Metrics {
    static final String[] PHASES = {"REASON", "ACT", "REFLECT", "VERIFY"};

    private final LokiDir dir;

    public Metrics(LokiDir dir) {
        this.dir = dir;
    }

    /** RARV phase of an iteration: iteration % 4 over REASON, ACT, REFLECT, VERIFY. */
    public static String phase(int iteration) {
        return PHASES[Math.floorMod(iteration, 4)];
    }

    public void efficiency(int iteration, String provider, Usage usage, String status, long durationMs)
            throws IOException {
        ObjectNode e = Json.object();
        e.put("iteration", iteration);
        e.put("model", usage.model());
        e.put("phase", phase(iteration));
        e.put("duration_ms", durationMs);
        e.put("provider", provider);
        e.put("status", status);
        e.put("input_tokens", usage.inputTokens());
        e.put("output_tokens", usage.outputTokens());
        e.put("cache_read_tokens", usage.cacheReadTokens());
        e.put("cache_creation_tokens", usage.cacheCreationTokens());
        e.put("cost_usd", Math.round(usage.cost() * 1_000_000) / 1_000_000.0);
        e.put("cost_source", usage.costUsd().isPresent() ? "provider" : usage.reported() ? "tokens" : "none");
        e.put("timestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        JsonFiles.write(dir.resolve("metrics/efficiency/iteration-" + iteration + ".json"), e);
    }

    /**
     * Adds what the iteration's review and council calls cost to its record: {@code cost_usd} and
     * the token counts become the iteration's total (the budget, the proof and the dashboard sum
     * them), {@code review_calls} and {@code review_cost_usd} say which part was theirs.
     */
    public void addReviewCalls(int iteration, ProviderReviewer.CallSpend s) throws IOException {
        if (s.calls() == 0) {
            return;
        }
        java.nio.file.Path f = dir.resolve("metrics/efficiency/iteration-" + iteration + ".json");
        java.util.Optional<com.fasterxml.jackson.databind.JsonNode> now = JsonFiles.peek(f);
        if (now.isEmpty() || !now.get().isObject()) {
            return;
        }
        ObjectNode e = (ObjectNode) now.get();
        double own = dev.loki.run.Budget.costOf(e);
        e.put("cost_usd", Math.round((own + s.usd()) * 1_000_000) / 1_000_000.0);
        e.put("input_tokens", e.path("input_tokens").asLong(0) + s.inputTokens());
        e.put("output_tokens", e.path("output_tokens").asLong(0) + s.outputTokens());
        e.put("review_calls", e.path("review_calls").asLong(0) + s.calls());
        e.put("review_cost_usd", Math.round((e.path("review_cost_usd").asDouble(0) + s.usd()) * 1_000_000)
                / 1_000_000.0);
        JsonFiles.write(f, e);
    }

    /** Seeds orchestrator.json when absent (upstream's shape). */
    public void seedOrchestrator() throws IOException {
        if (JsonFiles.peek(dir.resolve("state/orchestrator.json")).isPresent()) {
            return;
        }
        ObjectNode o = Json.object();
        o.put("version", "1");
        o.put("currentPhase", "BOOTSTRAP");
        o.put("startedAt", Instant.now().toString());
        o.putObject("agents");
        ObjectNode m = o.putObject("metrics");
        m.put("tasksCompleted", 0);
        m.put("tasksFailed", 0);
        m.put("retries", 0);
        JsonFiles.write(dir.resolve("state/orchestrator.json"), o);
    }

    /** Sets the phase and iteration, keeping whatever else the agent wrote there. */
    public void orchestrator(int iteration, int retries) throws IOException {
        ObjectNode o = JsonFiles.peek(dir.resolve("state/orchestrator.json"))
                .filter(n -> n.isObject()).map(n -> (ObjectNode) n).orElseGet(Json::object);
        o.put("currentPhase", phase(iteration));
        o.put("iteration", iteration);
        ObjectNode m = o.withObjectProperty("metrics");
        m.put("retries", retries);
        JsonFiles.write(dir.resolve("state/orchestrator.json"), o);
    }

    public void iterationEvent(int iteration, String status, int exitCode, String provider, long durationMs) {
        ObjectNode d = Json.object();
        d.put("iteration", iteration);
        d.put("status", status);
        d.put("exitCode", exitCode);
        d.put("provider", provider);
        d.put("duration_ms", durationMs);
        dir.events().append("iteration_complete", d);
    }

    /** {@code queue/current-task.json}: what the iteration in flight works on ({} between iterations). */
    public void currentTask(int iteration, String provider, boolean running) throws IOException {
        ObjectNode t = Json.object();
        if (running) {
            t.put("id", "iteration-" + iteration);
            t.put("type", "iteration");
            t.put("title", Queue.tasks(dir, "pending").stream().map(n -> n.path("title").asText(""))
                    .filter(x -> !x.isBlank()).findFirst().orElse("Iteration " + iteration));
            t.put("status", "in_progress");
            t.put("startedAt", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            t.put("provider", provider);
        }
        JsonFiles.write(dir.resolve("queue/current-task.json"), t);
    }
}
