package dev.loki.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One live loki run per project. The run holds an OS lock on {@code .loki/session.lock} for its
 * whole life (released by the kernel if it dies, so a crash never leaves a stale lock) and
 * writes its pid to {@code loki.pid} as upstream does. Other commands ask {@link #holder}.
 */
public final class SessionLock implements AutoCloseable {
    /** The locks this JVM holds, by .loki path (for {@link #repairHeld}). */
    private static final Map<Path, SessionLock> HELD = new ConcurrentHashMap<>();

    private FileChannel channel;
    private FileLock lock;
    private final Path pidFile;
    private final Path lockFile;
    private final Path key;

    private SessionLock(FileChannel channel, FileLock lock, Path pidFile, Path lockFile, Path key) {
        this.channel = channel;
        this.lock = lock;
        this.pidFile = pidFile;
        this.lockFile = lockFile;
        this.key = key;
    }

    /**
     * For a run whose .loki was removed under it ({@code rm -rf .loki}, {@code git clean -fdx}):
     * takes the lock again on a new {@code session.lock} and rewrites {@code loki.pid}, so
     * {@code loki status}, {@code loki stop} and a second {@code loki start} still see this run.
     * Returns whether anything was repaired.
     */
    public static boolean repairHeld(LokiDir dir) {
        SessionLock s = HELD.get(dir.path());
        if (s == null) {
            return false;
        }
        synchronized (s) {
            boolean repaired = false;
            try {
                if (!Files.exists(s.lockFile)) {
                    Files.createDirectories(s.lockFile.getParent());
                    FileChannel ch = FileChannel.open(s.lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock fl = tryLock(ch);
                    if (fl == null) {
                        return false; // another run took the new file first: leave it to that run
                    }
                    FileChannel old = s.channel;
                    s.channel = ch;
                    s.lock = fl;
                    old.close();
                    repaired = true;
                }
                if (!Files.exists(s.pidFile)) {
                    AtomicFiles.writeString(s.pidFile, ProcessHandle.current().pid() + "\n");
                    repaired = true;
                }
            } catch (IOException e) {
                return repaired;
            }
            return repaired;
        }
    }

    /** The lock on {@code ch}, or null (and {@code ch} closed) when another holder has it. */
    private static FileLock tryLock(FileChannel ch) throws IOException {
        FileLock fl;
        try {
            fl = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            fl = null;
        }
        if (fl == null) {
            ch.close();
        }
        return fl;
    }

    /** Takes the lock, or returns empty when another live run holds it. */
    public static Optional<SessionLock> tryAcquire(LokiDir dir) throws IOException {
        Files.createDirectories(dir.path());
        Path lockFile = dir.resolve("session.lock");
        if (Files.isDirectory(lockFile)) {
            // upstream's mkdir-mutex layout: session.lock.lockdir is separate; a directory here is foreign
            throw new IOException(lockFile + " is a directory; remove it if no loki run is active");
        }
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock fl = tryLock(ch);
        if (fl == null) {
            return Optional.empty();
        }
        Path pid = dir.resolve("loki.pid");
        AtomicFiles.writeString(pid, ProcessHandle.current().pid() + "\n");
        SessionLock held = new SessionLock(ch, fl, pid, lockFile, dir.path());
        HELD.put(dir.path(), held);
        return Optional.of(held);
    }

    /**
     * The pid of a live run holding this project, if any: either a process holding the OS lock,
     * or (for runs of upstream's bash loki) a live process named in {@code loki.pid}.
     */
    public static Optional<Long> holder(LokiDir dir) {
        Path lockFile = dir.resolve("session.lock");
        Optional<Long> pid = readPid(dir.resolve("loki.pid"));
        if (Files.isRegularFile(lockFile)) {
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
                FileLock fl;
                try {
                    fl = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    return Optional.of(pid.orElse(ProcessHandle.current().pid()));
                }
                if (fl == null) {
                    return Optional.of(pid.orElse(-1L));
                }
                fl.release();
                // our own lock file is free: any loki.pid left beside it is from a run that died
                return Optional.empty();
            } catch (IOException e) {
                // unreadable lock file: fall through to the pid check
            }
        }
        return pid.filter(p -> p != ProcessHandle.current().pid()
                && ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false));
    }

    private static Optional<Long> readPid(Path file) {
        try {
            return Optional.of(Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        HELD.remove(key, this);
        try {
            Files.deleteIfExists(pidFile);
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            channel.close();
        }
    }
}
