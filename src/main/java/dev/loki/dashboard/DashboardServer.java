package dev.loki.dashboard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.LokiException;
import dev.loki.checkpoint.CheckpointService;
import dev.loki.dashboard.api.AuthRoutes;
import dev.loki.dashboard.api.CheckpointRoutes;
import dev.loki.dashboard.api.ControlRoutes;
import dev.loki.dashboard.api.CouncilRoutes;
import dev.loki.dashboard.api.ProofRoutes;
import dev.loki.dashboard.api.ReadRoutes;
import dev.loki.dashboard.api.StaticRoutes;
import dev.loki.dashboard.api.StatusReader;
import dev.loki.dashboard.audit.AuditLog;
import dev.loki.dashboard.audit.AuditRecord;
import dev.loki.dashboard.auth.Authenticator;
import dev.loki.dashboard.auth.LoginTickets;
import dev.loki.dashboard.auth.OidcVerifier;
import dev.loki.dashboard.auth.Principal;
import dev.loki.dashboard.auth.Scope;
import dev.loki.dashboard.auth.Secrets;
import dev.loki.dashboard.auth.SessionStore;
import dev.loki.dashboard.auth.TokenStore;
import dev.loki.dashboard.live.LiveHub;
import dev.loki.dashboard.live.LiveWatcher;
import dev.loki.store.Json;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard HTTP server (Javalin on Jetty): wires the credential stores, the guard, the
 * route modules and the live stream, and starts on the configured address. {@code main}-style
 * code only wires; each route module shows its own route table.
 */
