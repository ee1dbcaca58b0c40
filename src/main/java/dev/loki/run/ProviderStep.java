package dev.loki.run;

import dev.loki.provider.Invocation;
import dev.loki.provider.ProcessOutcome;
import dev.loki.provider.ProcessRunner;
import dev.loki.provider.Provider;
import dev.loki.provider.ProviderCall;
import dev.loki.provider.ProviderOutput;
import dev.loki.provider.Tier;
import dev.loki.store.AtomicFiles;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * One provider call of the loop: prompt written to {@code logs/iterations/iteration-N.prompt.md},
 * output captured to {@code logs/iterations/iteration-N.log}, a timeout that kills the process
 * tree, a STOP file or a double Ctrl+C that cancels it. Exit 0 with no output is a failure
 * (an agent that did nothing did not succeed).
 */
public final class ProviderStep {
    /**
     * The call's outcome as the loop needs it. {@code startError}: the provider's command could not
     * be started at all (removed or replaced after the run began); nothing ran.
     */
    public record Result(ProcessOutcome process, ProviderOutput output, int exitCode, Path capture, String note,
            String startError) {
        public Result(ProcessOutcome process, ProviderOutput output, int exitCode, Path capture, String note) {
            this(process, output, exitCode, capture, note, "");
        }
    }

    private final LokiDir dir;
    private final Map<String, String> env;
    private final Duration timeout;
    private final Interrupts interrupts;

    public ProviderStep(LokiDir dir, Map<String, String> env, Duration timeout, Interrupts interrupts) {
        this.dir = dir;
        this.env = env;
        this.timeout = timeout;
        this.interrupts = interrupts;
    }

    public Result call(Provider provider, String prompt, int iteration, Tier tier) throws IOException {
        Path logs = dir.resolve("logs/iterations");
        Files.createDirectories(logs);
        Path promptFile = logs.resolve("iteration-" + iteration + ".prompt.md");
        AtomicFiles.writeString(promptFile, prompt);
        Path capture = logs.resolve("iteration-" + iteration + ".log");
        ProviderCall call = new ProviderCall(prompt, promptFile, iteration, tier, dir.workTree(), dir.path());
        Invocation inv = provider.iteration(call);
        ProcessOutcome out;
        try {
            out = ProcessRunner.run(inv, dir.workTree(), env, capture, timeout, interrupts::ending);
        } catch (IOException e) {
            // the CLI was there when the run started (checked then); now it cannot even be started
            ProcessOutcome none = new ProcessOutcome(-1, false, false, 0, capture);
            return new Result(none, new ProviderOutput(-1, "", dev.loki.provider.Usage.none(""), 0), 127, capture,
                    "could not start: " + e.getMessage(), String.valueOf(e.getMessage()));
        }
        ProviderOutput po = provider.interpret(out, tier);
        int exit = po.exitCode();
        String note = "";
        if (out.timedOut()) {
            note = "timed out after " + timeout.toSeconds() + "s (LOKI_ITERATION_TIMEOUT); process tree killed";
        } else if (out.cancelled()) {
            note = "cancelled (" + (interrupts.hardStop() ? "Ctrl+C twice" : interrupts.stopReason()) + ")";
        } else if (out.outputCut()) {
            note = dev.loki.process.Command.outputCutNote(env);
        } else if (exit == 0 && blank(capture)) {
            exit = 1;
            note = "exited 0 with no output: counted as a failure";
        }
        if (!out.leftovers().isEmpty()) {
            note = (note.isEmpty() ? "" : note + "; ") + "killed " + out.leftovers().size()
                    + " process(es) it left running: " + String.join(", ", out.leftovers());
        }
        return new Result(out, po, exit, capture, note);
    }

    private static boolean blank(Path capture) throws IOException {
        if (!Files.exists(capture)) {
            return false; // deleted with .loki during the call (rm -rf .loki, git clean -fdx): not provably blank
        }
        long size = Files.size(capture);
        return size == 0 || (size < 4096 && Files.readString(capture).isBlank());
    }
}
