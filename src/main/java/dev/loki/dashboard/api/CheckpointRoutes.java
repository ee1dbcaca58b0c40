package dev.loki.dashboard.api;

import dev.loki.checkpoint.CheckpointDiff;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.ExitCode;
import dev.loki.LokiException;
import dev.loki.checkpoint.Checkpoint;
import dev.loki.checkpoint.CheckpointJson;
import dev.loki.checkpoint.CheckpointRequest;
import dev.loki.checkpoint.RollbackOptions;
import dev.loki.checkpoint.RetentionPins;
import dev.loki.checkpoint.RollbackResult;
import dev.loki.dashboard.AccessGuard;
import dev.loki.dashboard.ApiError;
import dev.loki.dashboard.Backend;
import dev.loki.dashboard.Requests;
import dev.loki.dashboard.RouteTable;
import dev.loki.dashboard.auth.Principal;
import dev.loki.dashboard.auth.Scope;
import dev.loki.store.Json;
import dev.loki.store.SessionLock;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checkpoints: list, show, create, and roll back. Create and rollback call the same
 * {@code CheckpointService} methods as {@code loki checkpoint create} and {@code loki rollback
 * to}, on the worker (never on a request thread). The list is cached until the checkpoint
 * directory or its index changes, so listing 1,000 checkpoints does not re-read 1,000 files.
 */
public final class CheckpointRoutes {
    private final Backend b;
    /** Built once: it resolves the work tree and home and reads the environment's secrets. */
    private volatile Listing cache = new Listing(null, null, -1, List.of());

    /** The checkpoints, oldest first (their JSON is built per page: the pins change with run.json). */
    private record Listing(FileTime dirMtime, FileTime indexMtime, long indexSize, List<Checkpoint> all) {
    }

    public CheckpointRoutes(Backend b) {
        this.b = b;
    }

    public void register(RouteTable t) {
        t.get("/api/checkpoints", Scope.READ, this::list);
        t.get("/api/checkpoints/{id}", Scope.READ, this::show);
        t.post("/api/checkpoints", Scope.CONTROL, this::create);
        t.post("/api/checkpoints/{id}/rollback", Scope.CONTROL, this::rollback);
        t.get("/api/checkpoints/{id}/rollback-plan", Scope.CONTROL, this::rollbackPlan);
        t.get("/api/checkpoints/{id}/rollback-plan/diff", Scope.CONTROL, this::rollbackFileDiff);
        t.get("/api/checkpoints/{id}/changes", Scope.READ, this::changes);
        t.get("/api/checkpoints/{id}/changes/diff", Scope.READ, this::changeFileDiff);
    }

    /**
     * The rollback confirmation: the dry run of the very rollback the button would start, as
     * files changed back, brought back and removed. Control scope: it snapshots the work tree.
     */
    void rollbackPlan(Context ctx) {
        String id = existing(ctx);
        ctx.future(() -> b.worker().submit(() -> new CheckpointDiff(b.checkpoints()).rollbackPlan(id))
                .thenAccept(p -> ctx.json(planJson(p))));
    }

    void rollbackFileDiff(Context ctx) {
        String id = existing(ctx);
        String path = pathParam(ctx);
        ctx.future(() -> b.worker().submit(() -> new CheckpointDiff(b.checkpoints()).rollbackFileDiff(id, path))
                .thenAccept(d -> ctx.json(diffJson(d))));
    }

    /** What the iteration behind a checkpoint changed, vs the previous snapshotted checkpoint. */
    void changes(Context ctx) {
        String id = existing(ctx);
        ctx.future(() -> b.worker().submit(() -> new CheckpointDiff(b.checkpoints()).iterationChanges(id))
                .thenAccept(c -> {
                    ObjectNode o = Json.object();
                    o.put("checkpoint_id", c.checkpointId());
                    c.previousId().ifPresentOrElse(v -> o.put("previous_id", v), () -> o.putNull("previous_id"));
                    o.put("note", c.note());
                    ArrayNode files = o.putArray("files");
                    for (CheckpointDiff.FileChange f : c.files()) {
                        ObjectNode x = files.addObject();
                        x.put("path", f.path());
                        x.put("status", String.valueOf(f.status()));
                        x.put("effect", f.iterationEffect());
                    }
                    ctx.json(o);
                }));
    }

