package dev.loki.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.Json;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * {@code loki mcp} over stdio: JSON-RPC on stdin/stdout for the client that started this
 * process (Claude Code, Codex, Cline...), which is trusted as the user's own CLI is. Serves
 * until the client closes stdin. Nothing but protocol messages is written to stdout.
 *
 * <p>This thread, not the SDK, reads stdin: the SDK's stdio transport stops reading for good at
 * the first line it cannot parse (and then never sees the end of stdin, so the process would
 * never exit). Each line is checked here first; a bad one gets its JSON-RPC error answer here,
 * and only lines the SDK is known to accept are handed on to it.
 *
 * <p>The SDK parses each handed-on line again: its stdio transport (MCP SDK 2.2.0) takes only an
 * InputStream and keeps its inbound queue private, so a parsed message cannot be handed to it. The
 * one public door for a parsed message, {@code McpServerSession.handle}, would mean writing our own
 * stdio transport (outbound queue, schedulers, graceful close) in place of the SDK's: more risk than
 * a second parse of a line from the local client is worth.
 */
public final class McpStdio {
    /** Longest line accepted (bytes); the SDK's own cap is 16 Mi characters. */
    static final int MAX_LINE = 8 * 1024 * 1024;
    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;

    private McpStdio() {
    }

    public static void serve(McpContext ctx, InputStream in, OutputStream out) throws InterruptedException {
        McpJsonMapper mapper = LokiMcpServer.mapper();
        LineFeed feed = new LineFeed();
        StdioServerTransportProvider transport = new StdioServerTransportProvider(mapper, feed, out);
        McpSyncServer server = new LokiMcpServer(ctx, ex -> Optional.of(Caller.STDIO)).build(McpServer.sync(transport));
        boolean initialized = false;
        try {
            BufferedInputStream stdin = new BufferedInputStream(in);
            for (Line line = readLine(stdin); line != null; line = readLine(stdin)) {
                if (line.tooLong()) {
                    answerError(out, null, INVALID_REQUEST, "Message longer than " + MAX_LINE + " bytes");
                    continue;
                }
                String text = line.text().strip();
                if (text.isEmpty()) {
                    continue;
                }
                Checked checked = check(mapper, text);
                if (checked.rejection() != null) {
                    Rejection bad = checked.rejection();
                    answerError(out, bad.id(), bad.code(), bad.message());
                    continue;
                }
                JsonNode msg = checked.message();
                String method = msg.path("method").asText("");
                if (!initialized && method.equals("ping") && msg.hasNonNull("id")) {
                    // the SDK holds every request until notifications/initialized; the spec allows a ping at any time
                    answerPing(out, msg.get("id"));
                    continue;
                }
                initialized |= method.equals("notifications/initialized");
                feed.put(text);
            }
        } catch (IOException e) {
            // stdin broke: the client is gone, as at its end
        } finally {
            feed.end();
            server.closeGracefully();
        }
    }

    record Rejection(JsonNode id, int code, String message) {
    }

    /** A line checked: the message it holds, or why the SDK would choke on it (one of the two is null). */
    record Checked(JsonNode message, Rejection rejection) {
    }

