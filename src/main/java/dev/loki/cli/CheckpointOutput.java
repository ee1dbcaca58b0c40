package dev.loki.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.Quote;
import dev.loki.checkpoint.Checkpoint;
import dev.loki.checkpoint.CheckpointRecords;
import dev.loki.checkpoint.CheckpointService;
import dev.loki.checkpoint.KeptPath;
import dev.loki.checkpoint.RollbackResult;
import dev.loki.git.TreeChange;
import dev.loki.store.Json;
import java.io.PrintStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** How checkpoints and rollbacks are printed: human tables and lines, or JSON for scripts. */
final class CheckpointOutput {
    /** Kept paths printed one by one; beyond, a count. */
    private static final int MAX_KEPT_LINES = 20;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private CheckpointOutput() {
    }

    /** A corrupt record in {@code list --json}: its id, where its metadata went, why. */
    static ObjectNode toJson(CheckpointRecords.Corrupt c) {
        ObjectNode o = Json.object();
        o.put("id", c.id());
        o.put("kind", "corrupt");
        o.put("corrupt", true);
        o.put("kept_as", c.keptAs().toString());
        o.put("reason", c.reason());
        o.put("message", c.line());
        return o;
    }

    static void printList(PrintStream out, List<Checkpoint> shown, int total) {
        if (total == 0) {
            out.println("No checkpoints found.");
            out.println("Create one with: loki checkpoint create [message]");
            return;
        }
        out.println("Checkpoints (" + total + ", oldest first):");
        out.printf("%-26s %-19s %-12s %4s  %-9s %-22s %s%n", "ID", "CREATED (UTC)", "KIND", "ITER", "CODE",
                "BRANCH@SHA", "MESSAGE");
        for (Checkpoint c : shown) {
            out.printf("%-26s %-19s %-12s %4d  %-9s %-22s %s%n", c.id(), TIME.format(c.createdAt()), c.kind().label(),
                    c.iteration(), c.snapshot().status(), branchAtSha(c), clip(Quote.line(c.summary()), 60));
        }
        if (shown.size() < total) {
            out.println("Showing the newest " + shown.size() + " of " + total + " (use --limit N or --all).");
        }
    }

    static void printShow(PrintStream out, Checkpoint c) {
        out.println("ID:          " + c.id());
        out.println("Kind:        " + c.kind().label() + (c.isOurs() ? "" : " (written by upstream Loki Mode)"));
        out.println("Created:     " + TIME.format(c.createdAt()) + " UTC");
        out.println("Timestamp:   " + (c.timestamp().isBlank() ? c.createdAt().toString() : c.timestamp()));
        out.println("Iteration:   " + c.iteration());
        out.println("Task:        " + (c.taskId().isBlank() ? "-" : Quote.line(c.taskId())));
        out.println("Message:     " + (c.summary().isBlank() ? "-" : Quote.line(c.summary())));
        out.println("Git:         " + branchAtSha(c));
        out.println("Git SHA:     " + (c.gitSha().isBlank() ? "unknown" : c.gitSha()));
        out.println("Provider:    " + (c.provider().isBlank() ? "-" : c.provider()));
        out.println("Phase:       " + (c.phase().isBlank() ? "-" : c.phase()));
        out.println("Code:        " + codeLine(c));
        JsonNode skipped = c.metadata().path("snapshot").path("skipped");
        for (JsonNode k : skipped) {
            out.println("  left out:  " + Quote.path(k.path("path").asText()) + " ("
                    + Quote.line(k.path("reason").asText()) + ")");
        }
        out.println("State:       " + c.stateFiles().size() + " file(s)");
        for (String f : c.stateFiles()) {
            out.println("  " + Quote.path(f));
        }
        out.println("Roll back to it with: " + Quote.command("loki", "rollback", "to", c.id()));
    }

    static String codeLine(Checkpoint c) {
        return switch (c.snapshot().status()) {
            case "captured" -> "snapshot " + c.snapshotCommit().map(s -> s.substring(0, 12)).orElse("?")
                    + " (tracked and untracked files)";
            case "legacy" -> "upstream snapshot " + c.snapshotCommit().map(s -> s.substring(0, 12)).orElse("?")
                    + " (tracked files only)";
            default -> "not saved: " + (c.snapshot().reason().isBlank() ? c.snapshot().status() : c.snapshot().reason());
        };
    }

    static void printCreated(PrintStream out, PrintStream err, Checkpoint c) {
        for (JsonNode k : c.metadata().path("snapshot").path("skipped")) {
            err.println("Warning: left " + Quote.path(k.path("path").asText()) + " out of the code snapshot ("
                    + Quote.line(k.path("reason").asText()) + ")");
        }
        out.println("Checkpoint: " + c.id());
        out.println("Git:        " + branchAtSha(c));
        out.println("Message:    " + Quote.line(c.summary()));
        out.println("Code:       " + codeLine(c));
        out.println("State:      " + c.stateFiles().size() + " file(s)");
        out.println("Restore with: " + Quote.command("loki", "rollback", "to", c.id()));
    }

