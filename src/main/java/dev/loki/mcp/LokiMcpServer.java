package dev.loki.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.ExitCode;
import dev.loki.LokiException;
import dev.loki.dashboard.audit.AuditRecord;
import dev.loki.store.Json;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP server's content, whatever the transport: every tool (with its schema and scope) and
 * every resource, and the one dispatcher all tool calls pass through: caller, scope, argument
 * check, the call, the answer (structured JSON, or {@code isError} with one sentence), and an
 * audit record for each state-changing call.
 */
public final class LokiMcpServer {
    static final String CALLER = "loki.caller";
    private static final Logger LOG = LoggerFactory.getLogger(LokiMcpServer.class);

    private final McpContext ctx;
    private final Function<McpSyncServerExchange, Optional<Caller>> callers;
    private final List<ToolSpec> tools;

    LokiMcpServer(McpContext ctx, Function<McpSyncServerExchange, Optional<Caller>> callers) {
        this.ctx = ctx;
        this.callers = callers;
        List<ToolSpec> all = new ArrayList<>();
        all.addAll(ProjectTools.all(ctx));
        all.addAll(CheckpointTools.all(ctx));
        all.addAll(TaskTools.all(ctx));
        all.addAll(MemoryTools.all(ctx));
        this.tools = List.copyOf(all);
    }

    static McpJsonMapper mapper() {
        return new JacksonMcpJsonMapper(Json.MAPPER);
    }

    List<ToolSpec> tools() {
        return tools;
    }

    /** Registers everything on a server specification and builds it. */
    McpSyncServer build(McpServer.SyncSpecification<?> spec) {
        spec.serverInfo("loki", McpContext.version())
                .instructions("loki drives a coding agent in a loop with undoable checkpoints. Use"
                        + " loki_project_status first; loki_checkpoint_diff before loki_checkpoint_restore.")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).resources(false, false).build())
                .jsonMapper(mapper())
                .validateToolInputs(false);
        for (ToolSpec t : tools) {
            McpSchema.Tool tool = McpSchema.Tool.builder().name(t.name()).description(t.description())
                    .inputSchema(t.schema().asMap())
                    .annotations(new McpSchema.ToolAnnotations(null, !t.changesState(),
                            t.name().equals("loki_checkpoint_restore"), false, false, null))
                    .build();
            spec.tools(new McpServerFeatures.SyncToolSpecification(tool, (ex, req) -> call(t, ex, req)));
        }
        McpResources.register(spec, ctx);
        return spec.build();
    }

    McpSchema.CallToolResult call(ToolSpec t, McpSyncServerExchange ex, McpSchema.CallToolRequest req) {
        Optional<Caller> who = callers.apply(ex);
        if (who.isEmpty()) {
            return error("Not authenticated: send 'Authorization: Bearer <token>'.");
        }
        Caller c = who.get();
        String resource = "";
        try {
            if (!c.scope().includes(t.scope())) {
                throw new ToolError(403, t.name() + " needs the '" + t.scope().label() + "' scope; this token has '"
                        + c.scope().label() + "'.");
            }
            Args a = Args.of(t.name(), t.schema().node(), req.arguments());
            resource = firstOf(a, "checkpoint_id", "task_id", "id", "run_id");
            // agent and gate text reaches a client masked, as the dashboard serves it
            JsonNode out = ctx.redactor().redact(t.handler().call(a, c)).tree();
            audit(t, c, 200, resource, auditDetail(out));
            @SuppressWarnings("unchecked")
            Map<String, Object> structured = Json.MAPPER.convertValue(out, Map.class);
            return McpSchema.CallToolResult.builder().structuredContent(structured)
                    .addTextContent(Json.pretty(out)).isError(false).build();
        } catch (ToolError e) {
            String msg = redacted(e.getMessage());
            audit(t, c, e.status(), resource, msg);
            return error(msg);
        } catch (LokiException e) {
            int status = e.exitCode() == ExitCode.USAGE ? 400
                    : e.getMessage() != null && e.getMessage().contains("is active in this project") ? 409 : 422;
            String msg = redacted(oneLine(e.getMessage()));
            audit(t, c, status, resource, msg);
            return error(msg);
        } catch (Exception e) {
            LOG.warn("internal error in MCP tool {}: {}", t.name(), e.toString(), e);
            audit(t, c, 500, resource, "internal error");
            return error("Internal error in " + t.name() + "; the loki mcp server's log has the details.");
        }
    }

    /** An error sentence may quote a log line or a file: masked like an answer, and in the audit log. */
    private String redacted(String message) {
        return message == null ? null : ctx.redactor().redact(message).text();
    }

    private void audit(ToolSpec t, Caller c, int status, String resource, String detail) {
        if (t.changesState() || status == 403) {
            ctx.audit().record(new AuditRecord(c.name(), c.auth(), "mcp " + t.name(), resource, status, c.ip(),
                    detail.length() > 300 ? detail.substring(0, 300) : detail));
        }
    }

    /**
     * What the audit line of a successful call says beyond its status: a dry run changed nothing and
     * says so, and a rollback names the pre-rollback checkpoint that undoes it.
     */
    static String auditDetail(JsonNode out) {
        if (out.path("dry_run").asBoolean(false)) {
            return "dry_run";
        }
        JsonNode pre = out.get("pre_rollback_id");
        return pre != null && pre.isTextual() ? "pre_rollback_id=" + pre.asText() : "";
    }

    private static String firstOf(Args a, String... names) {
        for (String n : names) {
            Optional<String> v = a.optional(n);
            if (v.isPresent()) {
                return v.get();
            }
        }
        return "";
    }

    static McpSchema.CallToolResult error(String message) {
        return McpSchema.CallToolResult.builder().addTextContent(message).isError(true).build();
    }

    static String oneLine(String s) {
        if (s == null || s.isBlank()) {
            return "The call failed.";
        }
        String t = s.replaceAll("\\s+", " ").strip();
        return t.length() > 500 ? t.substring(0, 500) + "..." : t;
    }
}
