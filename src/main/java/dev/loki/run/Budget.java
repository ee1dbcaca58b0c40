package dev.loki.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.provider.Pricing;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import dev.loki.store.Signals;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The spend limit ({@code LOKI_BUDGET_LIMIT}, USD). Spend is the sum over this run's {@code
 * metrics/efficiency/iteration-*.json}: each file's {@code cost_usd}, or its tokens at list
 * prices. At 80% the loop warns; at 100% it writes PAUSE and {@code signals/BUDGET_EXCEEDED},
 * so the run waits for a person instead of spending more.
 */
public final class Budget {
    public enum Level { NONE, OK, WARNING, EXCEEDED }

    private final LokiDir dir;
    private final Optional<Double> limit;
    private boolean warned;

    public Budget(LokiDir dir, Optional<Double> limit) {
        this.dir = dir;
        this.limit = limit;
    }

    public Optional<Double> limit() {
        return limit;
    }

    /** Spend so far, rounded to 4 decimals. */
    public double spend() {
        return Math.round(sum(dir.resolve("metrics/efficiency")) * 10_000) / 10_000.0;
    }

    /**
     * What every run of this project spent, rounded to 4 decimals: the current run's iterations and
     * those a new run moved to {@code runs/<id>/efficiency} (or {@code runs/unrecorded/efficiency}).
     */
    public static double spendOfEveryRun(LokiDir dir) {
        double sum = sum(dir.resolve("metrics/efficiency"));
        Path runs = dir.resolve("runs");
        if (Files.isDirectory(runs)) {
            try (Stream<Path> each = Files.list(runs)) {
                for (Path run : each.toList()) {
                    sum += sum(run.resolve("efficiency"));
                }
            } catch (IOException e) {
                // what could be read is counted
            }
        }
        return Math.round(sum * 10_000) / 10_000.0;
    }

    private static double sum(Path eff) {
        if (!Files.isDirectory(eff)) {
            return 0;
        }
        double sum = 0;
        try (Stream<Path> files = Files.list(eff)) {
            for (Path p : files.filter(f -> f.getFileName().toString().matches("iteration-\\d+\\.json")).toList()) {
                sum += JsonFiles.peek(p).map(Budget::costOf).orElse(0.0);
            }
        } catch (IOException e) {
            return 0;
        }
        return sum;
    }

    static double costOf(JsonNode n) {
        JsonNode c = n.get("cost_usd");
        if (c != null && c.isNumber() && c.asDouble() > 0) {
            return c.asDouble();
        }
        return Pricing.of(n.path("model").asText("")).cost(n.path("input_tokens").asLong(0),
                n.path("output_tokens").asLong(0));
    }

    /** Writes metrics/budget.json at the start of a run with a limit. */
    public void init() throws IOException {
        if (limit.isEmpty()) {
            return;
        }
        ObjectNode b = Json.object();
        b.put("limit", limit.get());
        b.put("budget_limit", limit.get());
        b.put("budget_used", spend());
        b.put("exceeded", false);
        b.put("created_at", Instant.now().toString());
        JsonFiles.write(dir.resolve("metrics/budget.json"), b);
        if (spend() < limit.get()) {
            new Signals(dir).clear(Signals.BUDGET_EXCEEDED);
        }
    }

    /** Checks the limit; on EXCEEDED the PAUSE and BUDGET_EXCEEDED files are already written. */
    public Level check() throws IOException {
        if (limit.isEmpty()) {
            return Level.NONE;
        }
        double spent = spend();
        double lim = limit.get();
        if (spent >= lim) {
            Signals s = new Signals(dir);
            ObjectNode sig = Json.object();
            sig.put("type", "BUDGET_EXCEEDED");
            sig.put("limit", lim);
            sig.put("current", spent);
            sig.put("timestamp", Instant.now().toString());
            s.raise(Signals.BUDGET_EXCEEDED, Json.pretty(sig) + "\n");
            s.requestPause();
            writeBudget(spent, true);
            dir.events().append("budget_exceeded", sig);
            return Level.EXCEEDED;
        }
        if (spent > 0) {
            writeBudget(spent, false);
        }
        if (spent >= 0.8 * lim) {
            if (!warned) {
                ObjectNode ev = Json.object();
                ev.put("limit", lim);
                ev.put("current", spent);
                dir.events().append("budget_warning", ev);
                warned = true;
            }
            return Level.WARNING;
        }
        return Level.OK;
    }

    private void writeBudget(double spent, boolean exceeded) throws IOException {
        ObjectNode b = Json.object();
        b.put("limit", limit.orElse(0.0));
        b.put("budget_limit", limit.orElse(0.0));
        b.put("budget_used", spent);
        b.put("exceeded", exceeded);
        if (exceeded) {
            b.put("exceeded_at", Instant.now().toString());
        }
        JsonFiles.write(dir.resolve("metrics/budget.json"), b);
    }
}
