package dev.loki.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.ExitCode;
import dev.loki.LokiException;
import dev.loki.dashboard.DashboardConfig;
import dev.loki.dashboard.DashboardInstance;
import dev.loki.dashboard.DashboardLauncher;
import dev.loki.dashboard.LoginRedirect;
import dev.loki.dashboard.auth.LoginTickets;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loki dashboard}: run the local web dashboard and manage its API tokens. */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
        description = {"Run the local web dashboard (default http://127.0.0.1:57374). Authentication is always on:",
            "'start' and 'open' print a one-time login link; scripts use 'loki dashboard token create'."},
        subcommands = {
            DashboardCommand.Start.class,
            DashboardCommand.Stop.class,
            DashboardCommand.Status.class,
            DashboardCommand.Url.class,
            DashboardCommand.Open.class,
            DashboardCommand.Serve.class,
            DashboardTokenCommand.class,
        })
public final class DashboardCommand extends BaseCommand {
    DashboardCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() {
        return usage();
    }

    /** {@code --host} and {@code --port}. */
    static final class Address {
        @Option(names = "--port", paramLabel = "PORT", description = "Port (default: $LOKI_DASHBOARD_PORT or 57374).")
        Integer port;

        @Option(names = "--host", paramLabel = "HOST",
                description = "Address to bind (default: $LOKI_DASHBOARD_HOST or 127.0.0.1).")
        String host;

