package dev.loki.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Cross-process exclusive locks on a sidecar {@code .lock} file. A {@link FileLock} belongs to
 * the whole JVM, so each path is also guarded by an in-process {@link ReentrantLock}; together
 * they exclude other threads and other processes. The OS releases the lock if the holder dies,
 * so a crashed process never leaves a stale lock behind.
 */
public final class FileLocks {
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

    private FileLocks() {
    }

    /** A held lock; closing it releases both levels. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /** Locks {@code target + ".lock"}, waiting at most {@code timeout}. */
    public static Held lockFor(Path target, Duration timeout) throws IOException {
        return lock(target.resolveSibling(target.getFileName() + ".lock"), timeout);
    }

    public static Held lock(Path lockFile, Duration timeout) throws IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        ReentrantLock local = LOCAL.computeIfAbsent(key, k -> new ReentrantLock());
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!local.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IOException("timed out after " + timeout.toSeconds() + "s waiting for lock " + key);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for lock " + key, e);
        }
        if (local.getHoldCount() > 1) {
            return local::unlock;
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(key.getParent());
            channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            long sleepMs = 5;
            while (true) {
                FileLock fl;
                try {
                    fl = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    fl = null;
                }
                if (fl != null) {
                    FileChannel ch = channel;
                    FileLock held = fl;
                    return () -> {
                        try {
                            held.release();
                            ch.close();
                        } catch (IOException ignored) {
                            // Closing the channel releases the lock in any case.
                        } finally {
                            local.unlock();
                        }
                    };
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("timed out after " + timeout.toSeconds()
                            + "s waiting for lock " + key + " (held by another loki process)");
                }
                Thread.sleep(sleepMs);
                sleepMs = Math.min(100, sleepMs * 2);
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            local.unlock();
            throw e;
        } catch (InterruptedException e) {
            closeQuietly(channel);
            local.unlock();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for lock " + key, e);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }
}
