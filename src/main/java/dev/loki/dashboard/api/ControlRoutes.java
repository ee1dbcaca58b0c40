package dev.loki.dashboard.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.dashboard.ApiError;
import dev.loki.dashboard.Backend;
import dev.loki.dashboard.Requests;
import dev.loki.dashboard.RouteTable;
import dev.loki.dashboard.auth.Scope;
import dev.loki.store.Json;
import dev.loki.store.SessionLock;
import dev.loki.store.Signals;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.List;

/**
 * Status, the task queue, and pause / resume / stop. Control writes the same signal files as
 * the CLI ({@link Signals}); the loop acts on them at its next iteration boundary. Stop never
 * kills a process: the loop winds down on its own (upstream's stop killed process groups and
 * anything matching a pattern).
 */
public final class ControlRoutes {
    private final Backend b;
    private final StatusReader status;

    public ControlRoutes(Backend b, StatusReader status) {
        this.b = b;
        this.status = status;
    }

    public void register(RouteTable t) {
        t.get("/api/status", Scope.READ, ctx -> ctx.json(status.read()));
        t.get("/api/tasks", Scope.READ, this::tasks);
        t.post("/api/control/pause", Scope.CONTROL, ctx -> signal(ctx, "pause"));
        t.post("/api/control/resume", Scope.CONTROL, ctx -> signal(ctx, "resume"));
        t.post("/api/control/stop", Scope.CONTROL, ctx -> signal(ctx, "stop"));
    }

    void tasks(Context ctx) {
        int limit = Requests.limit(ctx, 100, 500);
        int offset = Requests.offset(ctx);
        String want = ctx.queryParam("status");
        List<ObjectNode> all = TaskReader.all(b.loki());
        if (want != null && !want.isBlank()) {
            all = all.stream().filter(t -> t.path("status").asText().equals(want.strip())).toList();
        }
        ctx.json(Requests.page(all, limit, offset));
    }

    void signal(Context ctx, String what) {
        Requests.jsonBody(ctx);
        Signals s = new Signals(b.loki().ensureExists());
        boolean live = SessionLock.holder(b.loki()).isPresent();
        String message;
        try {
            switch (what) {
                case "pause" -> {
                    s.requestPause();
                    message = live ? "Pause requested: the run pauses at the next iteration boundary"
                            : "Pause recorded (no run is active)";
                }
                case "resume" -> {
                    s.requestResume();
                    message = live ? "Resume requested" : "Pause and stop signals cleared (no run is active)";
                }
                default -> {
                    s.requestStop();
                    message = live ? "Stop requested: the run stops at the next iteration boundary"
                            : "Stop recorded (no run is active)";
                }
            }
        } catch (IOException e) {
            throw new ApiError(500, "write_failed", "could not write the " + what + " signal: " + e.getMessage());
        }
        ObjectNode o = Json.object();
        o.put("success", true);
        o.put("message", message);
        o.put("session_active", live);
        ctx.json(o);
    }
}
