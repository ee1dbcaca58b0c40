package dev.loki.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the loop tells the person watching: plain timestamped lines on stderr (and in {@code
 * logs/session.log}, which {@code loki logs} tails), and on a terminal a live status line
 * below them (iteration, elapsed, provider, last gate result, spend, the current step and its
 * elapsed time), redrawn every second. Without a terminal, a long step is repeated with its
 * elapsed time every heartbeat, so a log never goes quiet for a minute with no explanation.
 */
public final class RunLog implements AutoCloseable {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ISO_INSTANT;

    /** The live line's content. */
    public record Status(int iteration, int maxIterations, String provider, String phase, String gates,
            double spend) {
    }

    private final PrintStream err;
    private final Path sessionLog;
    private final boolean live;
    private final Instant started = Instant.now();
    private final AtomicReference<Status> status = new AtomicReference<>();
    private final Thread ticker;
    private boolean lineShown;
    private volatile Duration heartbeat = Duration.ofSeconds(10);
    private volatile boolean echo;
    private volatile Step step;

    /** What the loop is doing now (a provider call, a gate, the council), since when, and whose output to echo. */
    private record Step(String label, long startNanos, Optional<Path> follow, long[] nextBeat, long[] followed) {
    }

    public RunLog(PrintStream err, Path sessionLog, boolean live) {
        this.err = err;
        this.sessionLog = sessionLog;
        this.live = live;
        ticker = new Thread(this::tick, "loki-progress");
        ticker.setDaemon(true);
        ticker.start();
    }

    /**
     * How often a plain (non-terminal) console repeats what a long step is doing; a terminal's
     * status line shows it all the time.
     */
    public RunLog heartbeat(Duration every) {
        this.heartbeat = every.isNegative() || every.isZero() ? Duration.ofMillis(100) : every;
        return this;
    }

    /** Echo the provider's output onto the console while it runs ({@code --verbose}, {@code LOKI_ECHO}). */
    public RunLog echo(boolean on) {
        this.echo = on;
        return this;
    }

    public boolean echoing() {
        return echo;
    }

    /**
     * A step that may take more than a second starts: announced now, then on a plain console
     * repeated with its elapsed time every heartbeat, on a terminal shown in the status line.
     */
    public void step(String label) {
        begin(label, true, Optional.empty());
    }

    /** A step usually too short to announce: shown in the status line and heartbeats only. */
    public void quietStep(String label) {
        begin(label, false, Optional.empty());
    }

    /** The provider call: not announced (the iteration line says it), its output echoed when asked. */
    public void providerStep(String label, Path capture) {
        begin(label, false, echo ? Optional.of(capture) : Optional.empty());
    }

    private void begin(String label, boolean announce, Optional<Path> follow) {
        stepDone();
        long now = System.nanoTime();
        if (announce) {
            info(label);
        }
        step = new Step(label, now, follow, new long[] {now + heartbeat.toNanos()}, new long[] {0});
    }

    /** The current step ended; the rest of its echoed output is printed. */
    public void stepDone() {
        Step s = step;
        step = null;
        if (s != null) {
            synchronized (this) {
                follow(s, true);
            }
        }
    }

    public void info(String message) {
        line("", message);
    }

    public void warn(String message) {
        line("WARN ", message);
    }

    /** A line for the person at the terminal only, never written to session.log (a login link is a secret). */
    public synchronized void terminal(String message) {
        if (live && lineShown) {
            err.print("\r\033[2K");
        }
        err.println("[loki " + TIME.format(Instant.now()) + "] " + dev.loki.Quote.line(message));
        if (live) {
            drawStatus();
        }
        err.flush();
    }

