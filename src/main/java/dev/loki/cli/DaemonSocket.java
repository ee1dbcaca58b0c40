package dev.loki.cli;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * What the daemon ({@link DaemonServer}) and its client ({@link DaemonClient}) agree on: where a
 * repository's socket is, which build of loki may talk to which, which commands go through it,
 * and the frames they exchange. Only {@code java.base}: the client runs before anything else in
 * a command's JVM, and must cost next to nothing when there is no daemon.
 *
 * <p>A request is {@link #MAGIC}, the build, the operation ({@code run}, {@code status},
 * {@code stop}); for {@code run} also the directory, the environment and the arguments. The
 * answer is a sequence of frames: a kind byte, a length, that many bytes.
 */
final class DaemonSocket {
    static final int MAGIC = 0x4C4B4431; // "LKD1"

    /** Frame kinds. */
    static final byte ACCEPTED = 'A'; // the command runs: from here on, a lost connection is an error
    static final byte REFUSED = 'R';  // not run: the client runs it itself; the payload says why
    static final byte OUT = 'O';
    static final byte ERR = 'E';
    static final byte STATUS = 'S';   // the daemon's status, JSON
    static final byte EXIT = 'X';     // the exit code, 4 bytes: the last frame

    static final String RUN = "run";
    static final String STATUS_OP = "status";
    static final String STOP = "stop";

    /** The most bytes one frame or request field may carry (a request holds an environment). */
    static final int MAX_FIELD = 1 << 20;

    /** sun_path holds 108 bytes; longer socket paths go to a short directory of this user's. */
    private static final int MAX_SOCKET_PATH = 100;

    private DaemonSocket() {
    }

    /** Where the daemon of the repository whose git directory is {@code gitDir} keeps its files. */
    static Path home(Path gitDir) {
        return gitDir.resolve("loki").resolve("daemon");
    }

    /**
     * The socket of the daemon of this git directory: in {@link #home} when the path is short
     * enough for a Unix socket, else in {@code $TMPDIR/loki-daemon-<user>/} under a hash of the git
     * directory (a directory only its owner may enter; the server checks that it is).
     */
    static Path socket(Path gitDir) {
        Path in = home(gitDir).resolve("socket");
        if (in.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH) {
            return in;
        }
        return shortDir().resolve(hash(gitDir.toString()).substring(0, 24) + ".sock");
    }

    /** The lock a running daemon holds for its whole life (its pid inside). */
    static Path lock(Path gitDir) {
        return home(gitDir).resolve("lock");
    }

    /**
     * Deletes the socket of a daemon that is gone (no process holds its lock): true when it did.
     * Holding the lock while deleting means a daemon starting right now cannot lose its socket.
     */
    static boolean removeIfUnserved(Path gitDir) {
        boolean[] removed = {false};
        return probeLock(gitDir, () -> {
            Files.deleteIfExists(elsewhereMarker(gitDir));
            removed[0] = Files.deleteIfExists(socket(gitDir));
        }) == Lock.FREE && removed[0];
    }

    /** Whether a process holds the daemon lock of this git directory (a daemon runs, answering or not). */
    static boolean lockHeld(Path gitDir) {
        return Files.exists(lock(gitDir)) && probeLock(gitDir, () -> { }) == Lock.HELD;
    }

    /** What a look at the daemon lock found. */
    enum Lock { FREE, HELD, UNREADABLE }

    interface WhileFree {
        void run() throws IOException;
    }

