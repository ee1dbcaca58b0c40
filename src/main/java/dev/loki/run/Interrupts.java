package dev.loki.run;

import dev.loki.provider.ProcessRunner;
import dev.loki.store.LokiDir;
import dev.loki.store.Signals;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Ctrl+C during a run: the first press asks for a pause at the next checkpoint (the iteration
 * in flight finishes and is checkpointed); a second press within 2 s stops now, killing the
 * provider's whole process tree. A JVM shutdown (SIGTERM) also kills the provider tree, so no
 * agent outlives loki.
 */
public final class Interrupts implements AutoCloseable {
    private static final long DOUBLE_PRESS_NANOS = 2_000_000_000L;

    private final LokiDir dir;
    private final RunLog log;
    private final AtomicReference<Process> current = new AtomicReference<>();
    private volatile boolean hardStop;
    private volatile long lastPress;
    private Thread shutdownHook;
    private Object previousHandler;

    public Interrupts(LokiDir dir, RunLog log) {
        this.dir = dir;
        this.log = log;
    }

    /** Installs the SIGINT handler and the shutdown hook; only for a real loki process. */
    public Interrupts install() {
        try {
            sun.misc.Signal sig = new sun.misc.Signal("INT");
            previousHandler = sun.misc.Signal.handle(sig, s -> onCtrlC());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // SIGINT ignored by our parent (a background job): nothing to handle
        }
        shutdownHook = new Thread(this::killProvider, "loki-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        return this;
    }

    /** Public so tests (and a dashboard "stop now") can act as the second Ctrl+C does. */
    public void onCtrlC() {
        long now = System.nanoTime();
        if (lastPress != 0 && now - lastPress < DOUBLE_PRESS_NANOS) {
            hardStop = true;
            log.warn("Ctrl+C twice: stopping now (killing the provider's processes)");
            killProvider();
            return;
        }
        lastPress = now;
        try {
            new Signals(dir).raise(Signals.PAUSE_AT_CHECKPOINT);
        } catch (IOException e) {
            log.warn("could not write PAUSE_AT_CHECKPOINT: " + e.getMessage());
        }
        log.info("Ctrl+C: pausing after this iteration's checkpoint. Press Ctrl+C again within 2 s to stop now.");
    }

    public boolean hardStop() {
        return hardStop;
    }

    public void running(Process p) {
        current.set(p);
    }

    public void finished() {
        current.set(null);
    }

    private void killProvider() {
        Process p = current.get();
        if (p != null && p.isAlive()) {
            ProcessRunner.killTree(p.toHandle());
        }
    }

    @Override
    public void close() {
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
        if (previousHandler instanceof sun.misc.SignalHandler h) {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), h);
        }
    }
}
