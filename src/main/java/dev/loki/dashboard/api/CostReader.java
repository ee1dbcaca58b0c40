package dev.loki.dashboard.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.dashboard.BoundedFiles;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Token use and cost from {@code metrics/efficiency/iteration-N.json} and the budget from
 * {@code metrics/budget.json} (limit falling back to {@code LOKI_BUDGET_LIMIT}), in upstream's
 * {@code /api/cost} shape. A file's {@code cost_usd} wins; without it tokens are priced per
 * million (pricing.json, else upstream's defaults, unknown models as sonnet). The totals are
 * cached until the directory changes, and at most {@value #MAX_FILES} files are read.
 */
public final class CostReader {
    static final int MAX_FILES = 10_000;
    private static final Map<String, double[]> DEFAULT_PRICES = Map.of(
            "opus", new double[] {5, 25}, "sonnet", new double[] {3, 15}, "haiku", new double[] {1, 5},
            "gpt-5.3-codex", new double[] {1.5, 12});
    private static final Map<Path, Cached> CACHE = new ConcurrentHashMap<>();

    private record Cached(FileTime mtime, ObjectNode totals) {
    }

    private CostReader() {
    }

    /** The {@code /api/cost} document. */
    public static ObjectNode cost(LokiDir loki, Map<String, String> env) {
        ObjectNode o = totals(loki).deepCopy();
        Optional<ObjectNode> budget = budget(loki, env);
        JsonNode limit = budget.map(b -> b.path("limit")).orElse(Json.MAPPER.nullNode());
        double used = o.path("estimated_cost_usd").asDouble();
        o.set("budget_limit", limit.isNumber() ? limit : Json.MAPPER.nullNode());
        o.put("budget_used", budget.map(b -> b.path("used").asDouble(used)).orElse(used));
        if (limit.isNumber()) {
            o.put("budget_remaining", Math.max(0, round(limit.asDouble() - o.path("budget_used").asDouble())));
        } else {
            o.putNull("budget_remaining");
        }
        return o;
    }

    /** {@code {limit, used, exceeded}} when a limit is known (file or environment). */
    public static Optional<ObjectNode> budget(LokiDir loki, Map<String, String> env) {
        Optional<JsonNode> file = BoundedFiles.json(loki, loki.resolve("metrics/budget.json"), 64 * 1024);
        Optional<Double> limit = file.flatMap(f -> number(f.has("limit") ? f.get("limit") : f.path("budget_limit")))
                .or(() -> parse(env.getOrDefault("LOKI_BUDGET_LIMIT", "")))
                .filter(l -> l > 0);
        if (limit.isEmpty()) {
            return Optional.empty();
        }
        double used = file.flatMap(f -> number(f.path("budget_used")))
                .orElseGet(() -> totals(loki).path("estimated_cost_usd").asDouble());
        ObjectNode b = Json.object();
        b.put("limit", limit.get());
        b.put("used", round(used));
        b.put("exceeded", used >= limit.get() || Files.exists(loki.resolve("signals/BUDGET_EXCEEDED")));
        return Optional.of(b);
    }

    private static ObjectNode totals(LokiDir loki) {
        Path dir = loki.resolve("metrics/efficiency");
        FileTime mtime;
        try {
            mtime = Files.getLastModifiedTime(dir);
        } catch (IOException e) {
            return compute(loki, List.of());
        }
        Cached c = CACHE.get(dir);
        if (c != null && c.mtime().equals(mtime)) {
            return c.totals();
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().limit(MAX_FILES).toList();
        } catch (IOException e) {
            files = List.of();
        }
        ObjectNode t = compute(loki, files);
        CACHE.put(dir, new Cached(mtime, t));
        return t;
    }

    private static ObjectNode compute(LokiDir loki, List<Path> files) {
        Map<String, double[]> prices = prices(loki);
        long in = 0;
        long out = 0;
        double cost = 0;
        TreeMap<String, Double> byPhase = new TreeMap<>();
        TreeMap<String, Double> byModel = new TreeMap<>();
        int counted = 0;
        for (Path f : files) {
            Optional<JsonNode> n = BoundedFiles.json(loki, f, 256 * 1024).filter(JsonNode::isObject);
            if (n.isEmpty()) {
                continue;
            }
            JsonNode e = n.get();
            long i = e.path("input_tokens").asLong(0);
            long o = e.path("output_tokens").asLong(0);
            String model = e.path("model").asText("unknown");
            double c = number(e.path("cost_usd")).orElseGet(() -> price(prices, model, i, o));
            in += i;
            out += o;
            cost += c;
            byPhase.merge(e.path("phase").asText("unknown"), c, Double::sum);
            byModel.merge(model, c, Double::sum);
            counted++;
        }
        ObjectNode r = Json.object();
        r.put("total_input_tokens", in);
        r.put("total_output_tokens", out);
        r.put("estimated_cost_usd", round(cost));
        ObjectNode p = r.putObject("by_phase");
        byPhase.forEach((k, v) -> p.put(k, round(v)));
        ObjectNode m = r.putObject("by_model");
        byModel.forEach((k, v) -> m.put(k, round(v)));
        r.put("iterations_counted", counted);
        return r;
    }

    private static Map<String, double[]> prices(LokiDir loki) {
        Map<String, double[]> out = new TreeMap<>(DEFAULT_PRICES);
        BoundedFiles.json(loki, loki.resolve("pricing.json"), 256 * 1024).ifPresent(p -> {
            for (Map.Entry<String, JsonNode> e : p.path("models").properties()) {
                if (e.getValue().path("input").isNumber() && e.getValue().path("output").isNumber()) {
                    out.put(e.getKey().toLowerCase(Locale.ROOT), new double[] {
                        e.getValue().path("input").asDouble(), e.getValue().path("output").asDouble()});
                }
            }
        });
        return out;
    }

    private static double price(Map<String, double[]> prices, String model, long in, long out) {
        String m = model.toLowerCase(Locale.ROOT);
        double[] p = prices.get(m);
        if (p == null) {
            p = prices.entrySet().stream().filter(e -> m.contains(e.getKey())).map(Map.Entry::getValue).findFirst()
                    .orElse(DEFAULT_PRICES.get("sonnet"));
        }
        return in / 1e6 * p[0] + out / 1e6 * p[1];
    }

    private static Optional<Double> number(JsonNode n) {
        if (n != null && n.isNumber()) {
            return Optional.of(n.asDouble());
        }
        return n != null && n.isTextual() ? parse(n.asText()) : Optional.empty();
    }

    private static Optional<Double> parse(String s) {
        try {
            return s.isBlank() ? Optional.empty() : Optional.of(Double.parseDouble(s.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }
}
