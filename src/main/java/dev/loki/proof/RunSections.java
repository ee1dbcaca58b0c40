package dev.loki.proof;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import dev.loki.store.RunRecord;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The proof's sections that come from what the loop, the gates and the council wrote under
 * {@code .loki/}, in upstream's shapes. Every reader is tolerant: a missing or corrupt file is
 * an empty section, never a failed proof.
 */
final class RunSections {
    private static final Pattern ITERATION_FILE = Pattern.compile("iteration-(\\d+)\\.json");
    private static final int BRIEF_MAX = 600;

    private final LokiDir dir;
    private final RunRecord run;
    private final Map<String, String> env;

    RunSections(LokiDir dir, RunRecord run, Map<String, String> env) {
        this.dir = dir;
        this.run = run;
        this.env = env;
    }

    ObjectNode spec() {
        ObjectNode o = Json.object();
        Optional<Path> file = Optional.empty();
        if (!run.specPath().isEmpty()) {
            Path p = dir.workTree().resolve(run.specPath()).normalize();
            file = Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
        }
        Path generated = dir.resolve("generated-prd.md");
        if (file.isEmpty() && Files.isRegularFile(generated)) {
            file = Optional.of(generated);
        }
        if (file.isPresent()) {
            o.put("source", file.get().toString());
            o.put("brief", readHead(file.get(), BRIEF_MAX * 4));
        } else {
            o.put("source", run.specPath().isEmpty() ? "codebase-analysis" : run.specPath());
            o.put("brief", "");
        }
        return o;
    }

    /** Brief length cap, applied after redaction so a cut never leaves half a secret behind. */
    static void capBrief(ObjectNode proof) {
        JsonNode spec = proof.get("spec");
        if (spec instanceof ObjectNode s && s.path("brief").asText().length() > BRIEF_MAX) {
            s.put("brief", s.path("brief").asText().substring(0, BRIEF_MAX));
        }
        JsonNode council = proof.path("council").path("reviewers");
        for (JsonNode r : council) {
            if (r instanceof ObjectNode ro && ro.path("summary").asText().length() > 300) {
                ro.put("summary", ro.path("summary").asText().substring(0, 300));
            }
        }
    }

