package dev.loki.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.dashboard.auth.Scope;

/**
 * One MCP tool: its name (upstream's where upstream has the tool), what it does, its input
 * schema, the scope an HTTP caller needs, and whether it changes state (then every call is
 * audited). A tool cannot be declared without a scope, as a dashboard route cannot.
 */
record ToolSpec(String name, String description, Schema schema, Scope scope, boolean changesState, Handler handler) {

    /** The work: returns the result object, or throws {@link ToolError} / {@code LokiException}. */
    interface Handler {
        ObjectNode call(Args args, Caller caller) throws Exception;
    }

    static ToolSpec read(String name, String description, Schema schema, Handler h) {
        return new ToolSpec(name, description, schema, Scope.READ, false, h);
    }

    static ToolSpec control(String name, String description, Schema schema, Handler h) {
        return new ToolSpec(name, description, schema, Scope.CONTROL, true, h);
    }
}
