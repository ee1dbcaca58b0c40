package dev.loki.proof;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the HTML report shows, taken from the already-redacted proof: the template only lays
 * it out, so nothing reaches the page that did not pass through the redactor.
 */
public record ProofView(String runId, String generatedAt, String status, String verdict, String verdictClass,
        String filesSummary, String gatesSummary, String costSummary, String duration, String provider,
        String specSource, String specBrief, String iterationsSummary, List<Row> timeline, List<Row> files,
        List<Row> gates, List<Row> reviewers, List<Row> diffs, String tokens, String hash, String signature,
        String auditHash, String redaction, String rawJson, String issue, List<Row> criteria,
        List<Row> memories) {

    /** One table row, cells in display order; {@code tone} colours it (ok, bad, neutral). */
    public record Row(List<String> cells, String tone) {
    }

    static ProofView of(JsonNode p) {
        JsonNode fc = p.path("files_changed");
        JsonNode qg = p.path("quality_gates");
        JsonNode cost = p.path("cost");
        JsonNode run = p.path("run");
        String verdict = text(p.path("council").path("final_verdict"), "no council vote recorded");
        String status = text(run.path("status"), "unknown");

        List<Row> timeline = new ArrayList<>();
        for (JsonNode c : p.path("checkpoints")) {
            timeline.add(new Row(List.of(text(c.path("iteration"), "-"), text(c.path("created_at"), "-"),
                    text(c.path("id"), "-"), shortSha(c.path("snapshot").asText("")), text(c.path("message"), "")),
                    "neutral"));
        }
        List<Row> files = new ArrayList<>();
        for (JsonNode f : fc.path("files")) {
            String change = f.path("binary").asBoolean() ? "binary"
                    : "+" + f.path("insertions").asLong() + " / -" + f.path("deletions").asLong();
            files.add(new Row(List.of(f.path("status").asText(), f.path("path").asText(), change),
                    "deleted".equals(f.path("status").asText()) ? "bad" : "neutral"));
        }
        List<Row> gates = new ArrayList<>();
        for (JsonNode g : qg.path("gates")) {
            String st = g.path("status").asText();
            gates.add(new Row(List.of(g.path("name").asText(), st, g.path("summary").asText(""),
                    g.has("duration_ms") ? g.path("duration_ms").asLong() + " ms" : ""),
                    RunSections.isPass(st) ? "ok" : "bad"));
        }
        List<Row> reviewers = new ArrayList<>();
        for (JsonNode r : p.path("council").path("reviewers")) {
            String vote = r.path("vote").asText();
            reviewers.add(new Row(List.of(r.path("role").asText(), vote, r.path("summary").asText()),
                    approving(vote) ? "ok" : "bad"));
        }
        List<Row> diffs = new ArrayList<>();
        for (JsonNode d : p.path("diffs")) {
            diffs.add(new Row(List.of(d.path("path").asText(), d.path("patch").asText()), "neutral"));
        }
        String usd = cost.path("usd").isNumber() ? String.format(Locale.ROOT, "$%.4f", cost.path("usd").asDouble())
                : "not recorded";
        String tokens = cost.path("input_tokens").asLong() + " in, " + cost.path("output_tokens").asLong() + " out, "
                + cost.path("cache_read_tokens").asLong() + " cache read, "
                + cost.path("cache_creation_tokens").asLong() + " cache written";
        JsonNode v = p.path("verification");
        JsonNode sig = v.path("signature");
        JsonNode red = p.path("redaction");
        String redaction = red.path("redactions_count").asInt() + " secret(s) removed, "
                + red.path("path_rewrites").asInt() + " path(s) shortened; second scan: "
                + (red.path("second_scan").path("clean").asBoolean(false) ? "clean"
                        : "FOUND " + red.path("second_scan").path("findings").size() + " secret-shaped string(s)");
        JsonNode it = p.path("iterations");
        JsonNode is = p.path("issue");
        String issue = "";
        List<Row> criteria = new ArrayList<>();
        if (is.isObject()) {
            issue = "GitHub issue " + text(is.path("ref"), "#" + is.path("number").asInt()) + ": "
                    + text(is.path("title"), "(no title)") + text(is.path("url"), "", " - ", "");
            List<String> labels = new ArrayList<>();
            is.path("labels").forEach(l -> labels.add(l.asText()));
            if (!labels.isEmpty()) {
                issue += " (labels: " + String.join(", ", labels) + ")";
            }
            for (JsonNode c : is.path("acceptance_criteria")) {
                boolean done = c.path("done").asBoolean();
                criteria.add(new Row(List.of(c.path("text").asText(), done ? "checked" : "open"),
                        done ? "ok" : "neutral"));
            }
        }
        List<Row> memories = new ArrayList<>();
        for (JsonNode m : p.path("memories")) {
            memories.add(new Row(List.of(m.path("id").asText(), m.path("kind").asText(), m.path("title").asText(),
                    String.valueOf(m.path("first_iteration").asInt()), String.valueOf(m.path("uses").asInt())),
                    "neutral"));
        }
        return new ProofView(p.path("run_id").asText(), p.path("generated_at").asText(), status, verdict,
                approving(verdict) ? "ok" : p.path("council").path("final_verdict").isNull() ? "neutral" : "bad",
                fc.path("count").asInt() + " file(s), +" + fc.path("insertions").asLong() + " / -"
                        + fc.path("deletions").asLong() + ("base_head".equals(fc.path("base").asText())
                                ? " (compared against the base HEAD: may include edits made before the run)" : ""),
                qg.path("total").asInt() == 0 ? "no gate results recorded"
                        : qg.path("passed").asInt() + " of " + qg.path("total").asInt() + " passed",
                usd, duration(p.path("wall_clock_sec").asLong()),
                p.path("provider").path("name").asText() + text(p.path("provider").path("model"), "", " (", ")"),
                p.path("spec").path("source").asText(), p.path("spec").path("brief").asText(),
                it.path("count").asInt() + " iteration(s): " + it.path("succeeded").asInt() + " succeeded, "
                        + it.path("failed").asInt() + " failed",
                timeline, files, gates, reviewers, diffs, tokens,
                v.path("hash").asText(""), sig.isObject() ? "Ed25519, public key " + sig.path("public_key").asText()
                        : "not signed",
                text(p.path("audit").path("chain_hash"), "no audit log"), redaction, Json.pretty(p), issue, criteria,
                memories);
    }

    private static boolean approving(String vote) {
        String v = vote.toUpperCase(Locale.ROOT);
        return v.startsWith("APPROVE") || v.equals("COMPLETE") || v.equals("PASS");
    }

    private static String text(JsonNode n, String dflt) {
        return text(n, dflt, "", "");
    }

    private static String text(JsonNode n, String dflt, String before, String after) {
        return n.isMissingNode() || n.isNull() || n.asText().isEmpty() ? dflt : before + n.asText() + after;
    }

    private static String shortSha(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) : sha.isEmpty() ? "(no code snapshot)" : sha;
    }

    static String duration(long sec) {
        if (sec < 60) {
            return sec + " s";
        }
        if (sec < 3600) {
            return (sec / 60) + " min " + (sec % 60) + " s";
        }
        return (sec / 3600) + " h " + ((sec % 3600) / 60) + " min";
    }
}
