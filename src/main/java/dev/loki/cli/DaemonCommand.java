package dev.loki.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.ExitCode;
import dev.loki.LokiException;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code loki daemon}: start, stop and show the repository's checkpoint daemon (see
 * {@link DaemonServer}): a process that watches the work tree so that
 * {@code loki checkpoint create} from the command line costs about what the loop's does.
 */
@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = {"A background process per repository that watches the work tree, so that 'loki checkpoint"
                + " create' from the command line re-reads only the files that changed (as the loop's checkpoints"
                + " do) instead of the whole tree. Optional: without it every command works the same, only slower on"
                + " large trees. It runs nothing but 'checkpoint create', for your user only, and ends after its idle"
                + " time, when the repository is removed, or when loki is rebuilt.",
            "Commands: start, stop, status, run."},
        subcommands = {
            DaemonCommand.Start.class,
            DaemonCommand.Stop.class,
            DaemonCommand.Status.class,
            DaemonCommand.Run.class,
            picocli.CommandLine.HelpCommand.class,
        })
public final class DaemonCommand extends BaseCommand {
    static final String DEFAULT_IDLE = "60m";
    private static final Duration START_WAIT = Duration.ofSeconds(30);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    DaemonCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() {
        return usage();
    }

    /** {@code --idle-timeout} of {@code start} and {@code run}. */
    static final class IdleTimeout {
        @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = DEFAULT_IDLE,
                description = "End after this long without a command: 90s, 30m, 2h, or 0 for never"
                        + " (default ${DEFAULT-VALUE}).")
        String text;

