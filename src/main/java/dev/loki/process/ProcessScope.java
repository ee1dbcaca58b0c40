package dev.loki.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry of live children. Every child {@link Processes} starts is registered here for
 * as long as it runs, globally and in the scope its starting thread belongs to (a loki run opens
 * one on its thread; threads it starts later, such as the reviewers' pool, inherit it).
 * {@link #cancel} (stop, SIGTERM, Ctrl+C twice) kills the scope's cancellable children and
 * refuses new ones; {@link #close} kills whatever the scope still has; a JVM shutdown kills
 * every registered child of every scope, so no child outlives loki.
 */
public final class ProcessScope implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProcessScope.class);
    private static final Set<Child> ALL = ConcurrentHashMap.newKeySet();
    private static final InheritableThreadLocal<ProcessScope> CURRENT = new InheritableThreadLocal<>();
    static final long GRACE_MILLIS = 2000;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ProcessScope::killEverything, "loki-kill-children"));
    }

    private final String name;
    private final Set<Child> children = ConcurrentHashMap.newKeySet();
    private final ProcessScope previous;
    private final Thread owner;
    private final Optional<Path> ledger;
    private volatile boolean cancelled;
    private volatile String cancelReason = "";

    private ProcessScope(String name, ProcessScope previous, Thread owner, Optional<Path> ledger) {
        this.name = name;
        this.previous = previous;
        this.owner = owner;
        this.ledger = ledger;
    }

    /** Opens a scope on the current thread (and the threads it starts from now on). */
    public static ProcessScope open(String name) {
        return open(name, Optional.empty());
    }

    /**
     * As {@link #open(String)}, also keeping {@code ledger} up to date: the cancellable children
     * running now, so that the children of a loki killed with SIGKILL (no hook runs) can be
     * found and killed later by {@link #reap}.
     */
    public static ProcessScope open(String name, Optional<Path> ledger) {
        ProcessScope s = new ProcessScope(name, CURRENT.get(), Thread.currentThread(), ledger);
        CURRENT.set(s);
        return s;
    }

    /**
     * {@code task} as it would run on the calling thread: on whatever thread runs it (a pooled one
     * made before this scope was opened inherits nothing), the children it starts belong to the
     * caller's scope, so a stop of that scope ends them too.
     */
    public static <T> java.util.function.Supplier<T> carrying(java.util.function.Supplier<T> task) {
        ProcessScope caller = CURRENT.get();
        return () -> {
            ProcessScope before = CURRENT.get();
            CURRENT.set(caller);
            try {
                return task.get();
            } finally {
                CURRENT.set(before);
            }
        };
    }

    /**
     * Kills the children a dead loki left, as its ledger lists them (a pid counts only when
     * its start time still matches, so a reused pid is never touched); removes the ledger.
     * Returns what was killed.
     */
    public static List<String> reap(Path ledger) {
        List<String> killed = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(ledger);
        } catch (IOException e) {
            return killed;
        }
        for (String line : lines) {
            String[] f = line.split(" ", 4);
            if (f.length < 3) {
                continue;
            }
            try {
                long pid = Long.parseLong(f[0]);
                long pgid = Long.parseLong(f[1]);
                long started = Long.parseLong(f[2]);
                Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                        .filter(x -> x.info().startInstant().map(i -> Math.abs(i.toEpochMilli() - started) < 2000)
                                .orElse(false));
                if (h.isPresent()) {
                    killed.add(ProcessTree.describe(h.get()));
                    ProcessTree.kill(h.get(), pgid, List.of(), GRACE_MILLIS);
                }
            } catch (NumberFormatException e) {
                // a damaged line: nothing to act on
            }
        }
        try {
            Files.deleteIfExists(ledger);
        } catch (IOException e) {
            // reaped anyway; a stale ledger only lists dead processes
        }
        return killed;
    }

    private synchronized void writeLedger() {
        if (ledger.isEmpty()) {
            return;
        }
        Path f = ledger.get();
        StringBuilder sb = new StringBuilder();
        for (Child c : children) {
            if (c.cancellable && c.process.isAlive()) {
                long started = c.process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
                sb.append(c.process.pid()).append(' ').append(c.pgid).append(' ').append(started).append(' ')
                        .append(c.name).append('\n');
            }
        }
        try {
            if (sb.length() == 0) {
                Files.deleteIfExists(f);
                return;
            }
            Files.createDirectories(f.toAbsolutePath().getParent());
            Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
            Files.writeString(tmp, sb);
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("could not write the child process ledger {}: {}", f, e.getMessage());
        }
    }

    static ProcessScope current() {
        return CURRENT.get();
    }

    public String name() {
        return name;
    }

    /**
     * Kills every cancellable child of this scope (TERM, KILL after a grace) and makes any new
     * cancellable start fail fast as cancelled. Returns when they are gone. Safe from any thread,
     * any number of times.
     */
    public void cancel(String reason) {
        if (!cancelled) {
            cancelReason = reason;
            cancelled = true;
        }
        kill(children.stream().filter(c -> c.cancellable).toList(), GRACE_MILLIS, reason);
    }

    public boolean cancelled() {
        return cancelled;
    }

    public String cancelReason() {
        return cancelReason;
    }

    /** How many children of this scope are running now. */
    public int live() {
        return (int) children.stream().filter(c -> c.process.isAlive()).count();
    }

    /** How many children of any scope are running now. */
    public static int liveEverywhere() {
        return (int) ALL.stream().filter(c -> c.process.isAlive()).count();
    }

    /** Kills every child of this scope, cancellable or not. */
    public void killAll(String reason) {
        kill(List.copyOf(children), GRACE_MILLIS, reason);
    }

    /** Kills everything left and leaves the scope. */
    @Override
    public void close() {
        killAll("scope " + name + " closed");
        writeLedger();
        if (Thread.currentThread() == owner && CURRENT.get() == this) {
            CURRENT.set(previous);
        }
    }

    /** Every registered child of every scope; the JVM shutdown hook calls this. */
    public static void killEverything() {
        kill(List.copyOf(ALL), 1000, "loki is exiting");
    }

    void register(Child c) {
        ALL.add(c);
        children.add(c);
        if (c.cancellable) {
            writeLedger();
        }
    }

    static void registerGlobal(Child c) {
        ALL.add(c);
    }

    void unregister(Child c) {
        children.remove(c);
        if (c.cancellable) {
            writeLedger();
        }
    }

    static void unregisterGlobal(Child c) {
        ALL.remove(c);
    }

    /** TERM to every tree at once, one grace for all, then KILL: n hung children cost one grace, not n. */
    private static void kill(List<Child> targets, long graceMillis, String reason) {
        List<Child> alive = new ArrayList<>();
        for (Child c : targets) {
            c.cancelled = true;
            if (c.process.isAlive()) {
                alive.add(c);
            }
        }
        if (alive.isEmpty()) {
            return;
        }
        LOG.info("killing {} child process tree(s): {}", alive.size(), reason);
        List<Thread> killers = new ArrayList<>();
        for (Child c : alive) {
            Thread t = new Thread(() -> c.killTree(graceMillis), "loki-kill-" + c.process.pid());
            t.setDaemon(true);
            t.start();
            killers.add(t);
        }
        for (Thread t : killers) {
            try {
                t.join(graceMillis + 3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