    void changeFileDiff(Context ctx) {
        String id = existing(ctx);
        String path = pathParam(ctx);
        ctx.future(() -> b.worker().submit(() -> new CheckpointDiff(b.checkpoints()).iterationFileDiff(id, path))
                .thenAccept(d -> ctx.json(diffJson(d))));
    }

    private String existing(Context ctx) {
        String id = Requests.id(ctx, "id");
        if (b.checkpoints().find(id).isEmpty()) {
            throw ApiError.notFound("checkpoint not found: " + id);
        }
        return id;
    }

    private static String pathParam(Context ctx) {
        String path = Optional.ofNullable(ctx.queryParam("path")).orElse("");
        if (path.isBlank() || path.length() > 4096 || path.indexOf('\0') >= 0) {
            throw ApiError.badRequest("give the file as ?path=<work-tree-relative path>");
        }
        return path;
    }

    static ObjectNode planJson(CheckpointDiff.RollbackPlan p) {
        ObjectNode o = Json.object();
        o.put("checkpoint_id", p.checkpointId());
        o.put("restores_code", p.codeRestorable());
        fileList(o.putArray("changed_back"), p.changedBack());
        fileList(o.putArray("brought_back"), p.broughtBack());
        fileList(o.putArray("removed"), p.removed());
        ArrayNode state = o.putArray("state_restored");
        p.stateRestored().forEach(state::add);
        ArrayNode prot = o.putArray("protected_paths");
        p.protectedPaths().forEach(prot::add);
        o.set("kept", CheckpointJson.kept(p.kept(), true));
        ArrayNode notes = o.putArray("notes");
        p.notes().forEach(notes::add);
        return o;
    }

    private static void fileList(ArrayNode arr, List<CheckpointDiff.FileChange> files) {
        for (CheckpointDiff.FileChange f : files) {
            ObjectNode x = arr.addObject();
            x.put("path", f.path());
            x.put("status", String.valueOf(f.status()));
            x.put("effect", f.rollbackEffect());
        }
    }

    private ObjectNode diffJson(CheckpointDiff.FileDiff d) {
        ObjectNode o = Json.object();
        o.put("path", d.path());
        o.put("status", String.valueOf(d.status()));
        o.put("binary", d.binary());
        o.put("truncated", d.truncated());
        // file content may hold anything the agent wrote: AnswerRedaction masks it as it leaves
        o.put("diff", d.diff());
        return o;
    }

    void list(Context ctx) {
        int limit = Requests.limit(ctx, 20, 200);
        int offset = Requests.offset(ctx);
        List<Checkpoint> all = listing();
        Map<String, String> pins = all.isEmpty() ? Map.of() : RetentionPins.of(b.loki(), all);
        ctx.json(Requests.page(new java.util.AbstractList<ObjectNode>() {
            @Override
            public ObjectNode get(int i) {
                return summary(all.get(all.size() - 1 - i), pins);
            }

            @Override
            public int size() {
                return all.size();
            }
        }, limit, offset));
    }

    void show(Context ctx) {
        String id = Requests.id(ctx, "id");
        Checkpoint c = b.checkpoints().find(id).orElseThrow(() -> ApiError.notFound("checkpoint not found: " + id));
        ctx.json(detail(c, RetentionPins.of(b.loki(), listing())));
    }

    void create(Context ctx) {
        ObjectNode body = Requests.jsonBody(ctx);
        String message = Requests.text(body, "message", 500);
        ctx.future(() -> b.worker().submit(() -> b.checkpoints().create(CheckpointRequest.dashboard(message)))
                .thenAccept(c -> {
                    ctx.attribute(dev.loki.dashboard.DashboardServer.AUDIT_RESOURCE, c.id());
                    ctx.status(201).json(summary(c, Map.of()));
                }));
    }