    /**
     * Takes the daemon lock for a moment if no process holds it, runs {@code whileFree} holding
     * it, and lets it go. HELD also when this very process holds it (an in-process daemon).
     */
    private static Lock probeLock(Path gitDir, WhileFree whileFree) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lock(gitDir),
                java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.channels.FileLock held = ch.tryLock();
            if (held == null) {
                return Lock.HELD;
            }
            try {
                whileFree.run();
            } finally {
                held.release();
            }
            return Lock.FREE;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return Lock.HELD;
        } catch (IOException e) {
            return Lock.UNREADABLE;
        }
    }

    /**
     * Whether the socket of this git directory can only be a daemon of this user's: in
     * {@link #home} (under the user's git directory), or in a short directory this user owns and
     * no one else may enter, and owned by this user. A socket in {@code /tmp} that someone else
     * could have put there (after a reboot emptied it while the marker stayed, say) never gets the
     * environment, which holds the user's secrets.
     */
    static boolean trusted(Path gitDir, Path socket) {
        if (socket.startsWith(home(gitDir))) {
            return true;
        }
        try {
            String me = System.getProperty("user.name");
            java.nio.file.attribute.PosixFileAttributes dir = Files.readAttributes(socket.getParent(),
                    java.nio.file.attribute.PosixFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if (!dir.isDirectory() || !dir.owner().getName().equals(me)) {
                return false;
            }
            for (java.nio.file.attribute.PosixFilePermission p : dir.permissions()) {
                if (!p.name().startsWith("OWNER_")) {
                    return false; // no lambda on the client's path
                }
            }
            return Files.getOwner(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS).getName().equals(me);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Written while the socket is outside {@link #home} (a long path), so bin/loki knows to look. */
    static Path elsewhereMarker(Path gitDir) {
        return home(gitDir).resolve("socket-elsewhere");
    }

    static Path shortDir() {
        return Path.of(System.getProperty("java.io.tmpdir", "/tmp"), "loki-daemon-" + System.getProperty("user.name"));
    }

    /**
     * The commands a daemon runs: {@code checkpoint create} (also as {@code cp create}) in the
     * directory the client is in. Anything that names another directory ({@code -C},
     * {@code --loki-dir}) or a file ({@code @file}, which picocli reads relative to the process's
     * directory: the daemon's is not the client's) is run by the client itself.
     */
    static boolean forwardable(List<String> args) {
        if (args.size() < 2 || !(args.get(0).equals("checkpoint") || args.get(0).equals("cp"))
                || !args.get(1).equals("create")) {
            return false;
        }
        for (String a : args) {
            if (a.equals("-C") || a.startsWith("-C") && !a.startsWith("--") || a.equals("--loki-dir")
                    || a.startsWith("--loki-dir=") || a.startsWith("@")) {
                return false; // '@file' is read by the command line parser relative to the process's directory
            }
        }
        return true;
    }

    /**
     * This build of loki: the jar (or class directory) it runs from, with its size and time. A
     * daemon serves only clients of its own build, so a rebuilt jar never talks to old code. The
     * small client jar names the main jar in the {@code loki.jar} system property (bin/loki).
     */
    static String build() {
        try {
            String named = System.getProperty("loki.jar");
            Path from = named != null ? Path.of(named).toAbsolutePath().normalize()
                    : Path.of(DaemonSocket.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            from = from.toRealPath();
            StringBuilder id = new StringBuilder(from.toString()).append(':'); // no indy concatenation: see DaemonClient
            if (Files.isRegularFile(from)) {
                id.append(Files.size(from)).append(':').append(Files.getLastModifiedTime(from).toMillis());
            } else {
                id.append("classes");
            }
            return id.toString();
        } catch (Exception e) {
            return "unknown";
        }
    }

    static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void writeField(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    static String readField(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_FIELD) {
            throw new IOException("field of " + n + " bytes");
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    static void writeFrame(DataOutputStream out, byte kind, byte[] payload, int off, int len) throws IOException {
        synchronized (out) {
            out.writeByte(kind);
            out.writeInt(len);
            out.write(payload, off, len);
            out.flush();
        }
    }

    static void writeFrame(DataOutputStream out, byte kind, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        writeFrame(out, kind, b, 0, b.length);
    }

    static void writeExit(DataOutputStream out, int code) throws IOException {
        byte[] b = {(byte) (code >>> 24), (byte) (code >>> 16), (byte) (code >>> 8), (byte) code};
        writeFrame(out, EXIT, b, 0, 4);
    }

    /** One frame: its kind and payload; empty at the end of the stream. */
    static Optional<Frame> readFrame(DataInputStream in) throws IOException {
        int kind = in.read();
        if (kind < 0) {
            return Optional.empty();
        }
        int n = in.readInt();
        if (n < 0 || n > MAX_FIELD) {
            throw new IOException("frame of " + n + " bytes");
        }
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new java.io.EOFException();
        }
        return Optional.of(new Frame((byte) kind, b));
    }

    record Frame(byte kind, byte[] payload) {
        int exitCode() {
            return (payload[0] & 0xff) << 24 | (payload[1] & 0xff) << 16 | (payload[2] & 0xff) << 8 | payload[3] & 0xff;
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }
}
