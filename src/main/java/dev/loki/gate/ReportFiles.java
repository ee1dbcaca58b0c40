package dev.loki.gate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import java.time.Instant;

/**
 * The summary files other parts read: {@code quality/latest.json} (the whole GateReport, for the
 * proof and the dashboard), upstream's {@code state/quality-gates.json} {@code {passed,total,gates}},
 * and one {@code gate_result} event per gate.
 */
final class ReportFiles {
    private static final int MAX_EVENT_SUMMARY = 500;

    private ReportFiles() {
    }

    static void write(LokiDir dir, GateReport report) {
        String now = Instant.now().toString();
        ObjectNode latest = Json.object();
        latest.put("iteration", report.iteration());
        latest.put("passed", report.passed());
        ArrayNode arr = latest.putArray("results");
        for (GateResult r : report.results()) {
            arr.addObject().put("name", r.name()).put("status", r.status()).put("summary", r.summary())
                    .put("duration_ms", r.durationMs());
        }
        latest.put("code_review_blocked", report.codeReviewBlocked());
        latest.put("pause_requested", report.pauseRequested());
        latest.put("timestamp", now);
        QualityFiles.writeJson(dir.resolve("quality").resolve("latest.json"), latest);

        // skipped gates are listed but not counted, so "1 of 1" is not shown as "1 of 3"
        ObjectNode state = Json.object();
        state.put("passed", report.results().stream().filter(r -> GateResult.PASS.equals(r.status())).count());
        state.put("total", report.results().stream().filter(r -> !GateResult.SKIPPED.equals(r.status())).count());
        ArrayNode gates = state.putArray("gates");
        report.results().forEach(r -> gates.addObject().put("name", r.name()).put("status", r.status()));
        state.put("iteration", report.iteration());
        state.put("timestamp", now);
        QualityFiles.writeJson(dir.resolve("state").resolve("quality-gates.json"), state);

        for (GateResult r : report.results()) {
            ObjectNode ev = Json.object();
            ev.put("iteration", report.iteration());
            ev.put("gate", r.name());
            ev.put("status", r.status());
            String s = r.summary();
            ev.put("summary", s.length() > MAX_EVENT_SUMMARY ? s.substring(0, MAX_EVENT_SUMMARY) + "..." : s);
            ev.put("duration_ms", r.durationMs());
            dir.events().append("gate_result", ev);
        }
    }
}
