package dev.loki.dashboard.api;

import dev.loki.checkpoint.CheckpointDiff;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.ExitCode;
import dev.loki.LokiException;
import dev.loki.checkpoint.Checkpoint;
import dev.loki.checkpoint.CheckpointRequest;
import dev.loki.checkpoint.RollbackOptions;
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
import java.util.ArrayList;
import java.util.List;
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

    private record Listing(FileTime dirMtime, FileTime indexMtime, long indexSize, List<ObjectNode> newestFirst) {
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
        keptList(o.putArray("kept"), p.kept(), true);
        ArrayNode notes = o.putArray("notes");
        p.notes().forEach(notes::add);
        return o;
    }

    /** Each path a rollback leaves as it is, with why in the CLI's words (never "no snapshot could hold it" when one did). */
    private static void keptList(ArrayNode arr, List<dev.loki.checkpoint.KeptPath> kept, boolean dryRun) {
        for (dev.loki.checkpoint.KeptPath k : kept) {
            ObjectNode x = arr.addObject();
            x.put("path", k.path());
            x.put("message", k.describe(dryRun));
        }
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
        ctx.json(Requests.page(listing(), limit, offset));
    }

    void show(Context ctx) {
        String id = Requests.id(ctx, "id");
        Checkpoint c = b.checkpoints().find(id).orElseThrow(() -> ApiError.notFound("checkpoint not found: " + id));
        ctx.json(detail(c));
    }

    void create(Context ctx) {
        ObjectNode body = Requests.jsonBody(ctx);
        String message = Requests.text(body, "message", 500);
        ctx.future(() -> b.worker().submit(() -> b.checkpoints().create(CheckpointRequest.dashboard(message)))
                .thenAccept(c -> ctx.status(201).json(summary(c))));
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
        keptList(o.putArray("kept"), r.kept(), r.dryRun());
        ArrayNode notes = o.putArray("notes");
        r.notes().forEach(notes::add);
        r.undoCommand().ifPresent(u -> o.put("undo_command", u));
        return o;
    }

    private List<ObjectNode> listing() {
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
            return c.newestFirst();
        }
        List<ObjectNode> out = new ArrayList<>();
        List<Checkpoint> all;
        try {
            all = b.checkpoints().list();
        } catch (LokiException e) {
            throw new ApiError(500, "unreadable", e.getMessage());
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            out.add(summary(all.get(i)));
        }
        List<ObjectNode> frozen = List.copyOf(out);
        cache = new Listing(dir, idx, size, frozen);
        return frozen;
    }

    static ObjectNode summary(Checkpoint c) {
        ObjectNode o = Json.object();
        o.put("id", c.id());
        o.put("kind", c.kind().label());
        o.put("timestamp", c.timestamp());
        o.put("created_at", c.createdAt().toString());
        o.put("iteration", c.iteration());
        o.put("task_id", c.taskId());
        o.put("task_description", c.taskDescription());
        o.put("message", c.summary());
        o.put("git_sha", c.gitSha());
        o.put("git_branch", c.gitBranch());
        o.put("provider", c.provider());
        o.put("phase", c.phase());
        c.snapshot().commit().ifPresentOrElse(v -> o.put("snapshot_sha", v), () -> o.putNull("snapshot_sha"));
        o.put("snapshot_status", c.snapshot().status());
        o.put("format", c.format());
        return o;
    }

    static ObjectNode detail(Checkpoint c) {
        ObjectNode o = summary(c);
        if (!c.snapshot().reason().isBlank()) {
            o.put("snapshot_reason", c.snapshot().reason());
        }
        ArrayNode skipped = o.putArray("snapshot_skipped");
        c.snapshot().skipped().forEach(skipped::add);
        ArrayNode state = o.putArray("state_files");
        c.stateFiles().forEach(state::add);
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
