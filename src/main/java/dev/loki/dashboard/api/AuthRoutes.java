package dev.loki.dashboard.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.dashboard.AccessGuard;
import dev.loki.dashboard.AnswerRedaction;
import dev.loki.dashboard.ApiError;
import dev.loki.dashboard.Backend;
import dev.loki.dashboard.RateLimiter;
import dev.loki.dashboard.Requests;
import dev.loki.dashboard.RouteTable;
import dev.loki.dashboard.audit.AuditRecord;
import dev.loki.dashboard.auth.Authenticator;
import dev.loki.dashboard.auth.LoginTickets;
import dev.loki.dashboard.auth.Principal;
import dev.loki.dashboard.auth.Scope;
import dev.loki.dashboard.auth.SessionStore;
import dev.loki.store.Json;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Map;
import java.util.Optional;

/**
 * Browser login: a one-time login link or an API token is traded for an HttpOnly,
 * SameSite=Strict session cookie; the session's CSRF token comes from {@code /api/auth/session}.
 * Logins are rate-limited per client address and audited.
 */
public final class AuthRoutes {
    private static final String LOGIN_FAILED_PAGE = "<!doctype html><html><head><meta charset=\"utf-8\">"
            + "<title>Loki dashboard: login failed</title></head><body><h1>This login link is not valid</h1>"
            + "<p>It was already used, has expired, or was mistyped. Run <code>loki dashboard open</code> for a fresh"
            + " one.</p></body></html>";

    private final Backend b;
    private final Authenticator auth;
    private final RateLimiter limits;

    public AuthRoutes(Backend b, Authenticator auth, RateLimiter limits) {
        this.b = b;
        this.auth = auth;
        this.limits = limits;
    }

    public void register(RouteTable t) {
        t.get("/login", Scope.PUBLIC, this::loginLink);
        t.post("/api/auth/login", Scope.PUBLIC, this::login);
        t.get("/api/auth/session", Scope.READ, this::session);
        t.post("/api/auth/logout", Scope.READ, this::logout);
    }

    void loginLink(Context ctx) {
        throttle(ctx);
        String token = ctx.queryParam("token");
        if (token == null || token.isBlank()) {
            ctx.redirect("/", HttpStatus.SEE_OTHER);
            return;
        }
        Optional<Principal> p = exchange(token.strip());
        if (p.isEmpty()) {
            audit(ctx, "anonymous", "login-link", 401, "bad or used login link");
            ctx.status(401).contentType("text/html; charset=utf-8").result(LOGIN_FAILED_PAGE);
            return;
        }
        openSession(ctx, p.get());
        audit(ctx, p.get().subject(), p.get().method(), 303, "login");
        ctx.redirect("/", HttpStatus.SEE_OTHER);
    }

    void login(Context ctx) {
        throttle(ctx);
        if (ctx.header("Origin") != null && !AccessGuard.sameOrigin(ctx)) {
            audit(ctx, "anonymous", "none", 403, "cross-origin login");
            throw new ApiError(403, "bad_origin", "the Origin header must be this dashboard's own origin");
        }
        ObjectNode body = Requests.jsonBody(ctx);
        String token = Requests.text(body, "token", 16_384).strip();
        Optional<Principal> p = token.isEmpty() ? Optional.empty() : exchange(token);
        if (p.isEmpty()) {
            audit(ctx, "anonymous", "none", 401, "bad login token");
            throw new ApiError(401, "unauthorized", "that token is invalid, expired, revoked or already used");
        }
        SessionStore.Session s = openSession(ctx, p.get());
        audit(ctx, p.get().subject(), p.get().method(), 200, "login");
        ObjectNode o = Json.object();
        o.put("ok", true);
        o.put("scope", p.get().scope().label());
        o.put("subject", p.get().subject());
        o.put("csrf_token", s.csrfToken());
        AnswerRedaction.ownCredentials(ctx, "csrf_token");
        ctx.json(o);
    }

    void session(Context ctx) throws Authenticator.Refused {
        Principal p = ctx.attribute(AccessGuard.PRINCIPAL);
        Optional<Authenticator.Result> r = auth.authenticate(ctx.header("Authorization"),
                ctx.cookie(SessionStore.COOKIE));
        ObjectNode o = Json.object();
        o.put("subject", p.subject());
        o.put("scope", p.scope().label());
        o.put("method", p.method());
        o.put("csrf_token", r.flatMap(Authenticator.Result::session).map(SessionStore.Session::csrfToken).orElse(""));
        // the caller's own CSRF token: a secret-named key the answer redaction would mask
        AnswerRedaction.ownCredentials(ctx, "csrf_token");
        ctx.json(o);
    }

    void logout(Context ctx) {
        b.sessions().close(ctx.cookie(SessionStore.COOKIE));
        ctx.header("Set-Cookie", SessionStore.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
        ObjectNode o = Json.object();
        o.put("ok", true);
        ctx.json(o);
    }

    /** A one-time login ticket (admin: whoever can run the CLI owns the project) or any credential. */
    private Optional<Principal> exchange(String token) {
        if (token.startsWith(LoginTickets.PREFIX)) {
            return b.tickets().consume(token)
                    ? Optional.of(new Principal("login-link", Scope.ADMIN, "login-link", ""))
                    : Optional.empty();
        }
        try {
            Principal p = auth.bearer(token);
            return p.scope() == Scope.PUBLIC ? Optional.empty() : Optional.of(p);
        } catch (Authenticator.Refused e) {
            return Optional.empty();
        }
    }

    private SessionStore.Session openSession(Context ctx, Principal p) {
        SessionStore.Opened s = b.sessions().open(p);
        ctx.header("Set-Cookie", SessionStore.COOKIE + "=" + s.cookieValue() + "; Path=/; HttpOnly; SameSite=Strict");
        return s.session();
    }

    private void throttle(Context ctx) {
        long wait = limits.acquire(ctx.ip(), "auth");
        if (wait > 0) {
            throw new ApiError(429, "rate_limited", "too many login attempts; retry in " + wait + "s",
                    Map.of("Retry-After", Long.toString(wait)));
        }
    }

    private void audit(Context ctx, String actor, String method, int status, String detail) {
        b.audit().record(new AuditRecord(actor, method, ctx.method().name() + " " + ctx.path(), "", status, ctx.ip(),
                detail));
    }
}
