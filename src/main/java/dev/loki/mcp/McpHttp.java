package dev.loki.mcp;

import dev.loki.LokiException;
import dev.loki.dashboard.auth.TokenStore;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import jakarta.servlet.DispatcherType;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * {@code loki mcp --http}: the SDK's streamable HTTP transport (a servlet) on Jetty 12, at
 * {@code http://127.0.0.1:<port>/mcp}, behind {@link HttpGuard}. It binds loopback addresses
 * only: anything else is refused before a socket is opened.
 */
public final class McpHttp implements AutoCloseable {
    public static final int DEFAULT_PORT = 57375;
    public static final String PATH = "/mcp";

    private final Server jetty;
    private final McpSyncServer server;
    private final int port;
    private final String host;

    private McpHttp(Server jetty, McpSyncServer server, String host, int port) {
        this.jetty = jetty;
        this.server = server;
        this.host = host;
        this.port = port;
    }

    public static McpHttp start(McpContext ctx, String host, int port) {
        requireLoopback(host);
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(LokiMcpServer.mapper())
                .mcpEndpoint(PATH)
                .contextExtractor(req -> {
                    Object who = req.getAttribute(LokiMcpServer.CALLER);
                    return who instanceof Caller c ? McpTransportContext.create(Map.of(LokiMcpServer.CALLER, c))
                            : McpTransportContext.EMPTY;
                })
                .build();
        McpSyncServer server = new LokiMcpServer(ctx, ex -> {
            Object who = ex.transportContext().get(LokiMcpServer.CALLER);
            return who instanceof Caller c ? Optional.of(c) : Optional.empty();
        }).build(McpServer.sync(transport));
        Server jetty = new Server();
        ServerConnector conn = new ServerConnector(jetty);
        conn.setHost(host);
        conn.setPort(port);
        jetty.addConnector(conn);
        ServletContextHandler handler = new ServletContextHandler();
        handler.setContextPath("/");
        Set<String>[] hosts = new Set[] {Set.of()};
        FilterHolder guard = new FilterHolder(new HttpGuard(new TokenStore(ctx.loki()), ctx.audit(), () -> hosts[0],
                dev.loki.dashboard.RateLimiter.fromEnv(ctx.env())));
        guard.setAsyncSupported(true);
        handler.addFilter(guard, "/*", EnumSet.of(DispatcherType.REQUEST));
        ServletHolder servlet = new ServletHolder(transport);
        servlet.setAsyncSupported(true);
        handler.addServlet(servlet, PATH);
        jetty.setHandler(handler);
        try {
            jetty.start();
        } catch (Exception e) {
            server.close();
            throw LokiException.failed("Cannot listen on " + host + ":" + port + ": " + rootMessage(e)
                    + (port != 0 ? " (is another server on that port? pick one with --port)" : ""));
        }
        int actual = conn.getLocalPort();
        hosts[0] = allowedHosts(host, actual, ctx.env());
        return new McpHttp(jetty, server, host, actual);
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + PATH;
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        jetty.join();
    }

    @Override
    public void close() {
        server.closeGracefully();
        try {
            jetty.stop();
        } catch (Exception e) {
            // stopping: nothing left to save
        }
    }

    /** A host that is not a loopback address is refused (exit 2): this server is for this machine. */
    public static void requireLoopback(String host) {
        boolean loopback;
        try {
            loopback = InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            loopback = false;
        }
        if (!loopback) {
            throw LokiException.badInput("Refusing to bind " + host + ": loki mcp --http listens on loopback only"
                    + " (127.0.0.1, ::1 or localhost); tunnel to it if you need it elsewhere.");
        }
    }

    private static Set<String> allowedHosts(String bind, int port, Map<String, String> env) {
        Set<String> names = new HashSet<>(List.of("127.0.0.1", "localhost", "[::1]"));
        String h = bind.toLowerCase(Locale.ROOT);
        names.add(h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h);
        for (String extra : env.getOrDefault("LOKI_DASHBOARD_ALLOWED_HOSTS", "").split(",")) {
            if (!extra.isBlank()) {
                names.add(extra.strip().toLowerCase(Locale.ROOT));
            }
        }
        Set<String> out = new HashSet<>();
        for (String n : names) {
            out.add(n + ":" + port);
        }
        return Set.copyOf(out);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