        DashboardConfig config(CliContext ctx) {
            return DashboardLauncher.config(ctx.lokiDir(), ctx.env(), Optional.ofNullable(host),
                    Optional.ofNullable(port));
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start the dashboard in the background and print a one-time login link.")
    static final class Start extends BaseCommand {
        @picocli.CommandLine.Mixin
        Address address = new Address();

        @Option(names = "--foreground", description = "Run in this terminal until Ctrl-C.")
        boolean foreground;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        Start(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            DashboardConfig cfg = address.config(ctx);
            if (!DashboardLauncher.isLoopback(cfg.host())) {
                ctx.err().println("Warning: binding " + cfg.host() + " exposes the dashboard beyond this machine over"
                        + " plain HTTP; tokens still guard it. Browsers must use a name listed in"
                        + " LOKI_DASHBOARD_ALLOWED_HOSTS.");
            }
            if (foreground) {
                DashboardLauncher.serve(cfg, ctx.out(), true);
                return ExitCode.OK;
            }
            DashboardLauncher.Started s = DashboardLauncher.startBackground(cfg);
            if (json) {
                ObjectNode o = describe(s.instance());
                o.put("login_url", s.loginUrl());
                o.put("already_running", s.alreadyRunning());
                ctx.out().println(Json.pretty(o));
            } else {
                ctx.out().println((s.alreadyRunning() ? "Dashboard already running at " : "Dashboard started at ")
                        + s.instance().baseUrl() + " (pid " + s.instance().pid() + ")");
                ctx.out().println("Log in (one-time link, valid 15 minutes): " + s.loginUrl());
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "serve", hidden = true, mixinStandardHelpOptions = true, description = "Run the server in this process (used by 'start').")
    static final class Serve extends BaseCommand {
        @picocli.CommandLine.Mixin
        Address address = new Address();

        @Option(names = "--watch-pid", paramLabel = "PID", description = "Stop when this process (the run) ends.")
        Long watchPid;

        Serve(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            DashboardLauncher.serve(address.config(ctx), ctx.out(), false, Optional.ofNullable(watchPid));
            return ExitCode.OK;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop this project's dashboard (only its own process, verified through /health).")
    static final class Stop extends BaseCommand {
        Stop(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            LokiDir loki = ctx.lokiDir();
            switch (DashboardLauncher.stop(loki)) {
                case STOPPED -> ctx.out().println("Dashboard stopped.");
                case NOT_RUNNING -> ctx.out().println("Dashboard is not running.");
                case STALE_REMOVED -> ctx.out().println("Dashboard was not running (removed a stale pid file).");
                default -> throw LokiException.failed("The recorded dashboard process is alive but does not answer as"
                        + " this project's dashboard; it was left alone (pid file removed)");
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show whether the dashboard runs.")
    static final class Status extends BaseCommand {
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        Status(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            Optional<DashboardInstance> i = DashboardLauncher.running(ctx.lokiDir());
            if (json) {
                ObjectNode o = i.map(DashboardCommand::describe).orElseGet(Json::object);
                o.put("running", i.isPresent());
                ctx.out().println(Json.pretty(o));
            } else if (i.isPresent()) {
                ctx.out().println("Dashboard running at " + i.get().baseUrl() + " (pid " + i.get().pid() + ", since "
                        + i.get().startedAt() + ")");
            } else {
                ctx.out().println("Dashboard is not running. Start it with 'loki dashboard start'.");
            }
            return i.isPresent() ? ExitCode.OK : ExitCode.FAILED;
        }
    }

    @Command(name = "url", mixinStandardHelpOptions = true,
            description = "Print a fresh one-time login URL of the running dashboard (exit 1 when not running).")
    static final class Url extends BaseCommand {
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        Url(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            DashboardInstance i = requireRunning(ctx);
            String login = DashboardLauncher.loginUrl(ctx.lokiDir(), i);
            if (json) {
                ObjectNode o = describe(i);
                o.put("running", true);
                o.put("login_url", login);
                ctx.out().println(Json.pretty(o));
            } else {
                ctx.out().println(login);
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "open", mixinStandardHelpOptions = true,
            description = "Open the dashboard in a browser with a fresh one-time login link (valid 2 minutes)."
                + " The link reaches the browser through a private file (0600, in a 0700 directory), never a"
                + " command line or a log; without xdg-open it is printed.")
    static final class Open extends BaseCommand {
        Open(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() throws Exception {
            DashboardInstance i = requireRunning(ctx);
            Optional<Path> opener = onPath(ctx, "xdg-open");
            String login = DashboardLauncher.loginUrl(ctx.lokiDir(), i, LoginTickets.SHORT_TTL);
            if (opener.isEmpty()) {
                ctx.out().println("Open this one-time login link in your browser (valid 2 minutes): " + login);
                return ExitCode.OK;
            }
            Path page = LoginRedirect.write(ctx.env(), login);
            Path log = ctx.lokiDir().resolve("dashboard/logs/open.log");
            Files.createDirectories(log.getParent());
            // only the private file's path goes on xdg-open's command line (visible in ps), never the link
            dev.loki.process.Outcome p = dev.loki.process.Processes.run(dev.loki.process.Command
                    .of(List.of(opener.get().toString(), page.toUri().toString()), ctx.cwd(), ctx.env())
                    .toFile(log).withTimeout(java.time.Duration.ofSeconds(10)).leavingBackground());
            if (!p.ok()) {
                LoginRedirect.delete(page);
                ctx.out().println("Could not open a browser; open this one-time login link (valid 2 minutes): "
                        + login);
                return ExitCode.OK;
            }
            ctx.err().println("Opened the dashboard in your browser.");
            return ExitCode.OK;
        }
    }

    static DashboardInstance requireRunning(CliContext ctx) {
        return DashboardLauncher.running(ctx.lokiDir()).orElseThrow(() -> LokiException.failed(
                "The dashboard is not running. Start it with 'loki dashboard start'."));
    }

    static Optional<Path> onPath(CliContext ctx, String name) {
        for (String dir : ctx.env("PATH").orElse("").split(File.pathSeparator)) {
            if (!dir.isBlank()) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    static ObjectNode describe(DashboardInstance i) {
        ObjectNode o = Json.object();
        o.put("url", i.baseUrl());
        o.put("host", i.host());
        o.put("port", i.port());
        o.put("pid", i.pid());
        o.put("started_at", i.startedAt());
        return o;
    }
}
