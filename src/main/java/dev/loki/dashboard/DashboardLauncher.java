package dev.loki.dashboard;

import dev.loki.LokiException;
import dev.loki.dashboard.auth.LoginTickets;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * Starts, finds and stops a project's dashboard. {@link #startBackground} runs it as a detached
 * child JVM (same java, same classpath, the hidden {@code loki dashboard serve} command) whose
 * output goes to {@code .loki/dashboard/logs/dashboard.log}; {@link #serve} runs it in this
 * process. A busy port is refused with a clear message; nothing is ever killed to free it.
 */
public final class DashboardLauncher {
    private static final Duration START_WAIT = Duration.ofSeconds(30);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);
    private static final Duration WATCH_INTERVAL = Duration.ofMillis(500);

    private DashboardLauncher() {
    }

    /** The outcome of a start: the instance, a fresh one-time login URL, and whether it was already up. */
    public record Started(DashboardInstance instance, String loginUrl, boolean alreadyRunning) {
    }

    /** Host and port from flags, else {@code LOKI_DASHBOARD_HOST} / {@code LOKI_DASHBOARD_PORT}, else the defaults. */
    public static DashboardConfig config(LokiDir loki, Map<String, String> env, Optional<String> host,
            Optional<Integer> port) {
        String h = host.or(() -> nonBlank(env.get("LOKI_DASHBOARD_HOST"))).orElse(DashboardConfig.DEFAULT_HOST);
        int p = port.orElseGet(() -> nonBlank(env.get("LOKI_DASHBOARD_PORT")).map(v -> {
            try {
                return Integer.parseInt(v.strip());
            } catch (NumberFormatException e) {
                throw LokiException.badInput("LOKI_DASHBOARD_PORT='" + v + "' is not a port number (1-65535)");
            }
        }).orElse(DashboardConfig.DEFAULT_PORT));
        if (p < 1 || p > 65535) {
            throw LokiException.badInput("Port " + p + " is out of range: use 1-65535");
        }
        return new DashboardConfig(loki, env, h, p);
    }

    /** The project's dashboard if one is up and verifiably ours. */
    public static Optional<DashboardInstance> running(LokiDir loki) {
        return DashboardInstance.read(loki).filter(DashboardInstance::processAlive)
                .filter(DashboardInstance::answersHealth);
    }

    /** A fresh one-time login URL for a running instance. */
    public static String loginUrl(LokiDir loki, DashboardInstance i) {
        return loginUrl(loki, i, LoginTickets.DEFAULT_TTL);
    }

    public static String loginUrl(LokiDir loki, DashboardInstance i, Duration ttl) {
        return DashboardServer.loginUrl(i.baseUrl(), new LoginTickets(loki).mint(ttl));
    }

    /**
     * The dashboard of a run: {@code startedByRun} when this run launched it (it then watches the
     * run's process and exits with it, unless kept), false when one was already up (left alone).
     */
    public record RunDashboard(DashboardInstance instance, String loginUrl, boolean startedByRun, boolean kept) {
    }

    /**
     * What a run calls at its start: makes sure a dashboard runs (unless {@code LOKI_DASHBOARD=false}).
     * One this call starts watches {@code runPid} and stops when that process is gone (end, stop,
     * crash, kill -9) unless {@code keep}. The login link is single-use and lives {@link
     * LoginTickets#SHORT_TTL}. Empty when disabled or when it could not start (reason to {@code warn}).
     */
    public static Optional<RunDashboard> ensureRunningForRun(LokiDir loki, Map<String, String> env, long runPid,
            boolean keep, PrintStream warn) {
        if (!enabled(env)) {
            return Optional.empty();
        }
        try {
            Started s = startBackground(config(loki, env, Optional.empty(), Optional.empty()),
                    keep ? Optional.empty() : Optional.of(runPid), LoginTickets.SHORT_TTL);
            return Optional.of(new RunDashboard(s.instance(), s.loginUrl(), !s.alreadyRunning(), keep));
        } catch (LokiException e) {
            warn.println("Warning: dashboard not started: " + e.getMessage());
            return Optional.empty();
        }
    }

    public static boolean enabled(Map<String, String> env) {
        String flag = env.getOrDefault("LOKI_DASHBOARD", "true").strip().toLowerCase(Locale.ROOT);
        return !(flag.equals("false") || flag.equals("0") || flag.equals("no") || flag.equals("off"));
    }

    /**
     * Makes sure the dashboard runs (unless {@code LOKI_DASHBOARD=false}) and returns a login URL
     * valid 15 minutes, for a caller that shows it on a terminal ({@code loki start} itself uses
     * {@link #ensureRunningForRun}); empty when disabled or when it could not start (the reason goes
     * to {@code warn}; a run never fails because its dashboard did).
     */
    public static Optional<String> ensureRunning(LokiDir loki, Map<String, String> env, PrintStream warn) {
        if (!enabled(env)) {
            return Optional.empty();
        }
        try {
            return Optional.of(startBackground(config(loki, env, Optional.empty(), Optional.empty())).loginUrl());
        } catch (LokiException e) {
            warn.println("Warning: dashboard not started: " + e.getMessage());
            return Optional.empty();
        }
    }

    public static Optional<String> ensureRunning(LokiDir loki, Map<String, String> env) {
        return ensureRunning(loki, env, System.err);
    }

    /** Starts the dashboard as a detached child process and waits until it answers. */
    public static Started startBackground(DashboardConfig cfg) {
        return startBackground(cfg, Optional.empty());
    }

    /** As {@link #startBackground(DashboardConfig)}; a new server exits when process {@code watchPid} is gone. */
    public static Started startBackground(DashboardConfig cfg, Optional<Long> watchPid) {
        return startBackground(cfg, watchPid, LoginTickets.DEFAULT_TTL);
    }

    /** As above, with a login link valid for {@code ttl}. */
    public static Started startBackground(DashboardConfig cfg, Optional<Long> watchPid, Duration ttl) {
        LokiDir loki = cfg.lokiDir().ensureExists();
        Optional<DashboardInstance> up = running(loki);
        if (up.isPresent()) {
            return new Started(up.get(), loginUrl(loki, up.get(), ttl), true);
        }
        requireFreePort(cfg);
        Path logs = DashboardInstance.dir(loki).resolve("logs");
        Path log = logs.resolve("dashboard.log");
        Process child;
        try {
            Files.createDirectories(logs);
            // detached on purpose (a background dashboard outlives the command that started it), in its own
            // session through the one process package; a run's own dashboard watches the run's pid and exits with it
            child = dev.loki.process.Processes.startDetached(childCommand(cfg, watchPid), loki.workTree(), cfg.env(), log);
        } catch (IOException e) {
            throw LokiException.failed("Cannot start the dashboard process: " + e.getMessage());
        }
        Instant deadline = Instant.now().plus(START_WAIT);
        while (Instant.now().isBefore(deadline)) {
            Optional<DashboardInstance> i = DashboardInstance.read(loki).filter(x -> x.answersHealth());
            if (i.isPresent() && i.get().processAlive()) {
                return new Started(i.get(), loginUrl(loki, i.get(), ttl), false);
            }
            if (!child.isAlive()) {
                throw LokiException.failed("The dashboard exited at start (code " + child.exitValue() + "): "
                        + dev.loki.process.Processes.lastLine(log, Integer.MAX_VALUE) + " (full log: " + log + ")");
            }
            sleep(100);
        }
        child.destroy();
        throw LokiException.failed("The dashboard did not answer within " + START_WAIT.toSeconds() + "s; see " + log);
    }

    /** Runs the server in this process until it is stopped (SIGTERM, Ctrl-C). */
    public static void serve(DashboardConfig cfg, PrintStream out, boolean printLogin) {
        serve(cfg, out, printLogin, Optional.empty());
    }

    /** As above; with {@code watchPid}, the server also stops once that process (its run) is gone. */
    public static void serve(DashboardConfig cfg, PrintStream out, boolean printLogin, Optional<Long> watchPid) {
        Optional<ProcessHandle> watched = watchPid.map(pid -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .orElseThrow(() -> LokiException.failed("The run (pid " + pid + ") this dashboard was to serve is"
                        + " already gone; not starting")));
        LokiDir loki = cfg.lokiDir().ensureExists();
        Optional<DashboardInstance> up = running(loki);
        if (up.isPresent()) {
            throw LokiException.failed("This project's dashboard already runs at " + up.get().baseUrl() + " (pid "
                    + up.get().pid() + "); stop it with 'loki dashboard stop'");
        }
        requireFreePort(cfg);
        DashboardServer server = DashboardServer.start(cfg);
        DashboardInstance me = new DashboardInstance(ProcessHandle.current().pid(), cfg.host(), server.port(),
                server.instanceId(), Instant.now().toString());
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            me.removeIfOurs(loki);
            server.stop();
            stopped.countDown();
        }, "loki-dashboard-shutdown");
        try {
            me.write(loki);
        } catch (IOException e) {
            server.stop();
            throw LokiException.failed("Cannot write " + DashboardInstance.file(loki) + ": " + e.getMessage());
        }
        Runtime.getRuntime().addShutdownHook(hook);
        watched.ifPresent(run -> watchRun(run, stopped));
        out.println("Dashboard running at " + server.baseUrl() + " (pid " + me.pid() + ")"
                + watched.map(r -> "; it stops when run pid " + r.pid() + " ends").orElse(""));
        if (printLogin) {
            out.println("Log in (one-time link, valid 15 minutes): " + server.loginUrl());
        }
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Polls the run's process (a ProcessHandle also checks the start time, so a reused pid is
     * not mistaken for the run) and exits this JVM when it is gone: the shutdown hook then
     * removes the pid file and stops the server. Covers the run's normal end, 'loki stop', a
     * crash and kill -9 alike.
     */
    private static void watchRun(ProcessHandle run, CountDownLatch stopped) {
        Thread t = new Thread(() -> {
            while (run.isAlive() && stopped.getCount() > 0) {
                try {
                    Thread.sleep(WATCH_INTERVAL.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (stopped.getCount() > 0) {
                System.out.println("Run pid " + run.pid() + " is gone: the dashboard it started stops with it");
                System.out.flush();
                System.exit(0);
            }
        }, "loki-dashboard-run-watch");
        t.setDaemon(true);
        t.start();
    }

    /** What {@link #stop} found and did. */
    public enum StopOutcome { STOPPED, NOT_RUNNING, STALE_REMOVED, NOT_OURS }

    /** Stops this project's dashboard: only the recorded pid, and only after /health proves it is ours. */
    public static StopOutcome stop(LokiDir loki) {
        Optional<DashboardInstance> rec = DashboardInstance.read(loki);
        if (rec.isEmpty()) {
            return StopOutcome.NOT_RUNNING;
        }
        DashboardInstance i = rec.get();
        if (!i.processAlive()) {
            DashboardInstance.removeFiles(loki);
            return StopOutcome.STALE_REMOVED;
        }
        if (!i.answersHealth()) {
            DashboardInstance.removeFiles(loki);
            return StopOutcome.NOT_OURS;
        }
        ProcessHandle ph = ProcessHandle.of(i.pid()).orElseThrow();
        ph.destroy();
        Instant deadline = Instant.now().plus(STOP_WAIT);
        while (ph.isAlive() && Instant.now().isBefore(deadline)) {
            sleep(100);
        }
        if (ph.isAlive()) {
            // still the same process handle we verified above: it ignored SIGTERM
            ph.destroyForcibly();
        }
        i.removeIfOurs(loki);
        return StopOutcome.STOPPED;
    }

    public static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private static void requireFreePort(DashboardConfig cfg) {
        if (cfg.port() == 0) {
            return;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(cfg.host()), cfg.port()));
        } catch (IOException e) {
            String who = DashboardInstance.health("http://" + (cfg.host().equals("0.0.0.0") ? "127.0.0.1" : cfg.host())
                    + ":" + cfg.port()).isPresent() ? "another project's loki dashboard" : "another program";
            throw LokiException.failed("Port " + cfg.port() + " on " + cfg.host() + " is already in use by " + who
                    + "; pick another with --port or LOKI_DASHBOARD_PORT (nothing was stopped)");
        }
    }

    private static List<String> childCommand(DashboardConfig cfg, Optional<Long> watchPid) {
        // Processes.startDetached gives it its own session: closing the terminal that started it does not hang it up
        List<String> cmd = new ArrayList<>();
        cmd.add("--loki-dir");
        cmd.add(cfg.lokiDir().path().toString());
        cmd.add("dashboard");
        cmd.add("serve");
        cmd.add("--host");
        cmd.add(cfg.host());
        cmd.add("--port");
        cmd.add(Integer.toString(cfg.port()));
        watchPid.ifPresent(pid -> {
            cmd.add("--watch-pid");
            cmd.add(Long.toString(pid));
        });
        return dev.loki.process.JavaChild.command(List.of(), "dev.loki.cli.Main", cmd);
    }

    private static Optional<String> nonBlank(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.strip());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw LokiException.failed("interrupted");
        }
    }
}