        Duration duration() {
            return idle(text);
        }
    }

    /** {@code --idle-timeout}: 90s, 30m, 2h, or 0 for never. */
    static Duration idle(String text) {
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,7})\\s*(s|m|min|h)?").matcher(t);
        if (!m.matches()) {
            throw LokiException.badInput("--idle-timeout " + text + ": give a duration such as 90s, 30m or 2h (0: never).");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "h" -> Duration.ofHours(n);
            case "m", "min" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
    }

    /** The daemon's answer to a status request, or empty when none answers. */
    static Optional<JsonNode> ask(Path gitDir) {
        return parse(DaemonClient.exchange(gitDir, DaemonSocket.STATUS_OP));
    }

    private static Optional<JsonNode> parse(DaemonClient.Reply r) {
        try {
            return r.answered() ? Optional.of(Json.MAPPER.readTree(r.text())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Waits (until {@code deadline}) until no process holds the daemon's lock: a daemon that was
     * told to stop (or of another build, which stops when asked) lets go of it a moment later.
     * True when it is free.
     */
    private static boolean awaitLockFree(Path gitDir, Instant deadline) throws InterruptedException {
        while (DaemonSocket.lockHeld(gitDir) && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
        return !DaemonSocket.lockHeld(gitDir);
    }

    private static Path logOf(Path gitDir) {
        return DaemonSocket.home(gitDir).resolve("daemon.log");
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start this repository's daemon in the background (nothing to do when it runs already).")
    static final class Start extends BaseCommand {
        @picocli.CommandLine.Mixin
        IdleTimeout idleTimeout;

        Start(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() throws Exception {
            Duration idle = idleTimeout.duration();
            LokiDir loki = ctx.lokiDir();
            Path gitDir = DaemonServer.gitDirOf(loki);
            DaemonClient.Reply reply = DaemonClient.exchange(gitDir, DaemonSocket.STATUS_OP);
            Optional<JsonNode> running = parse(reply);
            if (running.isPresent()) {
                ctx.out().println("The loki daemon already serves " + loki.workTree() + " (pid "
                        + running.get().path("pid").asLong() + "); 'loki daemon stop' ends it.");
                return ExitCode.OK;
            }
            if (!awaitLockFree(gitDir, Instant.now().plus(STOP_WAIT))) {
                throw LokiException.failed("A loki daemon holds this repository" + DaemonServer.pidOf(gitDir)
                        .map(p -> " (pid " + p + ")").orElse("") + " but does not answer; 'loki daemon stop' ends it.");
            }
            if (reply.otherBuild()) {
                ctx.out().println("The loki daemon of an earlier build of loki has stopped; starting the current one.");
            }
            Path log = logOf(gitDir);
            List<String> args = List.of("-C", loki.workTree().toString(), "daemon", "run", "--idle-timeout",
                    idle.toSeconds() + "s");
            Process child = dev.loki.process.Processes.startDetached(
                    dev.loki.process.JavaChild.command(List.of(), "dev.loki.cli.Main", args), loki.workTree(),
                    ctx.env(), log);
            Instant deadline = Instant.now().plus(START_WAIT);
            Optional<JsonNode> up = Optional.empty();
            while (Instant.now().isBefore(deadline) && child.isAlive()
                    && (up = ask(gitDir)).isEmpty()) {
                Thread.sleep(50);
            }
            if (up.isEmpty()) {
                String last = dev.loki.process.Processes.lastLine(log, 300);
                if (child.isAlive()) {
                    dev.loki.process.Processes.killTree(child.toHandle());
                }
                throw LokiException.failed("The daemon did not start: " + dev.loki.Quote.line(last) + " (all of it: "
                        + log + ")");
            }
            ctx.out().println("Started the loki daemon (pid " + up.get().path("pid").asLong() + ") for "
                    + loki.workTree() + ": 'loki checkpoint create' here now goes through it. It ends after "
                    + (idle.isZero() ? "'loki daemon stop'" : DaemonServer.human(idle) + " without a command, or"
                            + " 'loki daemon stop'") + ". Log: " + log);
            return ExitCode.OK;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop this repository's daemon.")
    static final class Stop extends BaseCommand {
        Stop(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() throws Exception {
            Path gitDir = DaemonServer.gitDirOf(ctx.lokiDir());
            Optional<Long> pid = DaemonServer.pidOf(gitDir);
            boolean held = DaemonSocket.lockHeld(gitDir);
            if (!held) {
                DaemonSocket.removeIfUnserved(gitDir);
                ctx.out().println("No loki daemon serves this repository.");
                return ExitCode.OK;
            }
            boolean asked = DaemonClient.request(gitDir, DaemonSocket.STOP).isPresent();
            Instant deadline = Instant.now().plus(STOP_WAIT);
            boolean free = awaitLockFree(gitDir, deadline);
            // the lock goes first, the process a moment later (its JVM shuts down): 'Stopped' means
            // it is gone from ps, as a script that removes the repository next expects
            Optional<ProcessHandle> proc = pid.filter(p -> p != ProcessHandle.current().pid())
                    .flatMap(ProcessHandle::of);
            if (free && proc.isPresent()) {
                try {
                    proc.get().onExit().get(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()),
                            TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    // still there: ended below
                }
            }
            if (DaemonSocket.lockHeld(gitDir) || proc.filter(ProcessHandle::isAlive).isPresent()) {
                // it does not answer, or not in time: end the process that holds the lock
                Optional<ProcessHandle> h = proc.filter(ProcessHandle::isAlive);
                if (h.isEmpty()) {
                    throw LokiException.failed("The loki daemon does not stop, and its pid is unknown; see "
                            + DaemonSocket.lock(gitDir) + ".");
                }
                dev.loki.process.Processes.killTree(h.get());
                DaemonSocket.removeIfUnserved(gitDir);
                ctx.out().println("Ended the loki daemon (pid " + h.get().pid() + ")" + (asked ? ", which did not"
                        + " stop when asked." : ", which did not answer."));
                return ExitCode.OK;
            }
            ctx.out().println("Stopped the loki daemon" + pid.map(p -> " (pid " + p + ")").orElse("") + ".");
            return ExitCode.OK;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Whether this repository's daemon runs, since when, and how many commands it ran.")
    static final class Status extends BaseCommand {
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        Status(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            Path gitDir = DaemonServer.gitDirOf(ctx.lokiDir());
            DaemonClient.Reply reply = DaemonClient.exchange(gitDir, DaemonSocket.STATUS_OP);
            Optional<JsonNode> s = parse(reply);
            boolean held = s.isEmpty() && !reply.otherBuild() && DaemonSocket.lockHeld(gitDir);
            if (json) {
                var o = s.isPresent() ? (com.fasterxml.jackson.databind.node.ObjectNode) s.get() : Json.object();
                if (s.isEmpty()) {
                    o.put("running", held);
                    o.put("answers", false);
                    o.put("other_build_stopping", reply.otherBuild());
                    DaemonServer.pidOf(gitDir).filter(p -> held).ifPresent(p -> o.put("pid", p));
                } else {
                    o.put("answers", true);
                }
                ctx.out().println(Json.pretty(o));
            } else if (s.isPresent()) {
                JsonNode n = s.get();
                long idle = n.path("idle_timeout_seconds").asLong();
                ctx.out().println("The loki daemon serves " + n.path("work_tree").asText() + ": pid "
                        + n.path("pid").asLong() + ", since " + n.path("started_at").asText() + ", "
                        + n.path("commands_served").asInt() + " command(s) run, last at "
                        + n.path("last_request_at").asText() + ", "
                        + (idle == 0 ? "no idle limit" : "ends after " + DaemonServer.human(Duration.ofSeconds(idle))
                                + " idle") + ".");
            } else if (reply.otherBuild()) {
                ctx.out().println("No loki daemon of this build serves this repository: the one that ran was of an"
                        + " earlier build of loki, and stops now; 'loki daemon start' starts the current one.");
            } else if (held) {
                ctx.out().println("A loki daemon holds this repository" + DaemonServer.pidOf(gitDir)
                        .map(p -> " (pid " + p + ")").orElse("") + " but does not answer; 'loki daemon stop' ends it.");
            } else {
                ctx.out().println("No loki daemon serves this repository; 'loki daemon start' starts one.");
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run the daemon in the foreground (what 'start' runs in the background; for a service"
                    + " manager or a terminal of its own). Ends on Ctrl-C or SIGTERM too.")
    static final class Run extends BaseCommand {
        @picocli.CommandLine.Mixin
        IdleTimeout idleTimeout;

        Run(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() throws Exception {
            Duration idle = idleTimeout.duration();
            DaemonServer d = DaemonServer.open(ctx.lokiDir(), ctx.env(), idle, ctx.out());
            CountDownLatch done = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                d.stop("terminated by a signal");
                try {
                    done.await(5, TimeUnit.SECONDS); // the socket and lock go before the JVM does
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "loki-daemon-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            String why = "failed";
            try {
                why = d.serve();
            } finally {
                d.close();
                ctx.out().println("loki daemon: stopped (" + why + ").");
                ctx.out().flush();
                done.countDown();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down already
            }
            return ExitCode.OK;
        }
    }
}
