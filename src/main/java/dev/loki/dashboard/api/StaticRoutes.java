package dev.loki.dashboard.api;

import dev.loki.dashboard.ApiError;
import dev.loki.dashboard.RouteTable;
import dev.loki.dashboard.auth.Scope;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The web UI: files from the classpath folder {@code /dashboard/}, public because they hold no
 * data (every byte of project data goes through the scoped API). Paths are checked before
 * lookup: no {@code ..}, no hidden segments, known extensions only.
 */
public final class StaticRoutes {
    private static final Pattern SAFE = Pattern.compile("^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$");
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"), Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"), Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("svg", "image/svg+xml"), Map.entry("png", "image/png"), Map.entry("ico", "image/x-icon"),
            Map.entry("json", "application/json"), Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("woff2", "font/woff2"), Map.entry("map", "application/json"));
    private static final int MAX_FILE = 4 * 1024 * 1024;

    public void register(RouteTable t) {
        t.get("/", Scope.PUBLIC, ctx -> serve(ctx, "index.html"));
        t.get("/<path>", Scope.PUBLIC, ctx -> serve(ctx, ctx.pathParam("path")));
    }

    void serve(Context ctx, String path) throws IOException {
        if (path.startsWith("api/") || path.equals("api")) {
            throw ApiError.notFound("no such API route: /" + path);
        }
        if (!SAFE.matcher(path).matches() || path.contains("..")) {
            throw ApiError.notFound("not found");
        }
        int dot = path.lastIndexOf('.');
        String type = dot < 0 ? null : TYPES.get(path.substring(dot + 1).toLowerCase(Locale.ROOT));
        if (type == null) {
            throw ApiError.notFound("not found");
        }
        try (InputStream in = StaticRoutes.class.getResourceAsStream("/dashboard/" + path)) {
            if (in == null) {
                throw ApiError.notFound("not found: /" + path);
            }
            byte[] bytes = in.readNBytes(MAX_FILE);
            ctx.contentType(type).header("Cache-Control", "no-cache").result(bytes);
        }
    }
}
