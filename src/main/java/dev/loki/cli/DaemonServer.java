package dev.loki.cli;

import dev.loki.LokiException;
import dev.loki.checkpoint.CheckpointService;
import dev.loki.git.WorkTreeWatcher;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code loki daemon}: one long-lived process per repository that keeps a file watcher on the
 * work tree, so {@code loki checkpoint create} from the command line re-hashes only what changed,
 * as the loop does, instead of starting a JVM that must stat and read the whole tree.
 *
 * <p>It listens on a Unix socket only its user can reach (the socket's directory is 0700, and
 * every connection's peer is checked with {@code SO_PEERCRED}) and runs only
 * {@code checkpoint create}, through the very same command code as the CLI, with the client's
 * directory and environment. One command at a time. It ends when told to
 * ({@code loki daemon stop}, SIGTERM), after its idle time, when the work tree or its git
 * directory is gone, or when a client of another build of loki calls (a rebuilt jar).
 */
final class DaemonServer implements AutoCloseable {
    /** How long a client may take to send its request (a client that sends nothing must not hold the daemon). */
    static volatile Duration requestReadLimit = Duration.ofSeconds(10);

    /**
     * The most bytes a request may hold (directory, environment, arguments): far more than a
     * process's environment and arguments can (Linux allows a few MB), far less than the heap, so
     * a client that sends gigabytes is dropped instead of ending the daemon with an OutOfMemoryError.
     */
    static final long MAX_REQUEST = 16L << 20;

    private final LokiDir loki;
    private final Path workTree;
    private final Path gitDir;
    private final Path socket;
    private final Duration idle;
    private final PrintStream log;
    private final String build = DaemonSocket.build();
    private final Instant started = Instant.now();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "loki-daemon-timer");
        t.setDaemon(true);
        return t;
    });
    private FileChannel lockChannel;
    /** The lock file's identity (inode), to find it again when the repository was moved. */
    private Object lockKey;
    private ServerSocketChannel server;
    private WorkTreeWatcher watcher;
    private UserPrincipal owner;
    private volatile Instant lastRequest = Instant.now();
    private volatile String stopReason = "";
    private volatile int served;
    /** This process's umask, as its files get it; -1 when unknown. */
    private int umask = -1;

    private DaemonServer(LokiDir loki, Path gitDir, Duration idle, PrintStream log) {
        this.loki = loki;
        this.workTree = loki.workTree();
        this.gitDir = gitDir;
        this.socket = DaemonSocket.socket(gitDir);
        this.idle = idle;
        this.log = log;
    }

    /** Where the daemon of this project would be: its git directory, or a one-line error. */
    static Path gitDirOf(LokiDir loki) {
        return dev.loki.git.GitDirs.gitDir(loki.workTree()).orElseThrow(() -> LokiException.failed(
                "No git repository at " + loki.workTree() + ": the daemon speeds up checkpoints of a git work tree."
                        + " Run it inside one."));
    }

    /**
     * Takes the repository's daemon lock, binds the socket and starts the watcher; fails with one
     * line when another daemon serves this repository or the tree cannot be watched.
     */
    static DaemonServer open(LokiDir loki, Map<String, String> env, Duration idle, PrintStream log) throws IOException {
        DaemonServer d = new DaemonServer(loki, gitDirOf(loki), idle, log);
        try {
            d.bind(env);
            return d;
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    private void bind(Map<String, String> env) throws IOException {
        Path home = DaemonSocket.home(gitDir);
        Files.createDirectories(home);
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        lockChannel = FileChannel.open(DaemonSocket.lock(gitDir), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock held;
        try {
            held = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            held = null;
        }
        if (held == null) {
            throw LokiException.failed("A loki daemon already serves this repository" + pidOf(gitDir).map(p -> " (pid "
                    + p + ")").orElse("") + "; 'loki daemon status' shows it, 'loki daemon stop' ends it.");
        }
        lockKey = Files.readAttributes(DaemonSocket.lock(gitDir),
                java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        lockChannel.truncate(0);
        lockChannel.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)));
        lockChannel.force(false);
        Path dir = socket.getParent();
        if (!dir.equals(home)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------")); // fails unless ours
        }
        Files.deleteIfExists(socket); // we hold the lock: a socket file here is a dead daemon's
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        if (!dir.equals(home)) {
            Files.writeString(DaemonSocket.elsewhereMarker(gitDir), socket + "\n");
        }
        owner = Files.getOwner(socket);
        umask = measureUmask(home);
        CheckpointService svc = CheckpointService.open(loki, env);
        watcher = svc.watchWorkTree().orElseThrow(() -> LokiException.failed("The work tree " + workTree
                + " cannot be watched (inotify limits, or too many directories): without a watcher the daemon"
                + " would not make checkpoints faster. See 'sysctl fs.inotify.max_user_watches'."));
    }

    /** The pid a running daemon wrote into its lock. */
    static Optional<Long> pidOf(Path gitDir) {
        try {
            return Optional.of(Long.parseLong(Files.readString(DaemonSocket.lock(gitDir)).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    Path socket() {
        return socket;
    }

    int served() {
        return served;
    }

    /** Serves until stopped; returns why it stopped. */
    String serve() {
        log.println("loki daemon: serving " + workTree + " (pid " + ProcessHandle.current().pid() + "), socket "
                + socket + ", " + (idle.isZero() ? "no idle limit" : "ends after " + human(idle) + " idle") + ".");
        log.flush();
        timers.scheduleWithFixedDelay(this::checkAlive, 1, 1, TimeUnit.SECONDS);
        while (server.isOpen()) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                break; // closed: told to stop, idle, or the repository is gone
            }
            try (ch) {
                handle(ch);
            } catch (IOException | RuntimeException e) {
                // a client that went away, sent garbage, or took too long to send its request
                log.println("loki daemon: a request failed: " + e);
                log.flush();
            }
        }
        return stopReason.isEmpty() ? "closed" : stopReason;
    }

    /** Ends the daemon when it idled long enough, or its work tree or repository is gone. */
    private void checkAlive() {
        if (!Files.isDirectory(gitDir) || !Files.isDirectory(workTree)) {
            stop("the repository is gone");
        } else if (!idle.isZero() && Duration.between(lastRequest, Instant.now()).compareTo(idle) > 0) {
            stop("idle for " + human(idle));
        } else if (!Files.exists(socket)) {
            stop("its socket was removed");
        }
    }

    void stop(String reason) {
        if (stopReason.isEmpty()) {
            stopReason = reason;
        }
        try {
            server.close();
        } catch (IOException e) {
            // closing: nothing to do
        }
    }

    private void handle(SocketChannel ch) throws IOException {
        var peer = ch.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED);
        if (!peer.user().equals(owner)) {
            log.println("loki daemon: refused a connection from user " + peer.user().getName());
            return;
        }
        // a client that connects and sends nothing must not hold the daemon
        var limit = timers.schedule(() -> closeQuietly(ch), requestReadLimit.toMillis(), TimeUnit.MILLISECONDS);
        DataInputStream in = new DataInputStream(new BufferedInputStream(new Bounded(Channels.newInputStream(ch),
                MAX_REQUEST)));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
        if (in.readInt() != DaemonSocket.MAGIC) {
            return;
        }
        String clientBuild = DaemonSocket.readField(in);
        String op = DaemonSocket.readField(in);
        if (!clientBuild.equals(build)) {
            limit.cancel(false);
            DaemonSocket.writeFrame(out, DaemonSocket.REFUSED, "it runs another build of loki; it stops now, and"
                    + " 'loki daemon start' starts the current one");
            stop("a client of another build of loki called (the jar was rebuilt)");
            return;
        }
        switch (op) {
            case DaemonSocket.STATUS_OP -> {
                limit.cancel(false);
                DaemonSocket.writeFrame(out, DaemonSocket.STATUS, status());
                DaemonSocket.writeExit(out, 0);
            }
            case DaemonSocket.STOP -> {
                limit.cancel(false);
                stop("told to stop"); // first: a client that gave up waiting (the daemon was busy) still asked
                DaemonSocket.writeExit(out, 0);
            }
            case DaemonSocket.RUN -> run(in, out, limit);
            default -> DaemonSocket.writeFrame(out, DaemonSocket.REFUSED, "unknown request");
        }
    }

    private void run(DataInputStream in, DataOutputStream out, java.util.concurrent.ScheduledFuture<?> limit)
            throws IOException {
        Path cwd = Path.of(DaemonSocket.readField(in));
        int n = in.readInt();
        if (n < 0 || n > 100_000) {
            return;
        }
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < n; i++) {
            env.put(DaemonSocket.readField(in), DaemonSocket.readField(in));
        }
        int argc = in.readInt();
        if (argc < 0 || argc > 10_000) {
            return;
        }
        List<String> args = new ArrayList<>();
        for (int i = 0; i < argc; i++) {
            args.add(DaemonSocket.readField(in));
        }
        limit.cancel(false);
        lastRequest = Instant.now();
        if (!DaemonSocket.forwardable(args)) {
            DaemonSocket.writeFrame(out, DaemonSocket.REFUSED, "it runs only 'checkpoint create'");
            return;
        }
        String theirs = env.get("LOKI_UMASK"); // bin/loki's: the umask the command would run with
        if (theirs != null && umask >= 0 && parseUmask(theirs) != umask) {
            // the files a checkpoint writes (its message, the agent's state) get the daemon's umask:
            // a client that keeps its files private must not get them readable by others
            DaemonSocket.writeFrame(out, DaemonSocket.REFUSED, "it runs with umask " + String.format("%04o", umask)
                    + ", yours is " + theirs + "; 'loki daemon stop' and 'loki daemon start' from here start one"
                    + " with yours");
            return;
        }
        if (!cwd.isAbsolute() || !Files.isDirectory(cwd)
                || !LokiDir.locate(Optional.empty(), env, cwd).workTree().equals(workTree)) {
            DaemonSocket.writeFrame(out, DaemonSocket.REFUSED, "it serves " + workTree + " only");
            return;
        }
        DaemonSocket.writeFrame(out, DaemonSocket.ACCEPTED, "");
        PrintStream o = new PrintStream(new FrameStream(out, DaemonSocket.OUT), true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(new FrameStream(out, DaemonSocket.ERR), true, StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        int code = Main.run(new ByteArrayInputStream(new byte[0]), o, e, env, cwd, args.toArray(String[]::new));
        // what ran and how long it took, never its arguments (a message may hold anything)
        log.printf("loki daemon: %s %s: exit %d, %.0f ms%n", args.get(0), args.get(1), code, (System.nanoTime() - t0) / 1e6);
        log.flush();
        o.flush();
        e.flush();
        served++;
        lastRequest = Instant.now();
        DaemonSocket.writeExit(out, code);
    }

    private String status() {
        var o = Json.object();
        o.put("running", true);
        o.put("pid", ProcessHandle.current().pid());
        o.put("work_tree", workTree.toString());
        o.put("socket", socket.toString());
        o.put("started_at", started.toString());
        o.put("commands_served", served);
        o.put("last_request_at", lastRequest.toString());
        o.put("idle_timeout_seconds", idle.toSeconds());
        return Json.pretty(o);
    }

    /** The umask of this process: the mode a new directory gets, seen from outside. */
    private static int measureUmask(Path dir) {
        Path probe = dir.resolve("umask-probe-" + ProcessHandle.current().pid());
        try {
            Files.deleteIfExists(probe);
            Files.createDirectory(probe);
            int mode = 0;
            for (var p : Files.getPosixFilePermissions(probe)) {
                mode |= 1 << (8 - p.ordinal()); // OWNER_READ is 0: 0400
            }
            return 0777 & ~mode;
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException e) {
                // a probe directory left behind: harmless
            }
        }
    }

    static int parseUmask(String text) {
        try {
            return Integer.parseInt(text.strip(), 8) & 0777;
        } catch (NumberFormatException e) {
            return -2; // never equal: the client runs the command itself
        }
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        return s % 3600 == 0 ? s / 3600 + " h" : s % 60 == 0 ? s / 60 + " min" : s + " s";
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        timers.shutdownNow();
        if (watcher != null) {
            watcher.close();
        }
        try {
            if (server != null) {
                server.close();
                Files.deleteIfExists(socket);
                Files.deleteIfExists(DaemonSocket.elsewhereMarker(gitDir));
                Optional<Path> moved = movedHome();
                if (moved.isPresent()) {
                    // the repository was moved: its socket file went along, and would make the next
                    // command there say this daemon did not stop cleanly
                    Files.deleteIfExists(moved.get().resolve("socket"));
                    Files.deleteIfExists(moved.get().resolve("socket-elsewhere"));
                }
            }
            if (lockChannel != null) {
                lockChannel.close(); // releases the lock
            }
        } catch (IOException e) {
            log.println("loki daemon: " + e);
        }
    }

    /**
     * Where this daemon's directory is now when its repository was moved: the lock it holds open
     * is named there by {@code /proc/self/fd} (Linux; empty elsewhere, or when it was not moved).
     */
    private Optional<Path> movedHome() {
        Path lock = DaemonSocket.lock(gitDir);
        if (lockKey == null || Files.exists(lock)) {
            return Optional.empty();
        }
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.getFileName() != null && target.getFileName().toString().equals("lock")
                            && target.getParent() != null && target.getParent().getFileName() != null
                            && target.getParent().getFileName().toString().equals("daemon")
                            && lockKey.equals(Files.readAttributes(target,
                                    java.nio.file.attribute.BasicFileAttributes.class).fileKey())) {
                        return Optional.of(target.getParent());
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // closed meanwhile, or not a file
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            // no /proc: the next command there says the daemon is gone, once
        }
        return Optional.empty();
    }

    /** A request's bytes, up to a limit: past it, reading fails (and the connection is dropped). */
    private static final class Bounded extends java.io.FilterInputStream {
        private long left;

        Bounded(java.io.InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                throw new IOException("a request larger than " + (MAX_REQUEST >> 20) + " MB");
            }
            int n = super.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }

    /** A command's stdout or stderr, sent to the client as frames. */
    private static final class FrameStream extends OutputStream {
        private final DataOutputStream out;
        private final byte kind;
        private boolean broken;

        FrameStream(DataOutputStream out, byte kind) {
            this.out = out;
            this.kind = kind;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (broken || len == 0) {
                return;
            }
            try {
                DaemonSocket.writeFrame(out, kind, b, off, len);
            } catch (IOException e) {
                broken = true; // the client went away: the command still finishes
            }
        }
    }
}
