package dev.loki.gate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import java.util.List;

/** Upstream's {@code state/findings-<iter>.json}: every reviewer finding, for the dashboard and prompt. */
final class FindingsFile {
    private FindingsFile() {
    }

    static void write(LokiDir dir, String reviewId, int iteration, List<ReviewVerdict> verdicts) {
        ObjectNode o = Json.object();
        o.put("review_id", reviewId);
        o.put("iteration", iteration);
        ArrayNode arr = o.putArray("findings");
        for (ReviewVerdict v : verdicts) {
            for (ReviewVerdict.Finding f : v.findings()) {
                ObjectNode n = arr.addObject();
                n.put("reviewId", reviewId);
                n.put("iteration", iteration);
                n.put("reviewer", v.reviewer());
                n.put("severity", f.severity());
                n.put("description", f.description());
                n.put("file", f.file());
                n.put("line", f.line());
                n.put("raw", "[" + f.severity() + "] " + f.description());
            }
        }
        QualityFiles.writeJson(dir.resolve("state").resolve("findings-" + iteration + ".json"), o);
    }
}
