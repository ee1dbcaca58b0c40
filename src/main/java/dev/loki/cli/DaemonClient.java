package dev.loki.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The first thing a loki command does: when it is one a daemon runs ({@code checkpoint create})
 * and this repository's daemon is listening, it hands the command over (directory, environment,
 * arguments) and prints what comes back; else it returns empty and the command runs here as
 * always. A daemon that is gone, refuses, or was built from another jar costs one note line and
 * the command runs here; a daemon lost after it accepted the command is an error, since the
 * command may have been done.
 */
final class DaemonClient {
    /** The client's exit code when no daemon took the command: bin/loki then starts loki itself. */
    static final int NOT_SERVED = 111;

    /**
     * How long a daemon may take to take a command (or answer {@code status}, {@code stop}): one
     * that is stopped (SIGSTOP), hung or busy with another command for longer must not hang this
     * one, which then runs here.
     */
    static volatile long answerLimitMillis = 5_000;

    private DaemonClient() {
    }

    /**
     * bin/loki's fast path: a JVM with only this class, its protocol and {@code GitDirs} on the
     * class path (target/loki-client.jar) hands {@code checkpoint create} to the daemon, and exits
     * {@link #NOT_SERVED} when there is none; loading all of loki costs more than the daemon's work.
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("--train")) {
            train();
            return;
        }
        OptionalInt served = forward(args, System.getenv(), Path.of("").toAbsolutePath(), System.out, System.err);
        System.out.flush();
        System.exit(served.orElse(NOT_SERVED));
    }

    /** Runs {@code args} through this repository's daemon; empty when the caller must run them itself. */
    static OptionalInt forward(String[] args, Map<String, String> env, Path cwd, PrintStream out, PrintStream err) {
        List<String> list = Arrays.asList(args);
        if ("0".equals(env.get("LOKI_DAEMON")) || env.containsKey("GIT_DIR") || !DaemonSocket.forwardable(list)) {
            return OptionalInt.empty();
        }
        // no lambda or string concatenation on this path: each costs the client's JVM a bootstrap
        Optional<Path> root = dev.loki.git.GitDirs.workTreeRoot(cwd);
        Optional<Path> gitDir = root.isEmpty() ? root : dev.loki.git.GitDirs.gitDir(root.get());
        if (gitDir.isEmpty() || !Files.exists(DaemonSocket.socket(gitDir.get()))) {
            return OptionalInt.empty();
        }
        return forward(gitDir.get(), list, env, cwd, out, err);
    }

