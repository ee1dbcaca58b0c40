package dev.loki.dashboard;

import dev.loki.checkpoint.CheckpointService;
import dev.loki.dashboard.audit.AuditLog;
import dev.loki.dashboard.auth.LoginTickets;
import dev.loki.dashboard.auth.SessionStore;
import dev.loki.dashboard.auth.TokenStore;
import dev.loki.store.LokiDir;
import java.time.Instant;
import java.util.Map;

/**
 * What the route modules share: the project, the domain services they call (never
 * re-implement), the credential stores, the audit log, and the worker that runs long jobs off
 * the request threads.
 */
public record Backend(LokiDir loki, Map<String, String> env, CheckpointService checkpoints, TokenStore tokens,
        LoginTickets tickets, SessionStore sessions, AuditLog audit, Worker worker, Instant startedAt,
        String instanceId, String version) {
}
