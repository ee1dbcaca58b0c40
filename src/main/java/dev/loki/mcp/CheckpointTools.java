package dev.loki.mcp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.checkpoint.Checkpoint;
import dev.loki.checkpoint.CheckpointJson;
import dev.loki.checkpoint.CheckpointRequest;
import dev.loki.checkpoint.CheckpointService;
import dev.loki.checkpoint.RollbackOptions;
import dev.loki.checkpoint.RetentionPins;
import dev.loki.checkpoint.RollbackResult;
import dev.loki.dashboard.auth.Scope;
import dev.loki.git.TreeChange;
import dev.loki.store.Json;
import dev.loki.store.SessionLock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checkpoints through MCP: the same {@link CheckpointService} calls as {@code loki checkpoint}
 * and {@code loki rollback}. A restore is a dry run unless {@code confirm: true}, is refused
 * during a live run unless {@code force: true} (which needs the admin scope over HTTP), and
 * answers with the pre-rollback checkpoint that undoes it.
 */
final class CheckpointTools {
    private CheckpointTools() {
    }

    static List<ToolSpec> all(McpContext c) {
        return List.of(
                ToolSpec.read("loki_checkpoint_list", "List this project's checkpoints, newest first.",
                        Schema.object().integer("limit", "How many (default 20).", 1, 200),
                        (a, who) -> list(c, a.integer("limit", 20))),
                ToolSpec.control("loki_checkpoint_create",
                        "Take a checkpoint of agent state and code (tracked and untracked files).",
                        Schema.object().string("message", "What this checkpoint is for.", false, 500)
                                .bool("state_only", "Save agent state only, not the code."),
                        (a, who) -> create(c, a.string("message"), a.flag("state_only"))),
                ToolSpec.read("loki_checkpoint_diff",
                        "What rolling back to a checkpoint would change, file by file (nothing is changed).",
                        Schema.object().id("checkpoint_id", "The checkpoint id (see loki_checkpoint_list).", true),
                        (a, who) -> diff(c, a.string("checkpoint_id"))),
                new ToolSpec("loki_checkpoint_restore",
                        "Roll agent state and code back to a checkpoint. A dry run unless confirm is true. Refused"
                                + " while a loki run is active unless force is true. The answer names the"
                                + " pre-rollback checkpoint that undoes it.",
                        Schema.object().id("checkpoint_id", "The checkpoint id.", true)
                                .bool("confirm", "Really roll back (default false: only show what would change).")
                                .bool("force", "Roll back even while a run is active (admin scope over HTTP).")
                                .bool("state_only", "Restore agent state only; leave the code alone."),
                        Scope.CONTROL, true, (a, who) -> restore(c, a, who)));
    }

    static ObjectNode list(McpContext c, int limit) {
        List<Checkpoint> all = c.loki().exists() ? c.checkpoints().list() : List.of();
        Map<String, String> pinned = all.isEmpty() ? Map.of() : RetentionPins.of(c.loki(), all);
        ObjectNode o = Json.object();
        o.put("total", all.size());
        ArrayNode arr = o.putArray("checkpoints");
        for (int i = all.size() - 1; i >= 0 && arr.size() < limit; i--) {
            // each item as 'loki rollback list --json' prints it
            arr.add(CheckpointJson.of(all.get(i), pinned));
        }
        return o;
    }

    static ObjectNode create(McpContext c, String message, boolean stateOnly) {
        CheckpointRequest req = CheckpointRequest.manual(message.isBlank() ? "checkpoint from MCP" : message);
        Checkpoint cp = c.checkpoints().create(stateOnly ? req.withoutCode() : req);
        ObjectNode o = CheckpointJson.of(cp);
        o.put("undo_hint", "loki_checkpoint_restore with checkpoint_id " + cp.id() + " and confirm true returns here");
        return o;
    }

