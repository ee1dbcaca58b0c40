package dev.loki.dashboard;

import dev.loki.store.LokiDir;
import java.util.Map;

/**
 * How to run one dashboard server.
 *
 * @param host the address to bind (default 127.0.0.1)
 * @param port the port (0 picks a free one)
 */
public record DashboardConfig(LokiDir lokiDir, Map<String, String> env, String host, int port) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 57374;

    public DashboardConfig {
        env = Map.copyOf(env);
        host = host == null || host.isBlank() ? DEFAULT_HOST : host.strip();
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** Loopback on an ephemeral port: what tests use. */
    public static DashboardConfig ephemeral(LokiDir lokiDir, Map<String, String> env) {
        return new DashboardConfig(lokiDir, env, DEFAULT_HOST, 0);
    }
}
