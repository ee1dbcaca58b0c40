package dev.loki.mcp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.memory.Consolidation;
import dev.loki.memory.Memory;
import dev.loki.memory.MemoryStore;
import dev.loki.store.Json;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The memory of past runs: retrieve, search, timeline, get, store a pattern, consolidate. */
final class MemoryTools {
    private static final List<String> KINDS = List.of("all", "episode", "pattern");

    private MemoryTools() {
    }

    static List<ToolSpec> all(McpContext c) {
        return List.of(
                ToolSpec.read("loki_memory_retrieve", "The memories most relevant to a goal, within a token budget"
                        + " (what loki puts into its prompts).",
                        Schema.object().string("query", "The goal or task to find memories for.", true, 4000)
                                .integer("top_k", "At most this many (default 5).", 1, 20)
                                .integer("token_budget", "Approximate token budget for all results (default 1000).",
                                        50, 8000),
                        (a, who) -> retrieve(c, a.string("query"), a.integer("top_k", 5), a.integer("token_budget", 1000))),
                ToolSpec.control("loki_memory_store_pattern", "Remember a lesson for later runs (secrets are redacted"
                        + " before it is stored).",
                        Schema.object().string("pattern", "The lesson: what to do or avoid, and why.", true, 4000)
                                .string("title", "A short name for it.", false, 200)
                                .string("category", "e.g. testing, build, style.", false, 100)
                                .strings("tags", "Words to find it by.", 10),
                        (a, who) -> storePattern(c, a, who)),
                ToolSpec.read("mem_search", "Full-text search (BM25, boosted for recency and outcome) over episodes"
                        + " and patterns.",
                        Schema.object().string("query", "What to search for.", true, 1000)
                                .integer("limit", "At most this many (default 10).", 1, 50)
                                .enumeration("kind", "episode, pattern or all (default).", KINDS, false),
                        (a, who) -> search(c, a.string("query"), a.integer("limit", 10), kind(a))),
                ToolSpec.read("mem_timeline", "Memories newest first.",
                        Schema.object().integer("limit", "At most this many (default 20).", 1, 200)
                                .enumeration("kind", "episode, pattern or all (default).", KINDS, false),
                        (a, who) -> timeline(c, a.integer("limit", 20), kind(a))),
                ToolSpec.read("mem_get", "One memory in full.",
                        Schema.object().id("id", "The memory id (from mem_search or mem_timeline).", true),
                        (a, who) -> get(c, a.string("id"))),
                ToolSpec.control("loki_consolidate_memory", "Turn gate failures fixed in several runs into patterns,"
                        + " and apply the size cap.", Schema.object(), (a, who) -> consolidate(c)));
    }

    private static Optional<String> kind(Args a) {
        return a.optional("kind").filter(k -> !k.equals("all"));
    }

    static ObjectNode retrieve(McpContext c, String query, int topK, int budget) {
        List<MemoryStore.Hit> hits = c.memory().search(query, topK, Optional.empty());
        ObjectNode o = Json.object();
        ArrayNode arr = o.putArray("results");
        int left = budget;
        for (MemoryStore.Hit h : hits) {
            ObjectNode r = hit(h);
            int cost = h.memory().tokens();
            if (cost > left) {
                int chars = Math.max(0, left * 4 - h.memory().title().length() - 40);
                if (chars < 80) {
                    break;
                }
                r.put("body", h.memory().body().substring(0, Math.min(chars, h.memory().body().length())) + "...");
                r.put("truncated", true);
                cost = left;
            }
            left -= cost;
            arr.add(r);
        }
        o.put("count", arr.size());
        o.put("query", query.length() > 200 ? query.substring(0, 200) : query);
        return o;
    }

    static ObjectNode storePattern(McpContext c, Args a, Caller who) {
        String text = a.string("pattern").strip();
        String title = a.optional("title").orElse(text.length() > 80 ? text.substring(0, 80) : text);
        List<String> tags = new java.util.ArrayList<>(a.strings("tags"));
        a.optional("category").ifPresent(tags::add);
        Memory stored = c.memory().add(new Memory("", Memory.PATTERN, title, text, "", "", "", Instant.now(),
                List.of(), tags, 0, "mcp:" + who.name()));
        ObjectNode o = Json.object();
        o.put("stored", true);
        o.put("id", stored.id());
        o.set("memory", stored.toJson());
        return o;
    }

    static ObjectNode search(McpContext c, String query, int limit, Optional<String> kind) {
        ObjectNode o = Json.object();
        ArrayNode arr = o.putArray("results");
        c.memory().search(query, limit, kind).forEach(h -> arr.add(hit(h)));
        o.put("count", arr.size());
        return o;
    }

    static ObjectNode timeline(McpContext c, int limit, Optional<String> kind) {
        ObjectNode o = Json.object();
        ArrayNode arr = o.putArray("memories");
        for (Memory m : c.memory().recent(limit, kind)) {
            ObjectNode x = arr.addObject();
            x.put("id", m.id());
            x.put("kind", m.kind());
            x.put("title", m.title());
            x.put("outcome", m.outcome());
            x.put("created_at", m.createdAt().toString());
        }
        o.put("total", c.memory().count());
        return o;
    }

    static ObjectNode get(McpContext c, String id) {
        Memory m = c.memory().get(id).orElseThrow(() -> ToolError.notFound("Memory not found: " + id
                + " (see mem_timeline)."));
        ObjectNode o = Json.object();
        o.set("memory", m.toJson());
        return o;
    }

    static ObjectNode consolidate(McpContext c) {
        Consolidation.Report r = Consolidation.run(c.memory());
        ObjectNode o = Json.object();
        o.put("status", "ok");
        o.put("episodes_processed", r.episodesProcessed());
        o.put("patterns_created", r.patternsCreated());
        o.put("patterns_updated", r.patternsUpdated());
        o.put("pruned", r.pruned());
        return o;
    }

    private static ObjectNode hit(MemoryStore.Hit h) {
        ObjectNode r = h.memory().toJson();
        r.put("score", Math.round(h.score() * 1000) / 1000.0);
        return r;
    }
}
