package dev.loki.run;

import dev.loki.process.ProcessScope;
import dev.loki.store.LokiDir;
import dev.loki.store.Signals;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How a run is told to end, and the registry of its child processes ({@link ProcessScope}).
 *
 * <ul>
 * <li>{@code loki stop} (the STOP file, watched every 100 ms) and SIGTERM: stop now. Every
 * cancellable child (provider, reviewers, council, gates) is killed at once and no new one
 * starts; the loop ends at its next check and records {@code stopped}. After SIGTERM the loop
 * takes no checkpoint; if it has not ended 10 s after the signal, loki exits anyway and the
 * shutdown hook kills every registered child.</li>
 * <li>Ctrl+C once: pause at the next checkpoint (children run in their own process group, so
 * the terminal's SIGINT does not reach them and the iteration finishes); twice within 2 s: stop
 * now, recorded as {@code interrupted}.</li>
 * <li>Any JVM shutdown: every registered child of every scope is killed.</li>
 * <li>SIGKILL of loki itself: nothing can run, but the running children are listed in
 * {@code state/children.txt}; the next {@code loki start} or {@code loki stop} kills them.</li>
 * </ul>
 */
public final class Interrupts implements AutoCloseable {
    private static final long DOUBLE_PRESS_NANOS = 2_000_000_000L;
    private static final long WATCH_MS = 100;
    private static final long TERM_DEADLINE_MS = 10_000;

    private final LokiDir dir;
    private final RunLog log;
    private final ProcessScope children;
    private final Thread watcher;
    private volatile boolean hardStop;
    private volatile boolean stopRequested;
    private volatile boolean terminated;
    private volatile boolean closed;
    private volatile String stopReason = "";
    private volatile long lastPress;
    private Object previousInt;
    private Object previousTerm;

    /**
     * Opens the run's process scope on the calling thread (it holds the session lock) and starts
     * watching for STOP. Children a previous loki left when it was killed with SIGKILL are killed
     * first.
     */
    public Interrupts(LokiDir dir, RunLog log) {
        this.dir = dir;
        this.log = log;
        List<String> reaped = ProcessScope.reap(ledger(dir));
        if (!reaped.isEmpty()) {
            log.warn("Killed " + reaped.size() + " process(es) an earlier loki left running when it was killed: "
                    + String.join(", ", reaped));
        }
        this.children = ProcessScope.open("run", Optional.of(ledger(dir)));
        this.watcher = new Thread(this::watch, "loki-stop-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Installs the SIGINT and SIGTERM handlers; only for a real loki process. */
    public Interrupts install() {
        previousInt = handle("INT", this::onCtrlC);
        previousTerm = handle("TERM", this::onTerm);
        return this;
    }

    private static Object handle(String name, Runnable action) {
        try {
            return sun.misc.Signal.handle(new sun.misc.Signal(name), s -> action.run());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return null; // ignored by our parent (a background job), or not supported here
        }
    }

    /** Public so tests (and a dashboard "stop now") can act as the second Ctrl+C does. */
    public void onCtrlC() {
        long now = System.nanoTime();
        if (lastPress != 0 && now - lastPress < DOUBLE_PRESS_NANOS) {
            hardStop = true;
            log.warn("Ctrl+C twice: stopping now (killing the provider's processes)");
            cancelChildren("Ctrl+C twice");
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

    /** SIGTERM: stop now, without a checkpoint; exit anyway if the loop does not end in time. */
    void onTerm() {
        terminated = true;
        requestStop("SIGTERM received");
        Thread deadline = new Thread(() -> {
            try {
                Thread.sleep(TERM_DEADLINE_MS);
            } catch (InterruptedException e) {
                return;
            }
            if (!closed) {
                log.warn("The run did not end within " + TERM_DEADLINE_MS / 1000 + " s of SIGTERM: exiting now");
                Runtime.getRuntime().exit(143);
            }
        }, "loki-term-deadline");
        deadline.setDaemon(true);
        deadline.start();
    }

    /** Stop now: kill every cancellable child and refuse new ones; the loop ends at its next check. */
    public void requestStop(String reason) {
        if (!stopRequested) {
            stopReason = reason;
            stopRequested = true;
            log.info("Stopping: " + reason);
        }
        cancelChildren(reason);
    }

    private void cancelChildren(String reason) {
        Thread t = new Thread(() -> children.cancel(reason), "loki-cancel");
        t.setDaemon(true);
        t.start();
    }

    private void watch() {
        Signals signals = new Signals(dir);
        while (!closed) {
            if (!stopRequested && signals.isSet(Signals.STOP)) {
                requestStop("STOP signal received (loki stop)");
            }
            try {
                Thread.sleep(WATCH_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Where the run lists its running children, for the reaper after a SIGKILL. */
    public static Path ledger(LokiDir dir) {
        return dir.resolve("state/children.txt");
    }

    public boolean hardStop() {
        return hardStop;
    }

    /** {@code loki stop} or SIGTERM arrived. */
    public boolean stopRequested() {
        return stopRequested;
    }

    /** SIGTERM arrived: nothing new may start, not even a checkpoint. */
    public boolean terminated() {
        return terminated;
    }

    public String stopReason() {
        return stopReason;
    }

    /** The run is ending (stop, SIGTERM or Ctrl+C twice): start nothing new. */
    public boolean ending() {
        return hardStop || stopRequested;
    }

    /** The run's process registry. */
    public ProcessScope children() {
        return children;
    }

    /** Kills what is left of the run's children and waits until they are gone. */
    public void killChildren(String reason) {
        children.killAll(reason);
    }

    @Override
    public void close() {
        closed = true;
        watcher.interrupt();
        children.close();
        if (previousInt instanceof sun.misc.SignalHandler h) {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), h);
        }
        if (previousTerm instanceof sun.misc.SignalHandler h) {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), h);
        }
    }
}