    static OptionalInt forward(Path gitDir, List<String> args, Map<String, String> env, Path cwd, PrintStream out,
            PrintStream err) {
        Path socket = DaemonSocket.socket(gitDir);
        boolean accepted = false;
        if (!DaemonSocket.trusted(gitDir, socket)) {
            err.println("Note: the loki daemon socket " + socket + " is not in a directory only you own and"
                    + " enter; it is not used (the command would send your environment), running the command here.");
            return OptionalInt.empty();
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            Deadline deadline = new Deadline(ch, answerLimitMillis); // a connect blocks too, when its backlog is full
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (java.net.ConnectException e) {
                deadline.cancel();
                if (DaemonSocket.removeIfUnserved(gitDir)) {
                    // killed without cleaning up: said once, and the socket file goes with it
                    err.println("Note: the loki daemon of this repository is gone (it did not stop cleanly);"
                            + " running the command here. 'loki daemon start' starts it again.");
                    return OptionalInt.empty();
                }
                throw e;
            }
            DataOutputStream req = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
            req.writeInt(DaemonSocket.MAGIC);
            DaemonSocket.writeField(req, DaemonSocket.build());
            DaemonSocket.writeField(req, DaemonSocket.RUN);
            DaemonSocket.writeField(req, cwd.toAbsolutePath().toString());
            req.writeInt(env.size());
            for (Map.Entry<String, String> e : env.entrySet()) {
                DaemonSocket.writeField(req, e.getKey());
                DaemonSocket.writeField(req, e.getValue());
            }
            req.writeInt(args.size());
            for (String a : args) {
                DaemonSocket.writeField(req, a);
            }
            req.flush();
            DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch)));
            while (true) {
                Optional<DaemonSocket.Frame> f = DaemonSocket.readFrame(in);
                if (f.isEmpty()) {
                    break;
                }
                DaemonSocket.Frame frame = f.get();
                switch (frame.kind()) {
                    case DaemonSocket.ACCEPTED -> accepted = deadline.cancel(); // false: closed as it came
                    case DaemonSocket.OUT -> out.write(frame.payload(), 0, frame.payload().length);
                    case DaemonSocket.ERR -> err.write(frame.payload(), 0, frame.payload().length);
                    case DaemonSocket.REFUSED -> {
                        deadline.cancel();
                        err.println("Note: the loki daemon did not take this command (" + frame.text()
                                + "); running it here.");
                        return OptionalInt.empty();
                    }
                    case DaemonSocket.EXIT -> {
                        out.flush();
                        err.flush();
                        return OptionalInt.of(frame.exitCode());
                    }
                    default -> throw new IOException("unknown frame '" + (char) frame.kind() + "'");
                }
            }
            throw new java.io.EOFException("the connection closed");
        } catch (IOException | RuntimeException e) {
            out.flush();
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (!accepted && e instanceof java.nio.channels.ClosedChannelException) {
                why = "no answer within " + answerLimitMillis + " ms";
            }
            if (!accepted) {
                err.println("Note: the loki daemon of this repository does not answer (" + why
                        + "); running the command here. 'loki daemon stop' ends it, 'loki daemon start' starts"
                        + " a new one.");
                return OptionalInt.empty();
            }
            err.println("Error: the loki daemon stopped while it ran the command (" + why + "); see"
                    + " 'loki checkpoint list' for whether the checkpoint was taken, and 'loki daemon status'.");
            return OptionalInt.of(1); // ExitCode.FAILED: this class loads nothing of loki but the daemon's protocol
        }
    }

    /**
     * A {@code status} or {@code stop} request: the status text (empty for stop), or empty when no
     * daemon of this build answers.
     */
    static Optional<String> request(Path gitDir, String op) {
        Reply r = exchange(gitDir, op);
        return r.answered() ? Optional.of(r.text()) : Optional.empty();
    }

    /**
     * What a daemon said to a {@code status} or {@code stop} request: {@code answered} with its
     * text, or not; {@code otherBuild} when it was a daemon of another build of loki, which stops
     * on being asked (its lock goes a moment later).
     */
    record Reply(boolean answered, boolean otherBuild, String text) {
        static final Reply NONE = new Reply(false, false, "");
    }

    static Reply exchange(Path gitDir, String op) {
        Path socket = DaemonSocket.socket(gitDir);
        if (!Files.exists(socket) || !DaemonSocket.trusted(gitDir, socket)) {
            return Reply.NONE;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            Deadline deadline = new Deadline(ch, answerLimitMillis);
            ch.connect(UnixDomainSocketAddress.of(socket));
            DataOutputStream req = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
            req.writeInt(DaemonSocket.MAGIC);
            DaemonSocket.writeField(req, DaemonSocket.build());
            DaemonSocket.writeField(req, op);
            req.flush();
            DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch)));
            String text = "";
            for (Optional<DaemonSocket.Frame> f = DaemonSocket.readFrame(in); f.isPresent();
                    f = DaemonSocket.readFrame(in)) {
                switch (f.get().kind()) {
                    case DaemonSocket.STATUS -> text = f.get().text();
                    case DaemonSocket.EXIT -> {
                        deadline.cancel();
                        return new Reply(true, false, text);
                    }
                    default -> {
                        deadline.cancel();
                        return new Reply(false, true, f.get().text()); // refused: another build, which stops now
                    }
                }
            }
            return Reply.NONE;
        } catch (IOException e) {
            return Reply.NONE;
        }
    }

    /**
     * Closes a connection whose daemon does not answer in time, which ends the read waiting for it.
     * A thread of its own, not a lambda or an executor: see {@link #forward}.
     */
    static final class Deadline extends Thread {
        private final SocketChannel ch;
        private final long millis;
        private boolean cancelled;
        private boolean fired;

        Deadline(SocketChannel ch, long millis) {
            super("loki-daemon-deadline");
            this.ch = ch;
            this.millis = millis;
            setDaemon(true);
            start();
        }

        @Override
        public void run() {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (cancelled) {
                    return;
                }
                fired = true;
            }
            try {
                ch.close();
            } catch (IOException e) {
                // closed already
            }
        }

        /** Stops the clock: false when it ran out first (the connection is closed). */
        synchronized boolean cancel() {
            cancelled = true;
            interrupt();
            return !fired;
        }
    }

    /**
     * {@code --train}: one whole exchange with a stand-in daemon in a temporary directory, so
     * bin/loki's class-data archive of the client holds every class a real exchange loads.
     */
    private static void train() throws Exception {
        Path dir = Files.createTempDirectory("loki-client-train-");
        Path gitDir = dir.resolve("git");
        Path socket = DaemonSocket.socket(gitDir);
        Files.createDirectories(socket.getParent());
        try (java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open(
                StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread daemon = new Thread(() -> {
                try (SocketChannel ch = server.accept()) {
                    DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch)));
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
                    in.readInt();
                    DaemonSocket.readField(in);
                    DaemonSocket.readField(in);
                    DaemonSocket.readField(in);
                    for (int n = in.readInt() * 2; n > 0; n--) {
                        DaemonSocket.readField(in);
                    }
                    for (int n = in.readInt(); n > 0; n--) {
                        DaemonSocket.readField(in);
                    }
                    DaemonSocket.writeFrame(out, DaemonSocket.ACCEPTED, "");
                    DaemonSocket.writeFrame(out, DaemonSocket.ERR, "Taking a checkpoint...\n");
                    DaemonSocket.writeFrame(out, DaemonSocket.OUT, "Checkpoint: cp-training\n");
                    DaemonSocket.writeExit(out, 0);
                } catch (IOException e) {
                    // the exchange below fails too, and the archive is only less complete
                }
            });
            daemon.start();
            PrintStream nowhere = new PrintStream(java.io.OutputStream.nullOutputStream());
            forward(gitDir, List.of("checkpoint", "create", "training"), System.getenv(), dir, nowhere, nowhere);
            daemon.join(10_000);
        } finally {
            Files.deleteIfExists(socket);
            for (Path p = socket.getParent(); p != null && p.startsWith(dir); p = p.getParent()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
