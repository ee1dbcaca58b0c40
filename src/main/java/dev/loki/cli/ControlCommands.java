package dev.loki.cli;

import dev.loki.ExitCode;
import dev.loki.LokiException;
import dev.loki.store.LokiDir;
import dev.loki.store.SessionLock;
import dev.loki.store.Signals;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loki stop}, {@code loki pause}, {@code loki resume}: signal files a running loop reads. */
final class ControlCommands {
    private ControlCommands() {
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = {"Stop the running loop: the provider call in flight is ended (its process tree",
                "killed) and checkpointed; state is saved so 'loki start' resumes."})
    static final class Stop extends BaseCommand {
        @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "30",
                description = "How long to wait for the run to end before terminating it (default 30).")
        long waitSeconds;

        Stop(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() throws Exception {
            LokiDir dir = ctx.lokiDir();
            Optional<Long> pid = dir.exists() ? SessionLock.holder(dir) : Optional.empty();
            if (pid.isEmpty()) {
                java.util.List<String> reaped = dir.exists()
                        ? dev.loki.process.ProcessScope.reap(dev.loki.run.Interrupts.ledger(dir)) : java.util.List.of();
                ctx.out().println("No loki run is active in " + dir.workTree() + "." + (reaped.isEmpty() ? ""
                        : " Killed " + reaped.size() + " process(es) a killed run had left: "
                        + String.join(", ", reaped)));
                return ExitCode.OK;
            }
            new Signals(dir).requestStop();
            Optional<ProcessHandle> h = pid.get() > 0 ? ProcessHandle.of(pid.get()) : Optional.empty();
            if (h.isEmpty()) {
                ctx.out().println("STOP signal sent; the run stops after its current step.");
                return ExitCode.OK;
            }
            try {
                h.get().onExit().get(waitSeconds, TimeUnit.SECONDS);
                ctx.out().println("Stopped loki run (PID: " + pid.get() + ")");
            } catch (java.util.concurrent.TimeoutException e) {
                h.get().destroy();
                ctx.out().println("The run (PID: " + pid.get() + ") did not stop within " + waitSeconds
                        + "s: sent it SIGTERM.");
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = "Pause the running loop before its next iteration ('loki resume' continues).")
    static final class Pause extends BaseCommand {
        Pause(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() throws Exception {
            LokiDir dir = ctx.lokiDir();
            if (!dir.exists() || SessionLock.holder(dir).isEmpty()) {
                throw LokiException.failed("No loki run is active in " + dir.workTree() + "; nothing to pause.");
            }
            new Signals(dir).requestPause();
            ctx.out().println("PAUSE signal sent: the run pauses before its next iteration. Resume with 'loki resume'.");
            return ExitCode.OK;
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Resume a paused loop (clears PAUSE and STOP).")
    static final class Resume extends BaseCommand {
        Resume(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() throws Exception {
            LokiDir dir = ctx.lokiDir();
            if (!dir.exists()) {
                throw LokiException.failed("No .loki directory at " + dir.path() + ": nothing to resume.");
            }
            Signals s = new Signals(dir);
            boolean paused = s.isSet(Signals.PAUSE) || s.isSet(Signals.PAUSE_AT_CHECKPOINT);
            boolean stopped = s.isSet(Signals.STOP);
            s.requestResume();
            s.clear(Signals.PAUSE_AT_CHECKPOINT);
            boolean live = SessionLock.holder(dir).isPresent();
            String cleared = paused ? "PAUSE signal cleared" : stopped ? "STOP signal cleared" : "No PAUSE signal was set";
            ctx.out().println(cleared + (live ? "; the run continues." : ". No run is active: 'loki start' resumes"
                    + " from the saved state."));
            return ExitCode.OK;
        }
    }
}
