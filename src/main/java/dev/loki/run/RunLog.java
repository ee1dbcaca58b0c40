package dev.loki.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the loop tells the person watching: plain timestamped lines on stderr (and in {@code
 * logs/session.log}, which {@code loki logs} tails), and on a terminal a live status line
 * below them (iteration, elapsed, provider, last gate result, spend), redrawn every second.
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
    private Thread ticker;
    private boolean lineShown;

    public RunLog(PrintStream err, Path sessionLog, boolean live) {
        this.err = err;
        this.sessionLog = sessionLog;
        this.live = live;
        if (live) {
            ticker = new Thread(this::tick, "loki-progress");
            ticker.setDaemon(true);
            ticker.start();
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
        err.println("[loki " + TIME.format(Instant.now()) + "] " + message);
        if (live) {
            drawStatus();
        }
        err.flush();
    }

    private synchronized void line(String level, String message) {
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
        err.print("\r\033[2K" + render(s, Duration.between(started, Instant.now())));
        lineShown = true;
    }

    static String render(Status s, Duration elapsed) {
        long sec = elapsed.toSeconds();
        String time = String.format("%02d:%02d:%02d", sec / 3600, (sec / 60) % 60, sec % 60);
        return String.format("loki | iteration %d/%d | %s | %s | %s | gates: %s | $%.4f", s.iteration(),
                s.maxIterations(), time, s.provider(), s.phase(), s.gates(), s.spend());
    }

    private void tick() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                drawStatus();
                err.flush();
            }
        }
    }

    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.interrupt();
        }
        if (live && lineShown) {
            err.print("\r\033[2K");
            err.flush();
        }
    }
}
