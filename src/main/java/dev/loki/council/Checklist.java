package dev.loki.council;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Upstream's council hard gate: a checklist item with priority critical whose verification is
 * failing, and that is not waived, stops the council from approving. Reads the agent-written
 * {@code checklist/verification-results.json} and {@code checklist/waivers.json} tolerantly
 * (a top-level array, or one under items/results/checks/waivers).
 */
final class Checklist {
    private Checklist() {
    }

    /** Ids (or titles) of the blocking items; empty when nothing blocks or there is no checklist. */
    static List<String> criticalFailures(LokiDir dir) {
        JsonNode results = JsonFiles.peek(dir.resolve("checklist").resolve("verification-results.json")).orElse(null);
        if (results == null) {
            return List.of();
        }
        Set<String> waived = new HashSet<>();
        JsonNode waivers = JsonFiles.peek(dir.resolve("checklist").resolve("waivers.json")).orElse(null);
        for (JsonNode w : items(waivers, "waivers")) {
            String id = id(w);
            if (!id.isEmpty() && !"false".equals(w.path("active").asText("true"))) {
                waived.add(id);
            }
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : items(results, "items")) {
            String priority = item.path("priority").asText("").toLowerCase(Locale.ROOT);
            String status = item.path("status").asText("").toLowerCase(Locale.ROOT);
            boolean failing = status.equals("failing") || status.equals("failed") || status.equals("fail");
            String id = id(item);
            if (priority.equals("critical") && failing && !waived.contains(id)) {
                out.add(id.isEmpty() ? item.path("title").asText("(unnamed item)") : id);
            }
        }
        return out;
    }

    static boolean hasResults(LokiDir dir) {
        return java.nio.file.Files.isRegularFile(dir.resolve("checklist").resolve("verification-results.json"));
    }

    private static List<JsonNode> items(JsonNode n, String preferred) {
        List<JsonNode> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        JsonNode arr = n.isArray() ? n : n.path(preferred);
        for (String key : List.of("items", "results", "checks", "waivers")) {
            if (arr.isArray()) {
                break;
            }
            arr = n.path(key);
        }
        if (arr.isArray()) {
            arr.forEach(x -> {
                if (x.isObject()) {
                    out.add(x);
                } else if (x.isTextual()) {
                    out.add(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("id", x.asText()));
                }
            });
        }
        return out;
    }

    private static String id(JsonNode n) {
        for (String k : List.of("id", "item_id", "itemId")) {
            if (n.path(k).isTextual() || n.path(k).isNumber()) {
                return n.path(k).asText();
            }
        }
        return "";
    }
}
