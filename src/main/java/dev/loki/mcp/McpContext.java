package dev.loki.mcp;

import dev.loki.checkpoint.CheckpointService;
import dev.loki.dashboard.audit.AuditLog;
import dev.loki.memory.MemoryStore;
import dev.loki.proof.Redactor;
import dev.loki.store.LokiDir;
import java.util.Map;

/**
 * What the MCP server acts on: one project's .loki directory and environment, and the services
 * the CLI calls for it. The memory store is opened once and kept for the server's life.
 */
public final class McpContext implements AutoCloseable {
    private final LokiDir loki;
    private final Map<String, String> env;
    private final AuditLog audit;
    private final Redactor redactor;
    private MemoryStore memory;

    public McpContext(LokiDir loki, Map<String, String> env) {
        this.loki = loki;
        this.env = Map.copyOf(env);
        this.audit = new AuditLog(loki, env);
        this.redactor = Redactor.secretsOnly(env);
    }

    /**
     * What every answer passes before it leaves: secret shapes, loki's own credentials and this
     * environment's secret values are masked; paths stay (clients act on them).
     */
    Redactor redactor() {
        return redactor;
    }

    public LokiDir loki() {
        return loki;
    }

    public Map<String, String> env() {
        return env;
    }

    public AuditLog audit() {
        return audit;
    }

    CheckpointService checkpoints() {
        return CheckpointService.open(loki, env);
    }

    synchronized MemoryStore memory() {
        if (memory == null) {
            memory = MemoryStore.open(loki, env);
        }
        return memory;
    }

    /** This build's version, read once (the same file and answer as {@code loki --version}). */
    static String version() {
        return VERSION;
    }

    private static final String VERSION = dev.loki.cli.VersionProvider.version();

    @Override
    public synchronized void close() {
        if (memory != null) {
            memory.close();
            memory = null;
        }
    }
}