    void rollback(Context ctx) {
        String id = Requests.id(ctx, "id");
        ObjectNode body = Requests.jsonBody(ctx);
        boolean stateOnly = Requests.flag(body, "state_only");
        boolean force = Requests.flag(body, "force");
        Principal p = ctx.attribute(AccessGuard.PRINCIPAL);
        if (force && !p.scope().includes(Scope.ADMIN)) {
            throw new ApiError(403, "forbidden", "'force' needs the admin scope");
        }
        if (b.checkpoints().find(id).isEmpty()) {
            throw ApiError.notFound("checkpoint not found: " + id);
        }
        if (!force) {
            Optional<Long> holder = SessionLock.holder(b.loki());
            if (holder.isPresent()) {
                throw ApiError.conflict("a loki run (pid " + holder.get() + ") is active in this project: stop it"
                        + " first, or send {\"force\": true} with an admin token");
            }
        }
        RollbackOptions opts = new RollbackOptions(stateOnly, force, false);
        ctx.future(() -> b.worker().submit(() -> b.checkpoints().rollback(id, opts))
                .thenAccept(r -> ctx.json(rollbackJson(r))));
    }

    /** A rollback's outcome in the documented shape; the pre-rollback id undoes it. */
    static ObjectNode rollbackJson(RollbackResult r) {
        ObjectNode o = Json.object();
        o.put("success", true);
        o.put("checkpoint_id", r.targetId());
        ArrayNode state = o.putArray("restored_state");
        r.stateRestored().forEach(state::add);
        o.put("restored_code", r.codeRestored());
        o.put("files_changed", r.count('M') + r.count('T'));
        o.put("files_added", r.count('A'));
        o.put("files_removed", r.count('D'));
        r.preRollbackId().ifPresentOrElse(v -> o.put("pre_rollback_snapshot", v),
                () -> o.putNull("pre_rollback_snapshot"));
        ArrayNode prot = o.putArray("protected_paths");
        r.protectedPaths().forEach(prot::add);
        o.set("kept", CheckpointJson.kept(r.kept(), r.dryRun()));
        ArrayNode notes = o.putArray("notes");
        r.notes().forEach(notes::add);
        r.undoCommand().ifPresent(u -> o.put("undo_command", u));
        return o;
    }

    private List<Checkpoint> listing() {
        FileTime dir;
        FileTime idx = null;
        long size = -1;
        try {
            dir = Files.getLastModifiedTime(b.loki().checkpointsDir());
        } catch (IOException e) {
            return List.of();
        }
        try {
            idx = Files.getLastModifiedTime(b.loki().checkpointsDir().resolve("index.jsonl"));
            size = Files.size(b.loki().checkpointsDir().resolve("index.jsonl"));
        } catch (IOException e) {
            // no index (legacy or empty store): the directory's mtime alone decides
        }
        Listing c = cache;
        if (dir.equals(c.dirMtime()) && java.util.Objects.equals(idx, c.indexMtime()) && size == c.indexSize()) {
            return c.all();
        }
        List<Checkpoint> all;
        try {
            all = List.copyOf(b.checkpoints().list());
        } catch (LokiException e) {
            throw new ApiError(500, "unreadable", e.getMessage());
        }
        cache = new Listing(dir, idx, size, all);
        return all;
    }

    /**
     * A checkpoint in the shape of {@code loki rollback list --json} ({@link CheckpointJson}, the
     * {@code snapshot} object and {@code pinned} included), plus the flat fields the web UI and
     * older clients read ({@code snapshot_sha}, {@code snapshot_status}).
     */
    static ObjectNode summary(Checkpoint c, Map<String, String> pins) {
        ObjectNode o = CheckpointJson.of(c, pins);
        c.snapshot().commit().ifPresentOrElse(v -> o.put("snapshot_sha", v), () -> o.putNull("snapshot_sha"));
        o.put("snapshot_status", c.snapshot().status());
        return o;
    }

    static ObjectNode detail(Checkpoint c, Map<String, String> pins) {
        ObjectNode o = summary(c, pins);
        if (!c.snapshot().reason().isBlank()) {
            o.put("snapshot_reason", c.snapshot().reason());
        }
        ArrayNode skipped = o.putArray("snapshot_skipped");
        c.snapshot().skipped().forEach(skipped::add);
        o.put("files_count", c.stateFiles().size());
        return o;
    }

    /** How a domain failure of a rollback or create maps onto HTTP. */
    public static ApiError toApiError(LokiException e) {
        if (e.exitCode() == ExitCode.USAGE) {
            return ApiError.badRequest(e.getMessage());
        }
        if (e.getMessage() != null && e.getMessage().contains("is active in this project")) {
            return ApiError.conflict(e.getMessage());
        }
        return new ApiError(422, "failed", e.getMessage());
    }
}
