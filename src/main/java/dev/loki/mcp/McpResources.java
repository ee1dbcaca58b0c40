package dev.loki.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.Ids;
import dev.loki.memory.Memory;
import dev.loki.proof.ProofStore;
import dev.loki.run.Queue;
import dev.loki.store.Json;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The resources: the continuity notes the agent keeps, the pending queue, the memory index,
 * and each proof of run by its id ({@code loki://proofs/{run_id}}).
 */
final class McpResources {
    static final String CONTINUITY = "loki://state/continuity";
    static final String PENDING = "loki://queue/pending";
    static final String MEMORY = "loki://memory/index";
    static final String PROOFS = "loki://proofs/";

    private McpResources() {
    }

    static void register(McpServer.SyncSpecification<?> spec, McpContext c) {
        spec.resources(
                resource(CONTINUITY, "continuity", "The agent's notes for the next iteration (.loki/CONTINUITY.md).",
                        "text/markdown", () -> masked(c, continuity(c))),
                resource(PENDING, "pending-tasks", "The pending task queue.", "application/json",
                        () -> masked(c, Json.pretty(pending(c)))),
                resource(MEMORY, "memory-index", "What the memory holds: counts and the newest memories.",
                        "application/json", () -> masked(c, Json.pretty(memoryIndex(c)))));
        spec.resourceTemplates(new McpServerFeatures.SyncResourceTemplateSpecification(
                McpSchema.ResourceTemplate.builder(PROOFS + "{run_id}", "proof").description(
                        "A run's proof (proof.json), by run id (see loki_proof_list).").mimeType("application/json")
                        .build(),
                (ex, req) -> text(req.uri(), "application/json", proof(c, req.uri()))));
    }

    /**
     * Agent-written text masked as tool answers are. A proof is served as stored: it was redacted
     * when written, and its bytes are what its hash and signature cover.
     */
    private static String masked(McpContext c, String text) {
        return c.redactor().redact(text).text();
    }

    private interface Body {
        String read() throws IOException;
    }

    private static McpServerFeatures.SyncResourceSpecification resource(String uri, String name, String description,
            String mime, Body body) {
        McpSchema.Resource r = McpSchema.Resource.builder().uri(uri).name(name).description(description).mimeType(mime)
                .build();
        return new McpServerFeatures.SyncResourceSpecification(r, (ex, req) -> {
            try {
                return text(uri, mime, body.read());
            } catch (IOException e) {
                throw McpError.builder(McpSchema.ErrorCodes.INTERNAL_ERROR).message("Cannot read " + uri + ": "
                        + e.getMessage()).build();
            }
        });
    }

    private static McpSchema.ReadResourceResult text(String uri, String mime, String text) {
        return new McpSchema.ReadResourceResult(List.of(new McpSchema.TextResourceContents(uri, mime, text)));
    }

    static String continuity(McpContext c) throws IOException {
        Path p = c.loki().resolve("CONTINUITY.md");
        return Files.isRegularFile(p) ? Files.readString(p, StandardCharsets.UTF_8)
                : "# Continuity\n\nNo CONTINUITY.md yet: no iteration has run in this project.\n";
    }

    static ObjectNode pending(McpContext c) {
        ObjectNode o = Json.object();
        ArrayNode arr = o.putArray("tasks");
        Queue.tasks(c.loki(), "pending").forEach(arr::add);
        o.put("count", arr.size());
        return o;
    }

    static ObjectNode memoryIndex(McpContext c) {
        ObjectNode o = Json.object();
        o.put("count", c.memory().count());
        o.put("episodes", c.memory().count(Memory.EPISODE));
        o.put("patterns", c.memory().count(Memory.PATTERN));
        o.put("size_bytes", c.memory().sizeBytes());
        ArrayNode recent = o.putArray("recent");
        for (Memory m : c.memory().recent(50, Optional.empty())) {
            recent.addObject().put("id", m.id()).put("kind", m.kind()).put("title", m.title())
                    .put("created_at", m.createdAt().toString());
        }
        return o;
    }

    static String proof(McpContext c, String uri) {
        String id = uri.startsWith(PROOFS) ? uri.substring(PROOFS.length()) : "";
        if (!Ids.isSafe(id)) {
            throw McpError.builder(McpSchema.ErrorCodes.INVALID_PARAMS).message("Invalid run id in " + uri
                    + ": use 1-128 letters, digits, '-' or '_'.").build();
        }
        ProofStore store = new ProofStore(c.loki());
        JsonNode proof = store.read(id).orElseThrow(() -> McpError.RESOURCE_NOT_FOUND.apply(uri));
        return Json.pretty(proof);
    }
}