    static ObjectNode toJson(RollbackResult r) {
        ObjectNode o = Json.object();
        o.put("id", r.targetId());
        o.put("dry_run", r.dryRun());
        if (r.preRollbackId().isPresent()) {
            o.put("pre_rollback_snapshot", r.preRollbackId().get());
        } else {
            o.putNull("pre_rollback_snapshot");
        }
        o.put("code_restored", r.codeRestored());
        o.put("restored", r.count('A'));
        o.put("changed", r.count('M') + r.count('T'));
        o.put("removed", r.count('D'));
        ArrayNode changes = o.putArray("changes");
        for (TreeChange c : r.codeChanges()) {
            ObjectNode x = changes.addObject();
            x.put("status", String.valueOf(c.status()));
            x.put("path", c.path());
        }
        ArrayNode state = o.putArray("state_restored");
        r.stateRestored().forEach(state::add);
        ArrayNode prot = o.putArray("protected");
        r.protectedPaths().forEach(prot::add);
        o.set("kept", dev.loki.checkpoint.CheckpointJson.kept(r.kept(), r.dryRun()));
        ArrayNode notes = o.putArray("notes");
        r.notes().forEach(notes::add);
        r.undoCommand().ifPresent(u -> o.put("undo_command", u));
        return o;
    }

    /** {@code stateOnly}: the dry run's "Roll back with" command keeps --state-only (without it, code is restored too). */
    static void printRollback(PrintStream out, RollbackResult r, boolean stateOnly) {
        String verb = r.dryRun() ? "would be" : "were";
        if (r.codeRestored()) {
            if (r.codeChanges().isEmpty() && r.kept().isEmpty()) {
                out.println("Code: the work tree already matches " + r.targetId() + (r.dryRun() ? "." : "; no file changed."));
            } else if (r.codeChanges().isEmpty()) {
                // a kept path may differ from the checkpoint: no claim that the whole tree matches
                out.println("Code: no file " + (r.dryRun() ? "would change" : "changed") + "; the work tree matches "
                        + r.targetId() + " apart from " + r.kept().size() + " path(s) " + (r.dryRun() ? "that would be "
                        : "") + "left as they are:");
            } else {
                out.println("Code: " + (r.count('M') + r.count('T')) + " file(s) " + verb + " changed back, "
                        + r.count('A') + " brought back, " + r.count('D') + " removed (created after the checkpoint).");
                for (TreeChange c : r.codeChanges()) {
                    String what = switch (c.status()) {
                        case 'A' -> "restore";
                        case 'D' -> "remove ";
                        default -> "revert ";
                    };
                    out.println("  " + what + " " + Quote.path(c.path()));
                }
            }
        }
        // all of them are in --json; here a few, as an agent that emptied .gitignore can make thousands
        int shown = r.kept().size() <= MAX_KEPT_LINES + 1 ? r.kept().size() : MAX_KEPT_LINES;
        for (KeptPath k : r.kept().subList(0, shown)) {
            out.println("  kept    " + Quote.path(k.path()) + ": " + k.describe(r.dryRun()));
        }
        if (shown < r.kept().size()) {
            out.println("  kept    ... and " + (r.kept().size() - shown) + " more path(s) " + (r.dryRun()
                    ? "that would be " : "") + "left as they are (--json lists them all)");
        }
        out.println("State: " + r.stateRestored().size() + " file(s) " + (r.dryRun() ? "would be restored." : "restored."));
        for (String n : r.notes()) {
            out.println("Note: " + Quote.line(n));
        }
        if (r.dryRun()) {
            out.println("Dry run: nothing was changed. Roll back with: "
                    + (stateOnly ? Quote.command("loki", "rollback", "to", r.targetId(), "--state-only")
                            : Quote.command("loki", "rollback", "to", r.targetId())));
        } else {
            r.undoCommand().ifPresent(u -> out.println("Undo this rollback with: " + u));
        }
    }

    static String humanBytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        double v = b;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[i]);
    }

    static void printPrune(PrintStream out, CheckpointService.PruneReport r) {
        out.println("Removed " + r.removed().size() + " checkpoint(s) beyond retention"
                + (r.removed().isEmpty() ? "." : ": " + String.join(", ", r.removed())));
        out.println("Snapshot store: " + humanBytes(r.bytesBefore()) + " -> " + humanBytes(r.bytesAfter())
                + (r.repacked() ? " (repacked: every kept snapshot now holds its own copy of its files)" : ""));
        r.notes().forEach(n -> out.println("Note: " + Quote.line(n)));
    }

    private static String branchAtSha(Checkpoint c) {
        String sha = c.gitSha().length() >= 7 && c.gitSha().matches("[0-9a-f]+") ? c.gitSha().substring(0, 7)
                : c.gitSha();
        String branch = c.gitBranch().isBlank() ? "(no branch)" : c.gitBranch();
        return branch + "@" + (sha.isBlank() ? "-" : sha);
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
