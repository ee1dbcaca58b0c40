package dev.loki.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A process that writes something loki must be able to tell is still being written: its pid
 * plus its start time, so a pid the kernel reused for another process is never taken for the
 * writer. Written as {@code "<pid> <start instant or ->"}.
 */
public record WriterPid(long pid, Optional<Instant> start) {
    private static final long TOLERANCE_MS = 1000;

    public static WriterPid current() {
        ProcessHandle self = ProcessHandle.current();
        return new WriterPid(self.pid(), self.info().startInstant());
    }

    /** Parses {@link #format()}; empty for anything else. */
    public static Optional<WriterPid> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String[] f = text.strip().split("\\s+");
        try {
            long pid = Long.parseLong(f[0]);
            Optional<Instant> start = f.length > 1 && !"-".equals(f[1]) ? Optional.of(Instant.parse(f[1]))
                    : Optional.empty();
            return pid > 0 ? Optional.of(new WriterPid(pid, start)) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    public String format() {
        return pid + " " + start.map(Instant::toString).orElse("-");
    }

    /** The live process this names: same pid and (when both are known) the same start time. */
    public Optional<ProcessHandle> live() {
        Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (h.isEmpty() || start.isEmpty()) {
            return h;
        }
        Optional<Instant> actual = h.get().info().startInstant();
        if (actual.isPresent() && Duration.between(actual.get(), start.get()).abs().toMillis() > TOLERANCE_MS) {
            return Optional.empty();
        }
        return h;
    }

    public boolean alive() {
        return live().isPresent();
    }

    public boolean isCurrent() {
        return pid == ProcessHandle.current().pid();
    }
}