    /** The line's message when it is a JSON-RPC message the SDK accepts, else why the SDK would choke on it. */
    static Checked check(McpJsonMapper mapper, String line) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            return new Checked(null, new Rejection(null, PARSE_ERROR, "Parse error: the line is not valid JSON"));
        }
        Optional<Rejection> bad = reject(mapper, line, node);
        return bad.isPresent() ? new Checked(null, bad.get()) : new Checked(node, null);
    }

    private static Optional<Rejection> reject(McpJsonMapper mapper, String line, JsonNode node) {
        if (node == null || !node.isObject()) {
            return Optional.of(new Rejection(null, INVALID_REQUEST,
                    "Invalid Request: expected one JSON-RPC 2.0 object per line (batches are not supported)"));
        }
        JsonNode id = node.get("id");
        JsonNode answerId = id != null && (id.isTextual() || id.isIntegralNumber()) ? id : null;
        if (id != null && answerId == null) {
            return Optional.of(new Rejection(null, INVALID_REQUEST, "Invalid Request: 'id' must be a string or an integer"));
        }
        if (!"2.0".equals(node.path("jsonrpc").asText(null))) {
            return Optional.of(new Rejection(answerId, INVALID_REQUEST, "Invalid Request: 'jsonrpc' must be \"2.0\""));
        }
        JsonNode method = node.get("method");
        if (method != null && !method.isTextual()) {
            return Optional.of(new Rejection(answerId, INVALID_REQUEST, "Invalid Request: 'method' must be a string"));
        }
        JsonNode params = node.get("params");
        if (params != null && !params.isObject() && !params.isNull()) {
            return Optional.of(new Rejection(answerId, INVALID_REQUEST, "Invalid Request: 'params' must be an object"));
        }
        if (method == null && id == null) {
            return Optional.of(new Rejection(null, INVALID_REQUEST,
                    "Invalid Request: a message needs a 'method' or an 'id'"));
        }
        if (method == null && !node.has("result") && !node.has("error")) {
            return Optional.of(new Rejection(answerId, INVALID_REQUEST,
                    "Invalid Request: a message needs a 'method', or a 'result' or 'error' for a response"));
        }
        try {
            McpSchema.deserializeJsonRpcMessage(mapper, line); // the very call the SDK makes: if it fails here it would there
        } catch (Exception e) {
            return Optional.of(new Rejection(answerId, INVALID_REQUEST, "Invalid Request: not a JSON-RPC message"));
        }
        return Optional.empty();
    }

    /** The answer to a ping: an empty result. */
    static void answerPing(OutputStream out, JsonNode id) throws IOException {
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.put("jsonrpc", "2.0");
        answer.set("id", id);
        answer.putObject("result");
        write(out, answer);
    }

    /** One JSON-RPC error answer. */
    static void answerError(OutputStream out, JsonNode id, int code, String message) throws IOException {
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.put("jsonrpc", "2.0");
        answer.set("id", id == null ? answer.nullNode() : id);
        answer.putObject("error").put("code", code).put("message", message);
        write(out, answer);
    }

    /** One answer line, written as the SDK writes its own (same lock, one line). */
    private static void write(OutputStream out, ObjectNode answer) throws IOException {
        byte[] bytes = (Json.MAPPER.writeValueAsString(answer) + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            out.write(bytes);
            out.flush();
        }
    }

    private record Line(String text, boolean tooLong) {
    }

    /** The next line without its terminator, {@code tooLong} when it passed {@link #MAX_LINE} (rest skipped); null at the end. */
    private static Line readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        boolean tooLong = false;
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (buf.size() >= MAX_LINE) {
                tooLong = true;
                buf.reset();
            }
            if (!tooLong) {
                buf.write(b);
            }
        }
        if (b == -1 && buf.size() == 0 && !tooLong) {
            return null;
        }
        return new Line(buf.toString(StandardCharsets.UTF_8), tooLong);
    }

    /** What the SDK's transport reads: the checked lines, then the end once stdin ended. */
    private static final class LineFeed extends InputStream {
        private static final byte[] END = new byte[0];
        private final LinkedBlockingQueue<byte[]> lines = new LinkedBlockingQueue<>();
        private byte[] current = new byte[0];
        private int pos;
        private boolean ended;

        void put(String line) {
            lines.add((line + "\n").getBytes(StandardCharsets.UTF_8));
        }

        void end() {
            lines.add(END);
        }

        @Override
        public synchronized int read() throws IOException {
            if (!fill()) {
                return -1;
            }
            return current[pos++] & 0xff;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }

        private boolean fill() throws IOException {
            while (!ended && pos >= current.length) {
                try {
                    byte[] next = lines.take();
                    if (next == END) {
                        ended = true;
                    } else {
                        current = next;
                        pos = 0;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
            return !ended;
        }
    }
}
