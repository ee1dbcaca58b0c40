package dev.loki.dashboard;

import dev.loki.dashboard.auth.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.List;

/**
 * Where routes are registered: every route names its scope in the same call that adds it, so
 * a route without one cannot be written; {@link AccessGuard} refuses any that slip past (deny
 * by default). The list is what the route-scope test and the docs enumerate.
 */
public final class RouteTable {
    /** One registered route. */
    public record Route(HandlerType method, String path, Scope scope) {
    }

    private final RoutesConfig routes;
    private final List<Route> registered = new ArrayList<>();

    RouteTable(RoutesConfig routes) {
        this.routes = routes;
    }

    public RouteTable get(String path, Scope scope, Handler h) {
        return add(HandlerType.GET, path, scope, h);
    }

    public RouteTable post(String path, Scope scope, Handler h) {
        return add(HandlerType.POST, path, scope, h);
    }

    public RouteTable delete(String path, Scope scope, Handler h) {
        return add(HandlerType.DELETE, path, scope, h);
    }

    public RouteTable add(HandlerType method, String path, Scope scope, Handler h) {
        routes.addHttpHandler(method, path, h, scope);
        registered.add(new Route(method, path, scope));
        return this;
    }

    /** Server-sent events, GET only. */
    public RouteTable sse(String path, Scope scope, java.util.function.Consumer<io.javalin.http.sse.SseClient> client) {
        routes.sse(path, client, scope);
        registered.add(new Route(HandlerType.GET, path, scope));
        return this;
    }

    public List<Route> list() {
        return List.copyOf(registered);
    }
}