    private synchronized void line(String level, String raw) {
        // every line of the session log is read back (loki logs, /api/logs): secrets never reach it;
        // and one message is one line: a spec name, a claim or a vote reason an agent wrote cannot
        // fake a line of loki's own (a newline) or drive the terminal (escape sequences)
        String message = dev.loki.Quote.line(dev.loki.proof.Redactor.line(raw));
        Instant now = Instant.now();
        try {
            // a log, not state: appended without fsync so logging never slows an iteration
            java.nio.file.Files.createDirectories(sessionLog.getParent());
            java.nio.file.Files.write(sessionLog, (STAMP.format(now) + " " + level + message + "\n")
                    .getBytes(StandardCharsets.UTF_8), java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the log file is a convenience; the terminal still gets the line
        }
        if (live && lineShown) {
            err.print("\r\033[2K");
        }
        err.println("[loki " + TIME.format(now) + "] " + level + message);
        if (live) {
            drawStatus();
        }
        err.flush();
    }

    public void status(Status s) {
        status.set(s);
        if (live) {
            synchronized (this) {
                drawStatus();
                err.flush();
            }
        }
    }

    private void drawStatus() {
        Status s = status.get();
        if (s == null) {
            return;
        }
        Step now = step;
        String label = now == null ? "" : now.label().length() > 60 ? now.label().substring(0, 57) + "..." : now.label();
        String doing = now == null ? "" : " | " + label + " " + seconds(now) + "s";
        err.print("\r\033[2K" + render(s, Duration.between(started, Instant.now())) + doing);
        lineShown = true;
    }

    private static long seconds(Step s) {
        return (System.nanoTime() - s.startNanos()) / 1_000_000_000L;
    }

    /** Prints the lines the followed capture file gained since the last look (at the end, a last partial one). */
    private void follow(Step s, boolean last) {
        if (s.follow().isEmpty()) {
            return;
        }
        Path f = s.follow().get();
        try {
            if (!java.nio.file.Files.isRegularFile(f)) {
                return;
            }
            long size = java.nio.file.Files.size(f);
            if (size < s.followed()[0]) {
                s.followed()[0] = 0;
            }
            if (size == s.followed()[0]) {
                return;
            }
            byte[] bytes;
            try (var ch = java.nio.channels.FileChannel.open(f)) {
                ch.position(s.followed()[0]);
                int n = (int) Math.min(size - s.followed()[0], 256 * 1024);
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(n);
                while (buf.hasRemaining() && ch.read(buf) > 0) {
                    // fill
                }
                bytes = java.util.Arrays.copyOf(buf.array(), buf.position());
            }
            int end = bytes.length;
            while (!last && end > 0 && bytes[end - 1] != '\n') {
                end--;
            }
            if (end == 0) {
                return;
            }
            s.followed()[0] += end;
            if (live && lineShown) {
                err.print("\r\033[2K");
            }
            for (String l : new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n")) {
                err.println("  | " + l);
            }
            if (live) {
                drawStatus();
            }
            err.flush();
        } catch (IOException e) {
            // echo is a convenience; the capture file keeps everything
        }
    }

    static String render(Status s, Duration elapsed) {
        long sec = elapsed.toSeconds();
        String time = String.format("%02d:%02d:%02d", sec / 3600, (sec / 60) % 60, sec % 60);
        return String.format("loki | iteration %d/%d | %s | %s | %s | gates: %s | $%.4f", s.iteration(),
                s.maxIterations(), time, s.provider(), s.phase(), s.gates(), s.spend());
    }

    private void tick() {
        long lastDraw = 0;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            Step s = step;
            long now = System.nanoTime();
            if (s != null) {
                synchronized (this) {
                    follow(s, false);
                }
                if (!live && now >= s.nextBeat()[0]) {
                    s.nextBeat()[0] = now + heartbeat.toNanos();
                    long ms = (now - s.startNanos()) / 1_000_000L;
                    info("... " + s.label() + ": still running after "
                            + (ms < 10_000 ? String.format(java.util.Locale.ROOT, "%.1f", ms / 1000.0) : Long.toString(ms / 1000)) + " s");
                }
            }
            if (live && now - lastDraw >= 1_000_000_000L) {
                lastDraw = now;
                synchronized (this) {
                    drawStatus();
                    err.flush();
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        stepDone();
        ticker.interrupt();
        if (live && lineShown) {
            err.print("\r\033[2K");
            err.flush();
        }
    }
}
