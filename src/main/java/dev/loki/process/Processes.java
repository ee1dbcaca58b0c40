package dev.loki.process;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The one way loki starts a child process. Each child runs in its own process group (started
 * through {@code setsid} where it exists), is registered in the {@link ProcessScope} registry
 * while it runs, is bounded by a timeout and by an output limit, and can be cancelled. When it
 * ends, whatever is left of its group (a {@code nohup ... &} it started) is killed, and any
 * descendant seen while it ran that left the group (its own session) and is still alive is
 * named and killed too.
 */
public final class Processes {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Processes.class);
    private static final long POLL_MS = 50;
    /** Every this many polls (about half a second) the descendants are listed, to find escapes. */
    private static final int SNAPSHOT_EVERY = 10;
    private static final Optional<String> SETSID = findSetsid();

    private Processes() {
    }

    /**
     * Runs {@code cmd} to its end, its timeout or its cancellation. Throws only when it cannot be
     * started (program not found, directory missing); every other ending is an {@link Outcome}.
     */
    public static Outcome run(Command cmd) throws IOException {
        long start = System.nanoTime();
        ProcessScope scope = ProcessScope.current();
        if (cmd.cancellable() && scope != null && scope.cancelled()) {
            return new Outcome(-1, false, true, 0, new byte[0], new byte[0], false, List.of(), List.of());
        }
        List<String> argv = new ArrayList<>(cmd.argv());
        argv.set(0, resolve(argv.get(0), cmd.env(), cmd.dir()));
        List<String> full = new ArrayList<>();
        SETSID.ifPresent(s -> {
            full.add(s);
            full.add("-w");
        });
        full.addAll(argv);
        ProcessBuilder pb = new ProcessBuilder(full).directory(cmd.dir().toFile());
        pb.environment().clear();
        pb.environment().putAll(cmd.env());
        pb.environment().put(OWNER, SELF);
        String tagValue = SELF + "#" + TAGS.incrementAndGet();
        pb.environment().put(CHILD_TAG, tagValue);
        String tag = CHILD_TAG + "=" + tagValue;
        userLocale(pb.environment());
        if (cmd.stdinFile().isPresent()) {
            pb.redirectInput(cmd.stdinFile().get().toFile());
        } else if (cmd.stdinBytes().isEmpty()) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        if (cmd.sink() == Command.Sink.FILE) {
            Path out = cmd.outputFile().orElseThrow();
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            pb.redirectErrorStream(true).redirectOutput(out.toFile());
        } else if (cmd.sink() == Command.Sink.MEMORY_MERGED) {
            pb.redirectErrorStream(true);
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot run " + cmd.name() + ": " + e.getMessage(), e);
        }
        // setsid (without forking) makes the child the leader of a new group: its pid is the group id.
        // Never read it from /proc here: the child may not have called setsid() yet.
        long pgid = SETSID.isPresent() ? p.pid() : -1;
        Child child = new Child(p, pgid, cmd.cancellable(), cmd.name(), scope, tag);
        ProcessScope.registerGlobal(child);
        if (scope != null) {
            scope.register(child);
        }
        try {
            return supervise(cmd, child, scope, start);
        } finally {
            if (scope != null) {
                scope.unregister(child);
            }
            ProcessScope.unregisterGlobal(child);
        }
    }

    private static Outcome supervise(Command cmd, Child child, ProcessScope scope, long start) {
        Process p = child.process;
        Sink out = new Sink(cmd.stdoutLimit());
        Sink err = new Sink(cmd.sink() == Command.Sink.MEMORY ? cmd.stderrLimit() : 0);
        List<Thread> pumps = new ArrayList<>();
        if (cmd.sink() != Command.Sink.FILE) {
            pumps.add(pump(p.getInputStream(), out, cmd.name() + "-out"));
            if (cmd.sink() == Command.Sink.MEMORY) {
                pumps.add(pump(p.getErrorStream(), err, cmd.name() + "-err"));
            }
        }
        Thread feeder = null;
        if (cmd.stdinBytes().isPresent()) {
            byte[] bytes = cmd.stdinBytes().get();
            feeder = new Thread(() -> {
                try (OutputStream os = p.getOutputStream()) {
                    os.write(bytes);
                } catch (IOException ignored) {
                    // the child closed its stdin early; its exit code tells the story
                }
            }, cmd.name() + "-in");
            feeder.setDaemon(true);
            feeder.start();
        }
        if (scope != null && cmd.cancellable() && scope.cancelled()) {
            child.cancelled = true; // a stop raced our start: end it at once
        }
        long deadline = start + cmd.timeout().toNanos();
        boolean timedOut = false;
        boolean cancelled = child.cancelled;
        boolean tooMuch = false;
        int polls = 0;
        boolean interrupted = false;
        while (!cancelled) {
            try {
                if (p.waitFor(Math.max(1, Math.min(POLL_MS, (deadline - System.nanoTime()) / 1_000_000)),
                        TimeUnit.MILLISECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
                cancelled = true;
                break;
            }
            if (child.cancelled || cmd.cancel().getAsBoolean()) {
                cancelled = true;
                break;
            }
            if (System.nanoTime() - deadline >= 0) {
                timedOut = true;
                break;
            }
            if (cmd.sink() == Command.Sink.FILE && size(cmd.outputFile().orElseThrow()) > cmd.stdoutLimit()) {
                tooMuch = true;
                break;
            }
            if (++polls % SNAPSHOT_EVERY == 0) {
                child.snapshotDescendants();
            }
        }
        if (timedOut || cancelled || tooMuch) {
            child.cancelled = child.cancelled || cancelled;
            child.killTree(ProcessScope.GRACE_MILLIS);
        }
        int exit = waitQuietly(p);
        // whatever the child left in its group, or started and let escape, goes now
        List<String> leftovers = new ArrayList<>();
        List<String> escaped = new ArrayList<>();
        // every process named here is killed by its handle: one listed in the group may leave it
        // (call setsid) before the group is killed, and must not survive being reported as killed
        // (killTree adds the descendants seen alive itself)
        List<ProcessHandle> named = new ArrayList<>();
        boolean sweep = !cmd.keepBackground() || timedOut || cancelled || tooMuch;
        for (ProcessHandle h : sweep ? ProcessTree.groupMembers(child.pgid, p.pid()) : List.<ProcessHandle>of()) {
            leftovers.add(ProcessTree.describe(h));
            named.add(h);
        }
        for (ProcessHandle h : sweep ? child.seenAlive() : List.<ProcessHandle>of()) {
            boolean inGroup = ProcessTree.ids(h.pid()).map(i -> i.pgid() == child.pgid).orElse(true);
            if (!inGroup) {
                escaped.add(ProcessTree.describe(h));
            }
        }
        if (!leftovers.isEmpty() || !escaped.isEmpty()) {
            if (!escaped.isEmpty()) {
                LOG.warn("{} started processes that left its process group (own session): {}; killing them",
                        cmd.name(), escaped);
            }
            child.killTree(named, 1000);
        }
        for (Thread t : pumps) {
            join(t, sweep ? 2000 : 200);
        }
        if (feeder != null) {
            join(feeder, 1000);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        cancelled = cancelled || (child.cancelled && !timedOut && !tooMuch);
        return new Outcome(exit, timedOut, cancelled, (System.nanoTime() - start) / 1_000_000, out.bytes(),
                err.bytes(), tooMuch || out.cut() || err.cut(), leftovers, escaped);
    }

    private static int waitQuietly(Process p) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (p.waitFor(5, TimeUnit.SECONDS)) {
                        return p.exitValue();
                    }
                    p.destroyForcibly();
                } catch (InterruptedException e) {
                    interrupted = true;
                    p.destroyForcibly();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void join(Thread t, long millis) {
        try {
            t.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * {@code name} as the child's own PATH finds it (not the JVM's PATH), or as given when it
     * names a file; an IOException when there is no such executable.
     */
    static String resolve(String name, Map<String, String> env, Path dir) throws IOException {
        if (name.contains("/")) {
            Path p = Path.of(name);
            Path abs = p.isAbsolute() ? p : dir.resolve(p);
            if (!Files.isExecutable(abs) || Files.isDirectory(abs)) {
                throw new IOException("cannot run " + name + ": no such executable file");
            }
            return abs.toString();
        }
        return which(name, env).map(Path::toString)
                .orElseThrow(() -> new IOException("cannot run " + name + ": not found on PATH"));
    }

    /**
     * Kills a process that was not started by {@link #run} (a long-lived child such as a backlog's
     * {@code loki start}, or a process found through a pid file): its descendants and, when it
     * leads its own process group, every member of that group; TERM, then KILL after 2 s.
     */
    public static void killTree(ProcessHandle root) {
        long pgid = ProcessTree.ids(root.pid()).filter(i -> i.pgid() == root.pid()).map(ProcessTree.Ids::pgid)
                .orElse(-1L);
        ProcessTree.kill(root, pgid, List.of(), 2000);
    }

    /**
     * Starts a long-lived child that the caller supervises itself (it polls, and ends it with
     * {@link #killTree}): in its own process group, stdin from /dev/null, stdout and stderr
     * appended to {@code log}. Only for children that are themselves loki processes, which clean
     * up their own children; everything else goes through {@link #run}. The child is told its
     * output goes to a log ({@link #OUTPUT_TO_LOG}): what is meant for a person at a terminal
     * only (a one-time login link) is not written there.
     */
    public static Process startDetached(List<String> argv, Path dir, Map<String, String> env, Path log)
            throws IOException {
        List<String> cmd = new java.util.ArrayList<>();
        SETSID.ifPresent(x -> {
            cmd.add(x);
            // setsid forks when its caller leads a group; -w keeps it waiting, so the handle we
            // return lives exactly as long as the child does
            cmd.add("-w");
        });
        cmd.add(resolve(argv.get(0), env, dir));
        cmd.addAll(argv.subList(1, argv.size()));
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        // a detached child outlives us by design: it is nobody's stray, and names itself to its children
        pb.environment().remove(OWNER);
        pb.environment().put(OUTPUT_TO_LOG, "1");
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return pb.start();
    }

    /**
     * The last line of a detached child's log that is not blank, stripped and cut to
     * {@code max} characters: what to quote when the child ended at once. Only the log's last
     * 16 KiB are read (a log appended to over many runs can be large). "(no log)" when it cannot
     * be read, "(no output)" when it holds nothing.
     */
    public static String lastLine(Path log, int max) {
        String tail;
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(log)) {
            long from = Math.max(0, ch.size() - 16 * 1024);
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) (ch.size() - from));
            while (buf.hasRemaining() && ch.read(buf, from + buf.position()) > 0) {
                // read to the end
            }
            tail = new String(buf.array(), 0, buf.position(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log)";
        }
        String[] lines = tail.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (!lines[i].isBlank()) {
                String l = lines[i].strip();
                return l.length() > max ? l.substring(0, max) : l;
            }
        }
        return "(no output)";
    }

    private static final String[] SIGNALS = {"", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM"};

    /**
     * An exit code as a person reads it: {@code 139} is "139 = 128 + SIGSEGV, a death by that
     * signal", since shells (and the JDK) report a crash or an outside kill as 128 plus the
     * signal's number; any other code is itself.
     */
    public static String exitCode(int code) {
        int sig = code - 128;
        return sig >= 1 && sig < SIGNALS.length
                ? code + " = 128 + " + SIGNALS[sig] + ", a death by that signal"
                : Integer.toString(code);
    }

    /**
     * Set in the environment of every child {@link #run} starts (and inherited by its own
     * children): the {@link #identity} of the loki process that started it. A process whose owner
     * is gone (killed with SIGKILL, so it could not end its children) is a leftover, whatever
     * the process tree looks like by then; see {@link #ownerGone}.
     */
    public static final String OWNER = "LOKI_OWNER";

    /**
     * Set in the environment of each child {@link #run} starts, a value no other child gets
     * ({@code <owner>#<n>}): whatever still carries it after the child's tree was killed was
     * started by that child and escaped the tree (forked just as its parent died), and is
     * killed too. Where it can be read (/proc), it is the last word of every kill.
     */
    static final String CHILD_TAG = "LOKI_CHILD_TAG";

    private static final java.util.concurrent.atomic.AtomicLong TAGS = new java.util.concurrent.atomic.AtomicLong();

    private static final String SELF = identity(ProcessHandle.current()).orElse(Long.toString(ProcessHandle.current().pid()));

    /**
     * A process's pid and start time, {@code <pid>@<start>}: unlike the pid alone, it does not
     * name a later process that reused the pid. On Linux the start is the clock-tick count from
     * {@code /proc/<pid>/stat}, which every reader computes alike; elsewhere the JDK's start
     * instant in milliseconds. Empty when the process is gone or its start cannot be read.
     */
    public static Optional<String> identity(ProcessHandle h) {
        Path stat = Path.of("/proc", Long.toString(h.pid()), "stat");
        if (Files.isReadable(stat)) {
            try {
                String s = Files.readString(stat, java.nio.charset.StandardCharsets.ISO_8859_1);
                // the command name (field 2) may hold spaces and parentheses: count from the last ')'
                String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
                return f.length > 19 ? Optional.of(h.pid() + "@" + f[19]) : Optional.empty();
            } catch (IOException | RuntimeException e) {
                return Optional.empty(); // it ended while we read
            }
        }
        return h.info().startInstant().map(t -> h.pid() + "@" + t.toEpochMilli());
    }

    /**
     * Whether the owner named by an {@link #OWNER} value has ended: no process with its pid, or
     * one that started at another time (the pid was reused). False for a value that is not an
     * owner's identity.
     */
    public static boolean ownerGone(String owner) {
        int at = owner.indexOf('@');
        long pid;
        try {
            pid = Long.parseLong(at < 0 ? owner : owner.substring(0, at));
        } catch (NumberFormatException e) {
            return false;
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (h.isEmpty()) {
            return true;
        }
        if (at < 0) {
            return false;
        }
        Optional<String> now = identity(h.get());
        return now.isPresent() && !now.get().equals(owner);
    }

    /**
     * Set by the launcher when it ran loki's JVM under {@code C.UTF-8} instead of the user's
     * non-UTF-8 locale (Java cannot read non-ASCII file names otherwise): {@code set:<LC_ALL>}
     * or {@code unset}. A detached child (a loki) keeps both; every other child gets the user's
     * {@code LC_ALL} back, unless its caller chose one itself (git runs under {@code C}).
     */
    public static final String USER_LC_ALL = "LOKI_USER_LC_ALL";

    static void userLocale(Map<String, String> env) {
        String saved = env.remove(USER_LC_ALL);
        if (saved == null || !"C.UTF-8".equals(env.get("LC_ALL"))) {
            return;
        }
        if (saved.startsWith("set:")) {
            env.put("LC_ALL", saved.substring(4));
        } else {
            env.remove("LC_ALL");
        }
    }

    /** Set (to "1") in a detached child's environment: its stdout and stderr go to a log file. */
    public static final String OUTPUT_TO_LOG = "LOKI_OUTPUT_TO_LOG";

    /** The executable {@code name} on {@code env}'s PATH. */
    public static Optional<Path> which(String name, Map<String, String> env) {
        // an environment without PATH (a caller that built one by hand) still finds git and sh where this JVM does
        String path = env.containsKey("PATH") ? env.get("PATH") : System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String d : path.split(File.pathSeparator)) {
            if (d.isEmpty()) {
                continue;
            }
            Path c = Path.of(d, name);
            if (Files.isExecutable(c) && !Files.isDirectory(c)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** Whether children get their own process group here (setsid found). */
    public static boolean groupsSupported() {
        return SETSID.isPresent();
    }

    private static Optional<String> findSetsid() {
        for (String s : List.of("/usr/bin/setsid", "/bin/setsid")) {
            if (Files.isExecutable(Path.of(s))) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    private static Thread pump(InputStream in, Sink sink, String name) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[65536];
            try (in) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    sink.write(buf, n);
                }
            } catch (IOException ignored) {
                // the pipe closed under us (child killed): what was read is kept
            }
        }, "loki-pump-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Bytes kept up to a limit; later bytes are counted as cut. */
    private static final class Sink {
        private final long limit;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private boolean cut;

        Sink(long limit) {
            this.limit = limit;
        }

        synchronized void write(byte[] b, int n) {
            long room = limit - buf.size();
            if (room >= n) {
                buf.write(b, 0, n);
            } else {
                if (room > 0) {
                    buf.write(b, 0, (int) room);
                }
                cut = true;
            }
        }

        synchronized byte[] bytes() {
            return buf.toByteArray();
        }

        synchronized boolean cut() {
            return cut;
        }
    }
}
