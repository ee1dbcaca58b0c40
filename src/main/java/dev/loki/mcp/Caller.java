package dev.loki.mcp;

import dev.loki.dashboard.auth.Scope;

/**
 * Who is calling a tool, for the scope check and the audit log: the local client on stdio
 * (the user's own process, trusted as the CLI is), or a dashboard token over HTTP.
 *
 * @param name  {@code stdio} or the token's name
 * @param auth  {@code stdio} or {@code token}
 */
public record Caller(String name, String auth, Scope scope, String ip) {
    public static final Caller STDIO = new Caller("stdio", "stdio", Scope.ADMIN, "");
}