    static ObjectNode diff(McpContext c, String id) {
        CheckpointService svc = service(c, id);
        RollbackResult r = svc.rollback(id, new RollbackOptions(false, false, true));
        ObjectNode o = Json.object();
        o.put("checkpoint_id", id);
        o.put("code_changes", r.codeChanges().size());
        putFiles(o, r);
        ArrayNode state = o.putArray("state_files");
        r.stateRestored().forEach(state::add);
        ArrayNode prot = o.putArray("protected_paths");
        r.protectedPaths().forEach(prot::add);
        o.set("kept", CheckpointJson.kept(r.kept(), true));
        ArrayNode notes = o.putArray("notes");
        r.notes().forEach(notes::add);
        return o;
    }

    static ObjectNode restore(McpContext c, Args a, Caller who) {
        String id = a.string("checkpoint_id");
        boolean force = a.flag("force");
        if (!a.flag("confirm")) {
            ObjectNode o = diff(c, id);
            o.put("dry_run", true);
            o.put("message", "Dry run: nothing was changed. Call loki_checkpoint_restore again with confirm: true"
                    + " to roll back.");
            return o;
        }
        if (force && !who.scope().includes(Scope.ADMIN)) {
            throw new ToolError(403, "'force' needs a token with the admin scope.");
        }
        CheckpointService svc = service(c, id);
        if (!force) {
            Optional<Long> holder = SessionLock.holder(c.loki());
            if (holder.isPresent()) {
                throw new ToolError(409, "A loki run (pid " + holder.get() + ") is active in this project; call"
                        + " loki_stop first, or pass force: true to roll back under it.");
            }
        }
        RollbackResult r = svc.rollback(id, new RollbackOptions(a.flag("state_only"), force, false));
        ObjectNode o = Json.object();
        o.put("dry_run", false);
        o.put("checkpoint_id", r.targetId());
        o.put("restored_code", r.codeRestored());
        putFiles(o, r);
        ArrayNode state = o.putArray("state_restored");
        r.stateRestored().forEach(state::add);
        r.preRollbackId().ifPresentOrElse(p -> {
            o.put("pre_rollback_id", p);
            ObjectNode undo = o.putObject("undo");
            undo.put("tool", "loki_checkpoint_restore");
            undo.putObject("arguments").put("checkpoint_id", p).put("confirm", true);
            undo.put("command", dev.loki.Quote.command("loki", "rollback", "to", p));
        }, () -> o.putNull("pre_rollback_id"));
        o.set("kept", CheckpointJson.kept(r.kept(), false));
        ArrayNode notes = o.putArray("notes");
        r.notes().forEach(notes::add);
        return o;
    }

    private static CheckpointService service(McpContext c, String id) {
        if (!c.loki().exists()) {
            throw ToolError.notFound("No .loki directory in this project yet, so no checkpoint " + id + ".");
        }
        CheckpointService svc = c.checkpoints();
        if (svc.find(id).isEmpty()) {
            throw ToolError.notFound("Checkpoint not found: " + id + " (see loki_checkpoint_list).");
        }
        return svc;
    }

    /** What a rollback does (or would do) to the code: counts by kind, then file by file. */
    private static void putFiles(ObjectNode o, RollbackResult r) {
        o.put("files_changed_back", r.count('M') + r.count('T'));
        o.put("files_brought_back", r.count('A'));
        o.put("files_removed", r.count('D'));
        o.set("files", files(r.codeChanges()));
    }

    private static ArrayNode files(List<TreeChange> changes) {
        ArrayNode arr = Json.MAPPER.createArrayNode();
        for (TreeChange t : changes) {
            ObjectNode f = arr.addObject();
            f.put("path", t.path());
            f.put("status", String.valueOf(t.status()));
            f.put("action", switch (t.status()) {
                case 'A' -> "bring back (deleted since the checkpoint)";
                case 'D' -> "remove (created since the checkpoint)";
                case 'T' -> "change type back";
                default -> "restore content";
            });
        }
        return arr;
    }
}
