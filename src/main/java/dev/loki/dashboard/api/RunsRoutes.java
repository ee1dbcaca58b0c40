package dev.loki.dashboard.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.LokiException;
import dev.loki.dashboard.ApiError;
import dev.loki.dashboard.Backend;
import dev.loki.dashboard.RouteTable;
import dev.loki.dashboard.auth.Scope;
import dev.loki.store.Json;
import dev.loki.work.Worktrees;
import io.javalin.http.Context;
import java.io.IOException;

/** Read-only: the isolated runs (worktrees) of the repository this dashboard's project is in. */
public final class RunsRoutes {
    private final Backend b;

    public RunsRoutes(Backend b) {
        this.b = b;
    }

    public void register(RouteTable t) {
        t.get("/api/runs", Scope.READ, this::runs);
    }

    void runs(Context ctx) {
        ObjectNode o = Json.object();
        ArrayNode a = o.putArray("runs");
        try {
            Worktrees.of(b.loki().workTree(), b.env()).list().forEach(e -> a.add(e.toJson()));
        } catch (LokiException e) {
            o.put("note", e.getMessage());
        } catch (IOException e) {
            throw new ApiError(500, "internal", "could not list the worktrees: " + e.getMessage());
        }
        ctx.json(o);
    }
}