public final class DashboardServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
    private static final Set<HandlerType> READS = Set.of(HandlerType.GET, HandlerType.HEAD, HandlerType.OPTIONS);

    private final Javalin app;
    private final Backend backend;
    private final RouteTable routes;
    private final LiveHub hub;
    private final LiveWatcher watcher;
    private final String host;
    private volatile Set<String> allowedHosts = Set.of();

    private DashboardServer(Javalin app, Backend backend, RouteTable routes, LiveHub hub, LiveWatcher watcher,
            String host) {
        this.app = app;
        this.backend = backend;
        this.routes = routes;
        this.hub = hub;
        this.watcher = watcher;
        this.host = host;
    }

    /** Starts a server; fails with a clear message when the port is taken. */
    public static DashboardServer start(DashboardConfig cfg) {
        Backend b = new Backend(cfg.lokiDir(), cfg.env(), CheckpointService.open(cfg.lokiDir(), cfg.env()),
                new TokenStore(cfg.lokiDir()), new LoginTickets(cfg.lokiDir()), new SessionStore(Duration.ofHours(12)),
                new AuditLog(cfg.lokiDir(), cfg.env()), new Worker(Duration.ofSeconds(envInt(cfg, "LOKI_DASHBOARD_JOB_TIMEOUT", 300))),
                Instant.now(), Secrets.newId("dash_"), version());
        Authenticator auth = new Authenticator(b.tokens(), b.sessions(), OidcVerifier.fromEnv(cfg.env()));
        RateLimiter limits = RateLimiter.fromEnv(cfg.env());
        StatusReader status = new StatusReader(b);
        LogRedaction redaction = LogRedaction.forBackend(b);
        AnswerRedaction answers = new AnswerRedaction(redaction);
        LiveHub hub = new LiveHub(envInt(cfg, "LOKI_DASHBOARD_MAX_SSE", 200), redaction);
        LiveWatcher watcher = new LiveWatcher(cfg.lokiDir(), status, hub, redaction);
        DashboardServer[] self = new DashboardServer[1];
        AccessGuard guard = new AccessGuard(auth, limits, b.audit(), () -> self[0].allowedHosts);
        RouteTable[] table = new RouteTable[1];
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = Requests.MAX_BODY;
            config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            config.routes.before(guard::before);
            config.routes.before("/api/events/stream", ctx -> {
                if (!hub.hasRoom()) {
                    throw new ApiError(429, "too_many_streams", "too many live-update connections; retry shortly",
                            java.util.Map.of("Retry-After", "10"));
                }
            });
            config.routes.beforeMatched(guard::beforeMatched);
            // every answer under /api/, whichever route wrote it: the one place redaction happens
            config.routes.after("/api/*", answers::apply);
            config.routes.exception(Exception.class, DashboardServer::renderError);
            config.routes.error(404, ctx -> {
                String type = ctx.res().getContentType();
                if (type == null || !type.startsWith("application/json")) {
                    ObjectNode o = Json.object();
                    o.put("error", "not_found");
                    o.put("message", "no route " + ctx.method() + " " + ctx.path());
                    ctx.json(o);
                }
            });
            config.requestLogger.http((ctx, ms) -> auditWrite(b, ctx));
            RouteTable t = new RouteTable(config.routes);
            t.get("/health", Scope.PUBLIC, ctx -> health(ctx, b));
            new AuthRoutes(b, auth, limits).register(t);
            new ControlRoutes(b, status).register(t);
            new CheckpointRoutes(b).register(t);
            new ReadRoutes(b).register(t);
            new CouncilRoutes(b).register(t);
            new ProofRoutes(b).register(t);
            new dev.loki.dashboard.api.RunsRoutes(b).register(t);
            t.sse("/api/events/stream", Scope.READ, client -> {
                // the stream outlives the request that opened it: its credential is checked again
                String authorization = client.ctx().header("Authorization");
                String cookie = client.ctx().cookie(SessionStore.COOKIE);
                hub.subscribe(client, "status", watcher.currentStatus(),
                        () -> auth.stillValid(authorization, cookie, Scope.READ));
            });
            new StaticRoutes().register(t);
            table[0] = t;
        });
        DashboardServer server = new DashboardServer(app, b, table[0], hub, watcher, cfg.host());
        self[0] = server;
        try {
            app.start(cfg.host(), cfg.port());
        } catch (RuntimeException e) {
            b.worker().close();
            hub.close();
            throw LokiException.failed("Cannot start the dashboard on " + cfg.host() + ":" + cfg.port() + ": "
                    + rootMessage(e) + ". Pick another port with --port or LOKI_DASHBOARD_PORT.");
        }
        server.allowedHosts = allowed(cfg, app.port());
        watcher.start(Duration.ofMillis(envInt(cfg, "LOKI_DASHBOARD_WATCH_MS", 500)));
        return server;
    }

    public int port() {
        return app.port();
    }

    public String host() {
        return host;
    }

    /** {@code http://127.0.0.1:<port>} (a bind-all address is shown as loopback). */
    public String baseUrl() {
        String h = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        if (h.contains(":")) {
            h = "[" + h + "]";
        }
        return "http://" + h + ":" + port();
    }

    /** A fresh one-time login URL (valid 15 minutes, once). */
    public String loginUrl() {
        return loginUrl(baseUrl(), backend.tickets().mint(LoginTickets.DEFAULT_TTL));
    }

    public static String loginUrl(String baseUrl, String ticket) {
        return baseUrl + "/login?token=" + URLEncoder.encode(ticket, StandardCharsets.UTF_8);
    }

    public String instanceId() {
        return backend.instanceId();
    }

    public TokenStore tokens() {
        return backend.tokens();
    }

    public AuditLog audit() {
        return backend.audit();
    }

    /** Every registered route with its scope (the route-scope test walks these). */
    public List<RouteTable.Route> routes() {
        return routes.list();
    }

    /** The Javalin instance, for tests that inspect what was really registered. */
    public Javalin javalin() {
        return app;
    }

    public int liveSubscribers() {
        return hub.subscriberCount();
    }

    public void stop() {
        watcher.close();
        hub.close();
        app.stop();
        backend.worker().close();
    }

    @Override
    public void close() {
        stop();
    }

    private static void health(Context ctx, Backend b) {
        ObjectNode o = Json.object();
        o.put("status", "healthy");
        o.put("service", "loki-dashboard");
        o.put("instance_id", b.instanceId());
        o.put("pid", ProcessHandle.current().pid());
        ctx.json(o);
    }

    /**
     * A handler's name for what it made (a created checkpoint's id), recorded as the audit
     * record's resource when the route has no {@code id} of its own.
     */
    public static final String AUDIT_RESOURCE = "loki.audit.resource";

    /**
     * Every state change is audited with who, what and the result (401/403 are audited by the
     * guard). So is every request to a route that needs more than read scope, GET included: a
     * rollback plan takes a snapshot, and what a control or admin credential looked at is part
     * of the trail.
     */
    private static void auditWrite(Backend b, Context ctx) {
        int status = ctx.statusCode();
        boolean plainRead = READS.contains(ctx.method())
                && !AccessGuard.requiredScope(ctx.routeRoles()).includes(Scope.CONTROL);
        if (plainRead || status == 401 || status == 403 || ctx.path().startsWith("/api/auth/login")) {
            return;
        }
        Principal p = ctx.attribute(AccessGuard.PRINCIPAL);
        String made = ctx.attribute(AUDIT_RESOURCE);
        String resource = ctx.pathParamMap().getOrDefault("id", made == null ? "" : made);
        String route;
        try {
            // the matched route, not the after-filter that ran last
            io.javalin.router.Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
            route = matched == null ? "*" : matched.path;
        } catch (RuntimeException e) {
            route = "*";
        }
        if (route.equals("*") || route.isBlank()) {
            // no route matched (a 404): record the path as sent
            route = ctx.path();
        }
        b.audit().record(new AuditRecord(p == null ? "anonymous" : p.subject(), p == null ? "none" : p.method(),
                ctx.method().name() + " " + route, resource, status, ctx.ip(), ""));
    }

    private static void renderError(Exception raw, Context ctx) {
        Throwable e = raw instanceof CompletionException && raw.getCause() != null ? raw.getCause() : raw;
        ObjectNode o = Json.object();
        int status;
        if (e instanceof ApiError a) {
            status = a.status();
            a.headers().forEach(ctx::header);
            o.put("error", a.code());
            o.put("message", a.getMessage());
        } else if (e instanceof LokiException le) {
            ApiError a = CheckpointRoutes.toApiError(le);
            status = a.status();
            o.put("error", a.code());
            o.put("message", a.getMessage());
        } else if (e instanceof HttpResponseException h) {
            status = h.getStatus();
            o.put("error", status == 413 ? "payload_too_large" : status == 404 ? "not_found" : "http_" + status);
            o.put("message", h.getMessage());
        } else {
            LOG.warn("internal error on {} {}: {}", ctx.method(), ctx.path(), e.toString(), e);
            status = 500;
            o.put("error", "internal");
            o.put("message", "internal error; see the dashboard log");
        }
        ctx.status(status).json(o);
    }

    private static Set<String> allowed(DashboardConfig cfg, int port) {
        Set<String> names = new HashSet<>(List.of("127.0.0.1", "localhost", "[::1]"));
        String h = cfg.host().toLowerCase(Locale.ROOT);
        names.add(h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h);
        for (String extra : cfg.env().getOrDefault("LOKI_DASHBOARD_ALLOWED_HOSTS", "").split(",")) {
            if (!extra.isBlank()) {
                names.add(extra.strip().toLowerCase(Locale.ROOT));
            }
        }
        Set<String> out = new HashSet<>();
        for (String n : names) {
            out.add(n.contains(":") && !n.startsWith("[") ? n : n + ":" + port);
        }
        return Set.copyOf(out);
    }

    private static int envInt(DashboardConfig cfg, String name, int dflt) {
        try {
            int n = Integer.parseInt(cfg.env().getOrDefault(name, "").strip());
            return n > 0 ? n : dflt;
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    static String version() {
        Properties p = new Properties();
        try (InputStream in = DashboardServer.class.getResourceAsStream("/dev/loki/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // "unknown" below
        }
        return p.getProperty("version", "unknown");
    }

}
