package dev.loki.dashboard;

import dev.loki.Quote;
import dev.loki.dashboard.audit.AuditLog;
import dev.loki.dashboard.audit.AuditRecord;
import dev.loki.dashboard.auth.Authenticator;
import dev.loki.dashboard.auth.Principal;
import dev.loki.dashboard.auth.Scope;
import dev.loki.dashboard.auth.Secrets;
import dev.loki.dashboard.auth.SessionStore;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.security.RouteRole;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The checks every request passes before its handler: the Host header names this server (no
 * DNS rebinding), security headers, then for matched routes the declared scope (a route with
 * none is refused: deny by default), the credential, the per-client rate limit, and for
 * state-changing requests from a browser session the CSRF token and a same-origin Origin.
 */
public final class AccessGuard {
    public static final String PRINCIPAL = "loki.principal";
    public static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    private static final Set<HandlerType> READ_METHODS = Set.of(HandlerType.GET, HandlerType.HEAD, HandlerType.OPTIONS);

    private final Authenticator auth;
    private final RateLimiter limits;
    private final AuditLog audit;
    private final Supplier<Set<String>> allowedHosts;

    public AccessGuard(Authenticator auth, RateLimiter limits, AuditLog audit, Supplier<Set<String>> allowedHosts) {
        this.auth = auth;
        this.limits = limits;
        this.audit = audit;
        this.allowedHosts = allowedHosts;
    }

    /** Runs for every request, matched or not. */
    public void before(Context ctx) {
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
        ctx.header("Cross-Origin-Resource-Policy", "same-origin");
        if (ctx.path().startsWith("/api/") || ctx.path().equals("/login")) {
            ctx.header("Cache-Control", "no-store");
        }
        String host = ctx.header("Host");
        if (host == null || !allowedHosts.get().contains(host.toLowerCase(Locale.ROOT))) {
            throw new ApiError(403, "bad_host", "this server does not answer to Host '" + Quote.excerpt(host, 80)
                    + "'; open it as http://127.0.0.1:<port>/ (or add the name to LOKI_DASHBOARD_ALLOWED_HOSTS)");
        }
        String length = ctx.header("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) > Requests.MAX_BODY) {
                    throw new ApiError(413, "payload_too_large", "request body is larger than " + Requests.MAX_BODY
                            + " bytes");
                }
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("invalid Content-Length");
            }
        }
    }

    /** Runs for matched routes: scope, credential, rate limit, CSRF. */
    public void beforeMatched(Context ctx) {
        Scope required = requiredScope(ctx.routeRoles());
        if (required == Scope.PUBLIC) {
            return;
        }
        String ip = ctx.ip();
        Optional<Authenticator.Result> who;
        try {
            who = auth.authenticate(ctx.header("Authorization"), ctx.cookie(SessionStore.COOKIE));
        } catch (Authenticator.Refused e) {
            throttleFailure(ip);
            if (e.status() == 403) {
                deny(ctx, Optional.empty(), 403, "forbidden", e.getMessage());
            }
            deny(ctx, Optional.empty(), 401, "unauthorized", e.getMessage());
            return;
        }
        if (who.isEmpty()) {
            throttleFailure(ip);
            deny(ctx, Optional.empty(), 401, "unauthorized",
                    "log in first: open the URL 'loki dashboard open' prints, or send 'Authorization: Bearer <token>'");
            return;
        }
        Principal p = who.get().principal();
        // a client is one credential from one address; each browser session counts on its own
        String client = who.get().session().map(s -> "session:" + Secrets.sha256Hex(s.csrfToken()).substring(0, 16))
                .orElse(p.subject() + "@" + ip);
        long wait = limits.acquire(client, required.label());
        if (wait > 0) {
            throw new ApiError(429, "rate_limited", "too many " + required.label() + " requests; retry in " + wait + "s",
                    Map.of("Retry-After", Long.toString(wait)));
        }
        if (!p.scope().includes(required)) {
            deny(ctx, Optional.of(p), 403, "forbidden", "this needs the '" + required.label() + "' scope; yours is '"
                    + (p.scope() == Scope.PUBLIC ? "none" : p.scope().label()) + "'");
        }
        if (!READ_METHODS.contains(ctx.method()) && who.get().session().isPresent()) {
            checkCsrf(ctx, who.get().session().get(), p);
        }
        ctx.attribute(PRINCIPAL, p);
    }

    /** The same-origin rules for a cookie-authenticated state change. */
    private void checkCsrf(Context ctx, SessionStore.Session session, Principal p) {
        if (!Secrets.same(ctx.header("X-CSRF-Token"), session.csrfToken())) {
            deny(ctx, Optional.of(p), 403, "csrf", "missing or wrong X-CSRF-Token header (GET /api/auth/session"
                    + " returns it)");
        }
        if (!sameOrigin(ctx)) {
            deny(ctx, Optional.of(p), 403, "bad_origin", "the Origin header must be this dashboard's own origin");
        }
    }

    /** True when the request's Origin is exactly {@code http://<Host>} (Host was checked already). */
    public static boolean sameOrigin(Context ctx) {
        String origin = ctx.header("Origin");
        String host = ctx.header("Host");
        return origin != null && host != null && origin.equalsIgnoreCase(ctx.scheme() + "://" + host);
    }

    private void throttleFailure(String ip) {
        long wait = limits.acquire(ip, "auth");
        if (wait > 0) {
            throw new ApiError(429, "rate_limited", "too many failed authentications; retry in " + wait + "s",
                    Map.of("Retry-After", Long.toString(wait)));
        }
    }

    private void deny(Context ctx, Optional<Principal> p, int status, String code, String message) {
        audit.record(new AuditRecord(p.map(Principal::subject).orElse("anonymous"),
                p.map(Principal::method).orElse("none"), ctx.method().name() + " " + ctx.path(), "", status, ctx.ip(),
                code));
        Map<String, String> headers = status == 401 ? Map.of("WWW-Authenticate", "Bearer") : Map.of();
        throw new ApiError(status, code, message, headers);
    }

    /** The scope a route declared; a route that declared none needs admin and is reported. */
    static Scope requiredScope(Set<RouteRole> roles) {
        Scope s = null;
        for (RouteRole r : roles) {
            if (r instanceof Scope sc) {
                s = sc;
            }
        }
        if (s == null) {
            throw new ApiError(500, "undeclared_scope", "this route declares no scope and is refused");
        }
        return s;
    }

}
