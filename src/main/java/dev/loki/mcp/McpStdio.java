package dev.loki.mcp;

import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * {@code loki mcp} over stdio: JSON-RPC on stdin/stdout for the client that started this
 * process (Claude Code, Codex, Cline...), which is trusted as the user's own CLI is. Serves
 * until the client closes stdin. Nothing but protocol messages is written to stdout.
 */
public final class McpStdio {
    private McpStdio() {
    }

    public static void serve(McpContext ctx, InputStream in, OutputStream out) throws InterruptedException {
        CountDownLatch eof = new CountDownLatch(1);
        InputStream watched = new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b < 0) {
                    eof.countDown();
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n < 0) {
                    eof.countDown();
                }
                return n;
            }
        };
        StdioServerTransportProvider transport = new StdioServerTransportProvider(LokiMcpServer.mapper(), watched, out);
        McpSyncServer server = new LokiMcpServer(ctx, ex -> Optional.of(Caller.STDIO)).build(McpServer.sync(transport));
        try {
            eof.await();
        } finally {
            server.closeGracefully();
        }
    }
}
