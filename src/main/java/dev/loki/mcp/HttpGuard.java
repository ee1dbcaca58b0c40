package dev.loki.mcp;

import dev.loki.Quote;
import dev.loki.dashboard.RateLimiter;
import dev.loki.dashboard.audit.AuditLog;
import dev.loki.dashboard.audit.AuditRecord;
import dev.loki.dashboard.auth.TokenInfo;
import dev.loki.dashboard.auth.TokenStore;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What every HTTP request passes before the MCP endpoint, as the dashboard's AccessGuard: the
 * Host header names this server (no DNS rebinding), a browser Origin must be this server's own,
 * and a bearer token from {@code loki dashboard token create}, checked against the dashboard's
 * token store (re-read when the CLI revokes one). Refusals are audited; failed authentications
 * are rate-limited per address with the dashboard's limiter ({@code LOKI_DASHBOARD_RATE_AUTH}).
 */
final class HttpGuard extends HttpFilter {
    private static final long serialVersionUID = 1L;

    private final transient TokenStore tokens;
    private final transient AuditLog audit;
    private final transient Supplier<Set<String>> allowedHosts;
    private final transient RateLimiter limits;

    HttpGuard(TokenStore tokens, AuditLog audit, Supplier<Set<String>> allowedHosts, RateLimiter limits) {
        this.tokens = tokens;
        this.audit = audit;
        this.allowedHosts = allowedHosts;
        this.limits = limits;
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        res.setHeader("Cache-Control", "no-store");
        res.setHeader("X-Content-Type-Options", "nosniff");
        String host = req.getHeader("Host");
        if (host == null || !allowedHosts.get().contains(host.toLowerCase(Locale.ROOT))) {
            deny(req, res, 403, "bad_host", "this server does not answer to Host '" + Quote.excerpt(host, 80)
                    + "'; connect to http://127.0.0.1:<port>/mcp");
            return;
        }
        String origin = req.getHeader("Origin");
        if (origin != null && !allowedHosts.get().contains(stripScheme(origin))) {
            deny(req, res, 403, "bad_origin", "cross-origin requests are refused (Origin '"
                    + Quote.excerpt(origin, 80) + "')");
            return;
        }
        String auth = req.getHeader("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            if (throttled(req, res)) {
                return;
            }
            deny(req, res, 401, "unauthorized", "send 'Authorization: Bearer <token>' (create one with 'loki"
                    + " dashboard token create --scope control')");
            return;
        }
        Optional<TokenInfo> t = tokens.verify(auth.substring(7).strip());
        if (t.isEmpty()) {
            if (throttled(req, res)) {
                return;
            }
            deny(req, res, 401, "unauthorized", "the token is unknown, expired or revoked");
            return;
        }
        req.setAttribute(LokiMcpServer.CALLER, new Caller(t.get().name(), "token", t.get().scope(),
                req.getRemoteAddr()));
        chain.doFilter(req, res);
    }

    private boolean throttled(HttpServletRequest req, HttpServletResponse res) throws IOException {
        long wait = limits.acquire(req.getRemoteAddr(), "auth");
        if (wait > 0) {
            res.setHeader("Retry-After", Long.toString(wait));
            deny(req, res, 429, "rate_limited", "too many failed authentications; retry in " + wait + "s");
            return true;
        }
        return false;
    }

    private void deny(HttpServletRequest req, HttpServletResponse res, int status, String code, String message)
            throws IOException {
        audit.record(new AuditRecord("anonymous", "none", "mcp " + req.getMethod() + " " + req.getRequestURI(), "",
                status, req.getRemoteAddr(), code));
        res.setStatus(status);
        if (status == 401) {
            res.setHeader("WWW-Authenticate", "Bearer");
        }
        res.setContentType("application/json");
        byte[] body = ("{\"error\":\"" + code + "\",\"message\":\"" + message.replace("\\", "\\\\").replace("\"", "'")
                + "\"}").getBytes(StandardCharsets.UTF_8);
        res.setContentLength(body.length);
        res.getOutputStream().write(body);
    }

    private static String stripScheme(String origin) {
        String o = origin.toLowerCase(Locale.ROOT);
        return o.startsWith("http://") ? o.substring(7) : "\u0000";
    }

}