    /**
     * The run's iteration records ({@code metrics/efficiency/iteration-N.json}): the current
     * run's are in metrics/, an earlier run's were moved to {@code runs/<id>/efficiency/} when
     * the next run started.
     */
    List<JsonNode> efficiencyRecords() {
        boolean current = RunRecord.current(dir).map(r -> r.runId().equals(run.runId())).orElse(true);
        Path archived = dir.resolve("runs").resolve(run.runId()).resolve("efficiency");
        Path d = !current && Files.isDirectory(archived) ? archived : dir.resolve("metrics/efficiency");
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(d)) {
            s.filter(p -> ITERATION_FILE.matcher(p.getFileName().toString()).matches()).forEach(files::add);
        } catch (IOException e) {
            return List.of();
        }
        files.sort(Comparator.comparingInt(RunSections::iterationOf));
        List<JsonNode> out = new ArrayList<>();
        for (Path p : files) {
            JsonFiles.read(p).filter(JsonNode::isObject).ifPresent(out::add);
        }
        return out;
    }

    private static int iterationOf(Path p) {
        Matcher m = ITERATION_FILE.matcher(p.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : 0;
    }

    ObjectNode provider(List<JsonNode> efficiency) {
        ObjectNode o = Json.object();
        String name = run.provider();
        String model = "";
        for (JsonNode r : efficiency) {
            if (!r.path("model").asText().isEmpty()) {
                model = r.path("model").asText();
            }
            if (name.isEmpty() && !r.path("provider").asText().isEmpty()) {
                name = r.path("provider").asText();
            }
        }
        if (model.isEmpty()) {
            model = env.getOrDefault("SESSION_MODEL", "");
        }
        o.put("name", name.isEmpty() ? "unknown" : name);
        if (model.isEmpty()) {
            o.putNull("model");
        } else {
            o.put("model", model);
        }
        return o;
    }

    /**
     * Iterations counted from the run's iteration records (one per provider call, with the
     * call's status), never from the task queue: tasks and iterations are different things.
     */
    ObjectNode iterations(List<JsonNode> efficiency) {
        int succeeded = 0;
        int failed = 0;
        for (JsonNode r : efficiency) {
            String status = r.path("status").asText("").toLowerCase(Locale.ROOT);
            if (status.equals("completed") || status.equals("succeeded") || status.equals("success")) {
                succeeded++;
            } else if (status.equals("failed") || status.equals("failure") || status.equals("error")) {
                failed++;
            }
        }
        ObjectNode o = Json.object();
        o.put("count", Math.max(Math.max(run.iterations(), succeeded + failed), efficiency.size()));
        o.put("succeeded", succeeded);
        o.put("failed", failed);
        o.put("max", run.maxIterations());
        return o;
    }

    /** Summed token counts and cost; {@code usd} is null when no record was read, a real 0.0 stays. */
    ObjectNode cost(List<JsonNode> efficiency) {
        ObjectNode o = Json.object();
        long in = 0;
        long out = 0;
        long cacheRead = 0;
        long cacheCreate = 0;
        BigDecimal usd = BigDecimal.ZERO;
        boolean anyUsd = false;
        for (JsonNode r : efficiency) {
            in += r.path("input_tokens").asLong(0);
            out += r.path("output_tokens").asLong(0);
            cacheRead += r.path("cache_read_tokens").asLong(0);
            cacheCreate += r.path("cache_creation_tokens").asLong(0);
            if (r.path("cost_usd").isNumber()) {
                usd = usd.add(r.path("cost_usd").decimalValue());
                anyUsd = true;
            }
        }
        if (anyUsd) {
            o.put("usd", usd.setScale(4, RoundingMode.HALF_EVEN).doubleValue());
        } else {
            o.putNull("usd");
        }
        o.put("input_tokens", in);
        o.put("output_tokens", out);
        o.put("cache_read_tokens", cacheRead);
        o.put("cache_creation_tokens", cacheCreate);
        return o;
    }

    /**
     * Gate results: the per-gate detail of {@code quality/latest.json} when the gates wrote it,
     * else upstream's {@code state/quality-gates.json}. {@code passed} counts gates (upstream's
     * meaning), {@code all_passed} is the verdict.
     */
    ObjectNode qualityGates() {
        ObjectNode o = Json.object();
        ArrayNode gates = Json.MAPPER.createArrayNode();
        Optional<JsonNode> latest = JsonFiles.read(dir.resolve("quality/latest.json")).filter(JsonNode::isObject);
        Optional<JsonNode> legacy = JsonFiles.read(dir.resolve("state/quality-gates.json")).filter(JsonNode::isObject);
        String source = "none";
        if (latest.isPresent() && latest.get().path("results").isArray()) {
            source = "quality/latest.json";
            for (JsonNode r : latest.get().path("results")) {
                ObjectNode g = gates.addObject();
                g.put("name", r.path("name").asText("?"));
                g.put("status", r.path("status").asText("unknown"));
                g.put("summary", r.path("summary").asText(""));
                g.put("duration_ms", r.path("duration_ms").asLong(0));
            }
            o.put("iteration", latest.get().path("iteration").asInt(0));
            o.put("code_review_blocked", latest.get().path("code_review_blocked").asBoolean(false));
            o.put("timestamp", latest.get().path("timestamp").asText(""));
        } else if (legacy.isPresent()) {
            source = "state/quality-gates.json";
            for (JsonNode r : legacy.get().path("gates")) {
                ObjectNode g = gates.addObject();
                g.put("name", r.path("name").asText("?"));
                g.put("status", r.path("status").asText("unknown"));
            }
        }
        int passed = 0;
        for (JsonNode g : gates) {
            if (isPass(g.path("status").asText())) {
                passed++;
            }
        }
        if (gates.isEmpty() && legacy.isPresent()) {
            passed = legacy.get().path("passed").asInt(0);
        }
        int total = gates.isEmpty() && legacy.isPresent() ? legacy.get().path("total").asInt(0) : gates.size();
        o.put("passed", passed);
        o.put("total", total);
        o.put("all_passed", total > 0 && passed == total);
        o.set("gates", gates);
        o.put("source", source);
        return o;
    }

    static boolean isPass(String status) {
        String s = status.toLowerCase(Locale.ROOT);
        return s.equals("pass") || s.equals("passed") || s.equals("ok") || s.equals("success") || s.equals("skipped");
    }

    /** The latest chain hash of the dashboard's audit log, when there is one. */
    ObjectNode audit() {
        ObjectNode o = Json.object();
        Path d = dir.resolve("audit");
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(d)) {
            try (Stream<Path> s = Files.list(d)) {
                // the names the dashboard's audit log writes: another .jsonl dropped there is not the chain
                s.filter(p -> p.getFileName().toString().matches("audit-.*\\.jsonl")).forEach(files::add);
            } catch (IOException e) {
                files.clear();
            }
        }
        files.sort(Comparator.comparing((Path p) -> p.getFileName().toString()));
        for (int i = files.size() - 1; i >= 0; i--) {
            Optional<String> hash = lastHash(files.get(i));
            if (hash.isPresent()) {
                o.put("present", true);
                o.put("chain_hash", hash.get());
                o.put("file", "audit/" + files.get(i).getFileName());
                return o;
            }
        }
        o.put("present", false);
        o.putNull("chain_hash");
        return o;
    }

    private static Optional<String> lastHash(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).isBlank()) {
                    continue;
                }
                try {
                    String h = Json.parse(lines.get(i)).path("hash").asText("");
                    return h.isEmpty() ? Optional.empty() : Optional.of(h);
                } catch (IOException e) {
                    // a torn last line (the dashboard was killed mid-write): the one before it counts
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static String readHead(Path p, int maxChars) {
        try {
            String s = Files.readString(p, StandardCharsets.UTF_8);
            return s.length() > maxChars ? s.substring(0, maxChars) : s;
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The memories of earlier runs that went into this run's prompts, from
     * {@code memory/used.jsonl} (written by the memory package), once each, first use first.
     */
    ArrayNode memories() {
        ArrayNode out = Json.MAPPER.createArrayNode();
        Path f = dir.resolve("memory/used.jsonl");
        if (!Files.isRegularFile(f) || run.runId().isEmpty()) {
            return out;
        }
        java.util.Map<String, ObjectNode> seen = new java.util.LinkedHashMap<>();
        try (Stream<String> lines = Files.lines(f, StandardCharsets.UTF_8)) {
            lines.forEach(l -> {
                try {
                    JsonNode n = Json.parse(l);
                    if (run.runId().equals(n.path("run_id").asText()) && !n.path("id").asText("").isEmpty()) {
                        ObjectNode m = seen.computeIfAbsent(n.path("id").asText(), k -> {
                            ObjectNode o = Json.object();
                            o.put("id", k);
                            o.put("kind", n.path("kind").asText(""));
                            o.put("title", n.path("title").asText(""));
                            o.put("first_iteration", n.path("iteration").asInt(0));
                            o.put("uses", 0);
                            return o;
                        });
                        m.put("uses", m.path("uses").asInt() + 1);
                    }
                } catch (IOException e) {
                    // a torn line: skip it
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            return out;
        }
        seen.values().forEach(out::add);
        return out;
    }
}
