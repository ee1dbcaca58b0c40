package dev.loki.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.Quote;
import dev.loki.git.PrivateDir;
import dev.loki.store.AtomicFiles;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import dev.loki.store.WriterPid;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The rollback journal: written before a rollback's first write, updated at each phase,
 * removed when it ends (done, or put back after a failure). One left behind means the
 * rollback's process was killed: every command says so in one line, {@code loki status} and
 * the dashboard show it, and {@code loki rollback to <target>} completes it (reusing the
 * journal's pre-rollback checkpoint) or {@code loki rollback to <pre>} undoes it.
 *
 * <p>It lives in {@code <git-dir>/loki/journal/rollback.json} ({@code .loki/state/rollback-journal.json}
 * outside git), so removing .loki never hides a half-done rollback.
 */
public final class RollbackJournal {
    /** Saving the pre-rollback checkpoint: no file of the work tree changed yet. */
    public static final String SAVING = "saving";
    /** Writing the target's files and state: the work tree may be part one, part the other. */
    public static final String RESTORING = "restoring";
    /** Failed and putting things back failed too. */
    public static final String FAILED = "failed";

    /** A rollback that started and has not ended. */
    public record Pending(String target, Optional<String> preRollback, String phase, WriterPid writer,
            Instant startedAt, Optional<Instant> interruptedAt, String error) {

        /** Whether the process that started it is still running (then it is not interrupted). */
        public boolean writerAlive() {
            return writer.alive();
        }

        /** Whether a rollback is running right now (its writer alive, and it has not failed). */
        public boolean running() {
            return !FAILED.equals(phase) && writerAlive();
        }

        public String completeCommand() {
            return Quote.command("loki", "rollback", "to", target);
        }

        public Optional<String> undoCommand() {
            return preRollback.map(p -> Quote.command("loki", "rollback", "to", p));
        }

        /** Whether files may already have been changed. */
        public boolean changedFiles() {
            return !SAVING.equals(phase);
        }

        /** The one line every command prints while this is pending. */
        public String line() {
            String who = "(pid " + writer.pid() + ", started " + startedAt.truncatedTo(ChronoUnit.SECONDS) + ")";
            if (FAILED.equals(phase)) {
                return "Rollback to " + target + " " + who + " failed and could not put everything back (" + error
                        + "). Once what stopped the writes is mended (permissions, a full disk, an immutable file),"
                        + " restore the state from before it with: " + undoCommand().orElse(completeCommand())
                        + " --force";
            }
            if (writerAlive()) {
                return "A rollback to " + target + " is in progress " + who + ".";
            }
            if (!changedFiles()) {
                return "Rollback to " + target + " " + who + " was interrupted before it changed any file. Roll back"
                        + " with: " + completeCommand();
            }
            return "Rollback to " + target + " " + who + " was interrupted: files may be part " + target
                    + ", part as before. Complete it with: " + completeCommand()
                    + undoCommand().map(u -> ", or undo it with: " + u).orElse("");
        }

        public ObjectNode toJson() {
            ObjectNode o = Json.object();
            o.put("target", target);
            if (preRollback.isPresent()) {
                o.put("pre_rollback", preRollback.get());
            } else {
                o.putNull("pre_rollback");
            }
            o.put("phase", phase);
            o.put("pid", writer.pid());
            o.put("pid_start", writer.start().map(Instant::toString).orElse(""));
            o.put("started_at", startedAt.toString());
            o.put("interrupted", !running());
            interruptedAt.ifPresent(t -> o.put("interrupted_at", t.toString()));
            if (!error.isEmpty()) {
                o.put("error", error);
            }
            o.put("complete_command", completeCommand());
            undoCommand().ifPresentOrElse(u -> o.put("undo_command", u), () -> o.putNull("undo_command"));
            o.put("message", line());
            return o;
        }

        Pending withPhase(String newPhase, Optional<String> pre) {
            return new Pending(target, pre, newPhase, writer, startedAt, interruptedAt, error);
        }

        Pending failed(String why) {
            return new Pending(target, preRollback, FAILED, writer, startedAt, interruptedAt, why);
        }

        Pending interruptedNow() {
            return new Pending(target, preRollback, phase, writer, startedAt, Optional.of(Instant.now()), error);
        }

        static Pending start(String target) {
            return new Pending(target, Optional.empty(), SAVING, WriterPid.current(), Instant.now(), Optional.empty(),
                    "");
        }
    }

    private final Path file;

    private RollbackJournal(Path file) {
        this.file = file;
    }

    /** The journal of the project whose .loki this is. */
    public static RollbackJournal at(LokiDir loki) {
        Optional<Path> gitDir = dev.loki.git.GitDirs.gitDir(loki.workTree());
        Path file = gitDir.map(g -> PrivateDir.journal(CheckpointPaths.repoAt(loki.workTree(), g)))
                .map(d -> d.resolve("rollback.json"))
                .orElse(loki.resolve("state/rollback-journal.json"));
        return new RollbackJournal(file);
    }

    public Path file() {
        return file;
    }

    /** The pending rollback, if one was started and did not end; an unreadable journal counts. */
    public Optional<Pending> read() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Optional<JsonNode> n = JsonFiles.peek(file).filter(JsonNode::isObject);
        if (n.isEmpty()) {
            return Optional.of(new Pending("(unknown)", Optional.empty(), RESTORING, new WriterPid(1L << 40,
                    Optional.empty()), Instant.EPOCH, Optional.empty(), "the journal " + file + " is unreadable"));
        }
        JsonNode j = n.get();
        String pre = j.path("pre_rollback").asText("");
        return Optional.of(new Pending(j.path("target").asText("(unknown)"),
                pre.isEmpty() ? Optional.empty() : Optional.of(pre), j.path("phase").asText(RESTORING),
                WriterPid.parse(j.path("pid").asText("0") + " " + j.path("pid_start").asText("-"))
                        .orElse(new WriterPid(1L << 40, Optional.empty())),
                instant(j.path("started_at").asText("")).orElse(Instant.EPOCH),
                instant(j.path("interrupted_at").asText("")), j.path("error").asText("")));
    }

    /**
     * The pending rollback, recording the first time it is found interrupted (its writer is
     * gone): a {@code checkpoint.rollback_interrupted} event, and the time in the journal.
     */
    public Optional<Pending> readAndRecord(LokiDir loki) {
        Optional<Pending> p = read();
        if (p.isPresent() && p.get().interruptedAt().isEmpty() && !p.get().running()
                && !"(unknown)".equals(p.get().target())) {
            Pending marked = p.get().interruptedNow();
            try {
                write(marked);
            } catch (IOException e) {
                return p; // recorded by the next command that can write
            }
            ObjectNode ev = marked.toJson();
            ev.remove("message");
            if (loki.exists()) {
                loki.events().append("checkpoint.rollback_interrupted", ev);
            }
            return Optional.of(marked);
        }
        return p;
    }

    void write(Pending p) throws IOException {
        ObjectNode o = Json.object();
        o.put("target", p.target());
        o.put("pre_rollback", p.preRollback().orElse(""));
        o.put("phase", p.phase());
        o.put("pid", String.valueOf(p.writer().pid()));
        o.put("pid_start", p.writer().start().map(Instant::toString).orElse("-"));
        o.put("started_at", p.startedAt().toString());
        p.interruptedAt().ifPresent(t -> o.put("interrupted_at", t.toString()));
        o.put("error", p.error());
        AtomicFiles.writeString(file, Json.pretty(o) + "\n");
    }

    void clear() throws IOException {
        Files.deleteIfExists(file);
    }

    private static Optional<Instant> instant(String s) {
        try {
            return s.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(s));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
