package dev.loki.memory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import dev.loki.store.RunRecord;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Turns a finished run into an episode: the task (the spec's opening), the outcome, each gate
 * that failed and the iteration whose changes made it pass, the council's objections, the
 * files touched and the cost. Read from what the run left in {@code .loki/} (events, the
 * proof when one was written, the efficiency records), so it needs nothing from the loop.
 */
public final class Episodes {
    private static final int MAX_EVENTS = 20_000;

    private Episodes() {
    }

    /** Records the episode of {@code run}; empty when memory is off. */
    public static Optional<Memory> record(LokiDir dir, Map<String, String> env, RunRecord run, String status,
            String reason) {
        if (!MemorySettings.fromEnv(env).enabled()) {
            return Optional.empty();
        }
        Memory m = build(dir, run, status, reason);
        try (MemoryStore store = MemoryStore.open(dir, env)) {
            return Optional.of(store.add(m));
        }
    }

    static Memory build(LokiDir dir, RunRecord run, String status, String reason) {
        Instant since = parse(run.startedAt()).orElse(Instant.EPOCH);
        Map<String, Integer> failedAt = new LinkedHashMap<>();
        Map<String, String> failure = new LinkedHashMap<>();
        List<String> fixes = new ArrayList<>();
        List<String> objections = new ArrayList<>();
        String claim = "";
        for (JsonNode e : dir.events().tail(MAX_EVENTS)) {
            if (parse(e.path("timestamp").asText("")).map(t -> t.isBefore(since)).orElse(true)) {
                continue;
            }
            JsonNode d = e.path("data");
            switch (e.path("type").asText("")) {
                case "gate_result" -> {
                    String gate = d.path("gate").asText("?");
                    String st = d.path("status").asText("").toLowerCase(Locale.ROOT);
                    int it = d.path("iteration").asInt(0);
                    if (st.equals("fail") || st.equals("failed") || st.equals("error")) {
                        failedAt.putIfAbsent(gate, it);
                        failure.putIfAbsent(gate, firstLine(d.path("summary").asText("")));
                    } else if ((st.equals("pass") || st.equals("passed")) && failedAt.containsKey(gate)) {
                        fixes.add("gate '" + gate + "' failed in iteration " + failedAt.get(gate) + " ("
                                + failure.get(gate) + ") and passed again in iteration " + it + " after the agent"
                                + " fixed it");
                        failedAt.remove(gate);
                        failure.remove(gate);
                    }
                }
                case "council_decision" -> {
                    if (!"APPROVE".equals(d.path("verdict").asText(""))) {
                        String r = firstLine(d.path("reason").asText(""));
                        if (!r.isEmpty() && objections.size() < 5) {
                            objections.add("iteration " + d.path("iteration").asInt(0) + ": " + r);
                        }
                    }
                }
                case "task_completion_claim" -> claim = firstLine(d.path("statement").asText(""));
                default -> {
                }
            }
        }
        JsonNode proof = JsonFiles.peek(dir.resolve("proofs").resolve(run.runId()).resolve("proof.json"))
                .orElse(null);
        List<String> files = new ArrayList<>();
        if (proof != null) {
            for (JsonNode f : proof.path("files_changed").path("files")) {
                if (files.size() < 50) {
                    files.add(f.path("path").asText());
                }
            }
        }
        double cost = proof != null && proof.path("cost").path("usd").isNumber()
                ? proof.path("cost").path("usd").asDouble() : efficiencyCost(dir);

        String task = task(dir, run);
        String outcome = outcome(status);
        StringBuilder body = new StringBuilder();
        body.append("Outcome: ").append(outcome).append(" (").append(status)
                .append(reason.isBlank() ? "" : ": " + reason).append(") after ").append(run.iterations())
                .append(" iteration(s).");
        fixes.forEach(f -> body.append("\nFixed: ").append(f).append('.'));
        failedAt.forEach((g, it) -> body.append("\nStill failing: gate '").append(g).append("' since iteration ")
                .append(it).append(" (").append(failure.get(g)).append(")."));
        objections.forEach(o -> body.append("\nCouncil objection: ").append(o));
        if (!claim.isEmpty()) {
            body.append("\nCompletion claim: ").append(claim);
        }
        if (!files.isEmpty()) {
            body.append("\nFiles touched: ").append(String.join(", ", files));
        }
        if (cost > 0) {
            body.append(String.format(Locale.ROOT, "\nCost: $%.4f", cost));
        }
        Set<String> tags = new LinkedHashSet<>();
        tags.add(outcome);
        fixes.forEach(f -> tags.add("gate-fixed"));
        failedAt.keySet().forEach(g -> tags.add("gate-failing"));
        String title = "Run " + run.runId() + " (" + outcome + "): " + cut(task.isEmpty() ? run.specPath() : task, 120);
        return new Memory("", Memory.EPISODE, title, body.toString(), task, outcome, run.runId(),
                parse(run.endedAt()).orElse(Instant.now()), files, List.copyOf(tags), cost, "loki start");
    }

    static String outcome(String status) {
        return switch (status) {
            case "completion_promise_fulfilled", "council_approved", "council_force_stop" -> "success";
            case "stopped", "interrupted" -> "stopped";
            case "max_iterations_reached" -> "incomplete";
            default -> "failure";
        };
    }

    /** The spec's opening: its first heading and first lines, at most 400 characters. */
    private static String task(LokiDir dir, RunRecord run) {
        if (run.specPath().isEmpty()) {
            return "";
        }
        Path p = dir.workTree().resolve(run.specPath()).normalize();
        if (!p.startsWith(dir.workTree()) || !Files.isRegularFile(p)) {
            return run.specPath();
        }
        try (Stream<String> lines = Files.lines(p, StandardCharsets.UTF_8)) {
            String text = String.join(" ", lines.limit(30).map(String::strip).filter(l -> !l.isEmpty())
                    .map(l -> l.replaceFirst("^#+\\s*", "").replaceFirst("^[-*]\\s+", "")).toList());
            return cut(text, 400);
        } catch (IOException | java.io.UncheckedIOException e) {
            return run.specPath();
        }
    }

    private static double efficiencyCost(LokiDir dir) {
        Path d = dir.resolve("metrics/efficiency");
        BigDecimal sum = BigDecimal.ZERO;
        if (!Files.isDirectory(d)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(d)) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
                JsonNode n = JsonFiles.peek(p).orElse(null);
                if (n != null && n.path("cost_usd").isNumber()) {
                    sum = sum.add(n.path("cost_usd").decimalValue());
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return sum.doubleValue();
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return cut(nl < 0 ? t : t.substring(0, nl), 200);
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    private static Optional<Instant> parse(String ts) {
        try {
            return ts.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(ts));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
