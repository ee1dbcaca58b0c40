package dev.loki.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The control files a person (CLI or dashboard) writes to steer a running loop, and the loop
 * reads at the top of every iteration: {@code PAUSE}, {@code STOP}, {@code PAUSE_AT_CHECKPOINT}
 * and {@code HUMAN_INPUT.md} at the top of .loki, and the agent's completion claims under
 * {@code signals/}, as upstream lays them out. Every front door uses this one class, so a
 * pause from the dashboard and from {@code loki pause} are the same file with the same content.
 */
public final class Signals {
    public static final String PAUSE = "PAUSE";
    public static final String STOP = "STOP";
    public static final String PAUSE_AT_CHECKPOINT = "PAUSE_AT_CHECKPOINT";
    public static final String PAUSED_NOTE = "PAUSED.md";
    public static final String HUMAN_INPUT = "HUMAN_INPUT.md";
    public static final String COMPLETED = "COMPLETED";
    public static final String TASK_COMPLETION_CLAIMED = "signals/TASK_COMPLETION_CLAIMED";
    public static final String COMPLETION_REQUESTED = "signals/COMPLETION_REQUESTED";
    public static final String BUDGET_EXCEEDED = "signals/BUDGET_EXCEEDED";
    public static final String GATE_ESCALATION = "signals/GATE_ESCALATION";

    private final LokiDir dir;

    public Signals(LokiDir dir) {
        this.dir = dir;
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    public boolean isSet(String name) {
        return Files.exists(file(name));
    }

    /** Writes a signal file atomically; its content is the ISO time it was raised, as upstream. */
    public void raise(String name) throws IOException {
        raise(name, Instant.now().toString() + "\n");
    }

    public void raise(String name, String content) throws IOException {
        Path f = file(name);
        Files.createDirectories(f.getParent());
        AtomicFiles.writeString(f, content);
    }

    /** Removes a signal; true when it was there. */
    public boolean clear(String name) throws IOException {
        return Files.deleteIfExists(file(name));
    }

    public Optional<String> read(String name) {
        try {
            return Optional.of(Files.readString(file(name)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public void requestPause() throws IOException {
        raise(PAUSE);
    }

    /** Resume clears both PAUSE and STOP, as upstream's resume does. */
    public void requestResume() throws IOException {
        clear(PAUSE);
        clear(PAUSED_NOTE);
        clear(STOP);
    }

    public void requestStop() throws IOException {
        raise(STOP);
    }
}
