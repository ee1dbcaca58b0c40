package dev.loki.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.checkpoint.Checkpoint;
import dev.loki.checkpoint.CheckpointRequest;
import dev.loki.checkpoint.CheckpointService;
import dev.loki.council.CompletionCouncil;
import dev.loki.council.CouncilContext;
import dev.loki.council.CouncilDecision;
import dev.loki.gate.GateContext;
import dev.loki.gate.GateReport;
import dev.loki.gate.GateResult;
import dev.loki.gate.QualityGates;
import dev.loki.provider.EnvReader;
import dev.loki.provider.Provider;
import dev.loki.provider.Tier;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The autonomous loop; one iteration is one provider call. Per iteration: signals, budget,
 * iteration cap, prompt, provider call, state, CONTINUITY.md, checkpoint, quality gates,
 * convergence, council, completion; on failure a backoff (or a rate-limit wait, or failover).
 */
public final class AutonomousLoop {
    private static final Pattern DONE = Pattern.compile("all tests pass|all requirements met|implementation complete"
            + "|feature complete|task complete|project complete|all tasks done|everything is working",
            Pattern.CASE_INSENSITIVE);

    private final LoopContext c;
    private final StateStore store;
    private final Metrics metrics;
    private final Budget budget;
    private final ProviderStep step;
    private final Intervention intervention;
    private final Optional<Failover> failover;
    private final Instant started = Instant.now();

    private Provider provider;
    private AutonomyState state;
    private int iteration;
    private int retry;
    private String gateFailures = "";
    private String lastGates = "";
    private Optional<GateReport> lastReport = Optional.empty();
    private Optional<String> directive = Optional.empty();
    private String lastTree = "";
    private double spent;
    /** Snapshot commits of the previous checkpoint and of this iteration's (reviews diff the two). */
    private String prevSnapshot = "";
    private String snapshot = "";
    /** The project config as the run started with it (its settings are fixed for this run). */
    private String configSeen;

    public AutonomousLoop(LoopContext c, AutonomyState resumed) {
        this.c = c;
        this.store = new StateStore(c.dir());
        this.metrics = new Metrics(c.dir());
        this.budget = new Budget(c.dir(), c.settings().budgetLimit());
        this.step = new ProviderStep(c.dir(), c.env(), c.settings().iterationTimeout(), c.interrupts());
        this.intervention = new Intervention(c.dir(), c.settings(), c.log(), c.interrupts()::ending,
                () -> save("paused", state.lastExitCode()));
        this.failover = c.settings().failover()
                ? Optional.of(new Failover(c.dir(), c.settings().failoverChain(), c.provider().name(), c.env()))
                : Optional.empty();
        this.provider = c.provider();
        this.state = resumed;
        this.iteration = resumed.iterationCount();
        this.retry = resumed.retryCount();
        this.spent = budget.spend();
        this.prevSnapshot = lastSnapshot(c);
        this.configSeen = ConfigFile.fingerprint(c.dir().path());
        this.gitEntry = c.dir().workTree().resolve(".git");
        this.startedInRepo = java.nio.file.Files.exists(gitEntry, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** The work tree's {@code .git} (a directory, or a file in a linked worktree), and whether it was there at start. */
    private final java.nio.file.Path gitEntry;
    private final boolean startedInRepo;

    /** The snapshot of the run's latest checkpoint (the run-start one before any iteration). */
    private static String lastSnapshot(LoopContext c) {
        java.util.List<String> ids = c.recorder().record().checkpointIds();
        if (c.checkpoints().isEmpty() || ids.isEmpty()) {
            return c.recorder().record().baseSnapshot();
        }
        return c.checkpoints().get().find(ids.get(ids.size() - 1)).flatMap(Checkpoint::snapshotCommit)
                .orElse(c.recorder().record().baseSnapshot());
    }

    public LoopResult run() throws IOException, InterruptedException {
        // the loop lives for the whole run: a file watcher lets each checkpoint re-hash only what changed
        Optional<dev.loki.git.WorkTreeWatcher> watcher = c.checkpoints().flatMap(CheckpointService::watchWorkTree);
        try {
            return runIterations();
        } finally {
            watcher.ifPresent(dev.loki.git.WorkTreeWatcher::close);
        }
    }

    private LoopResult runIterations() throws IOException, InterruptedException {
        RunSettings s = c.settings();
        if (iteration >= s.maxIterations()) {
            return end("max_iterations_reached", "max iterations (" + s.maxIterations() + ") already reached");
        }
        while (retry < s.maxRetries()) {
            Intervention.Result iv = intervention.check();
            if (iv.directive().isPresent()) {
                directive = iv.directive();
            }
            if (iv.stop()) {
                if (new dev.loki.store.Signals(c.dir()).isSet(dev.loki.store.Signals.BUDGET_EXCEEDED)
                        && !c.interrupts().hardStop()) {
                    c.interrupts().killChildren("stopped at the budget limit");
                    return end("budget_exceeded", "stopped after the budget limit was reached (LOKI_BUDGET_LIMIT)");
                }
                return stopped(c.interrupts().stopReason().isEmpty() ? "stop requested" : c.interrupts().stopReason());
            }
            Budget.Level level = budget.check();
            if (level == Budget.Level.EXCEEDED) {
                c.log().warn(String.format("Budget limit $%.2f reached (spent $%.4f): pausing. Stop with 'loki stop',"
                        + " then start again with a higher LOKI_BUDGET_LIMIT to continue.",
                        budget.limit().orElse(0.0), budget.spend()));
                save("budget_exceeded", state.lastExitCode());
                continue;
            }
            if (level == Budget.Level.WARNING) {
                c.log().warn(String.format("Budget: $%.4f of $%.2f spent (80%% or more)", budget.spend(),
                        budget.limit().orElse(0.0)));
            }
            if (iteration >= s.maxIterations()) {
                return end("max_iterations_reached", "reached the iteration cap (" + s.maxIterations()
                        + ") without a verified completion");
            }
            iteration++;
            Optional<LoopResult> done = iterate();
            if (done.isPresent()) {
                return done.get();
            }
        }
        return end("failed", retry + " consecutive failed iterations (LOKI_MAX_RETRIES=" + s.maxRetries() + ")");
    }

    /** One iteration; a result when the run ends here. */
    private Optional<LoopResult> iterate() throws IOException, InterruptedException {
        RunSettings s = c.settings();
        Tier tier = Tier.forIteration(new EnvReader(c.env()), iteration);
        String prompt = new PromptBuilder(c.dir(), c.env()).build(new PromptBuilder.Inputs(c.specPath(), c.specText(),
                iteration, s.maxIterations(), retry, directive, gateFailures, s.completionPromise(), s.perpetual(),
                provider.degraded()));
        directive = Optional.empty();
        save("running", 0);
        metrics.orchestrator(iteration, retry);
        metrics.currentTask(iteration, provider.name(), true);
        String headBefore = c.gates().isPresent() ? GitState.head(c.dir().workTree(), c.env()) : "";
        status();
        c.log().info("Iteration " + iteration + "/" + s.maxIterations() + ": " + provider.name()
                + (provider.model(tier).isEmpty() ? "" : " (" + provider.model(tier) + ")") + ", phase "
                + Metrics.phase(iteration) + (retry > 0 ? ", retry " + retry : ""));

        c.log().providerStep("provider " + provider.name() + " (iteration " + iteration + ")",
                c.dir().resolve("logs/iterations/iteration-" + iteration + ".log"));
        ProviderStep.Result r;
        try {
            r = step.call(provider, prompt, iteration, tier);
        } finally {
            c.log().stepDone();
        }
        if (!r.startError().isEmpty()) {
            // retrying cannot bring a missing CLI back: end now, in one line, instead of backing off for hours
            c.log().warn("Iteration " + iteration + " could not start the provider " + provider.name() + ": "
                    + r.startError());
            metrics.efficiency(iteration, provider.name(), r.output().usage(), "failed", 0);
            return Optional.of(end("failed", "the provider " + provider.name() + " could not be started: "
                    + oneLine(r.startError()) + "; fix it (loki doctor), then run loki start again"));
        }
        int exit = r.exitCode();
        boolean ok = exit == 0;
        spent += r.output().usage().cost();
        save("exited", exit);
        metrics.efficiency(iteration, provider.name(), r.output().usage(), ok ? "completed" : "failed",
                r.process().durationMs());
        metrics.iterationEvent(iteration, ok ? "completed" : "failed", exit, provider.name(), r.process().durationMs());
        c.log().info("Iteration " + iteration + " " + (ok ? "succeeded" : "failed" + exitNote(r))
                + (r.note().isEmpty() ? "" : ": " + r.note()) + " in " + r.process().durationMs() + " ms; output: "
                + c.dir().path().relativize(r.capture()));
        if (EnvReader.truthy(c.env().get("LOKI_SHOW_AGENT_OUTPUT")) && !c.log().echoing()) {
            r.output().text().lines().filter(l -> !l.isBlank()).limit(40).forEach(l -> c.log().info("  | " + l));
        }
        configChanged();
        if (startedInRepo && !java.nio.file.Files.exists(gitEntry, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            // nothing more can be checkpointed, gated on a diff or committed: going on would only spend
            return Optional.of(end("failed", "the work tree's .git was removed during iteration " + iteration
                    + " (" + gitEntry + "): the run cannot checkpoint, gate or commit any more, so it ends here"));
        }
        new Continuity(c.dir(), c.env()).write(new Continuity.Snapshot(iteration, s.maxIterations(),
                Metrics.phase(iteration), provider.name(), Duration.between(started, Instant.now()), lastGates));
        if (c.interrupts().hardStop() || c.interrupts().terminated()) {
            // stop now: not even a checkpoint starts after Ctrl+C twice or SIGTERM
            return Optional.of(stopped(c.interrupts().hardStop() ? "" : c.interrupts().stopReason()
                    + " during iteration " + iteration));
        }
        boolean codeChanged = checkpoint(ok ? "complete" : "failed");
        if (c.interrupts().ending()) {
            return Optional.of(stopped(c.interrupts().stopReason() + " during iteration " + iteration));
        }

        try (ReviewCheckout review = ReviewCheckout.of(c, snapshot)) {
            Optional<dev.loki.gate.IterationDiff> change = snapshot.isEmpty() ? Optional.empty()
                    : review.change(prevSnapshot);
            boolean reviewBlocked = runGates(headBefore, review, change, ok ? ""
                    : "not run: iteration " + iteration + " failed (reviewers never review a failed iteration)");
            if (c.interrupts().ending()) {
                return Optional.of(stopped(c.interrupts().stopReason() + " during the quality gates"));
            }
            if (c.council().isPresent()) {
                boolean doneSignal = DONE.matcher(tail(r.output().text(), 200)).find();
                c.council().get().recordIteration(c.dir(), iteration, codeChanged, doneSignal);
            }
            if (ok) {
                return afterSuccess(r, reviewBlocked, review);
            }
        } finally {
            if (!snapshot.isEmpty()) {
                prevSnapshot = snapshot;
            }
            countReviewCalls();
        }
        afterFailure(r);
        return Optional.empty();
    }

    /** The run ends on a stop: after Ctrl+C twice it is "interrupted", else "stopped". */
    private LoopResult stopped(String why) throws IOException {
        dev.loki.store.Signals sig = new dev.loki.store.Signals(c.dir());
        sig.clear(dev.loki.store.Signals.STOP);
        sig.clear(dev.loki.store.Signals.PAUSE);
        sig.clear(dev.loki.store.Signals.PAUSED_NOTE);
        if (c.interrupts().hardStop()) {
            return end("interrupted", "interrupted (Ctrl+C twice)");
        }
        return end("stopped", why.isBlank() ? "stop requested" : why.strip());
    }

    private Optional<LoopResult> afterSuccess(ProviderStep.Result r, boolean reviewBlocked, dev.loki.gate.Reviewer
            reviewer) throws IOException {
        RunSettings s = c.settings();
        if (failover.isPresent()) {
            Optional<Provider> back = failover.get().backToPrimary(provider);
            if (back.isPresent()) {
                c.log().info("Switching back to the primary provider " + back.get().name());
                provider = back.get();
            }
        }
        if (s.perpetual()) {
            retry = 0;
            return Optional.empty();
        }
        Optional<CompletionClaim> claim = CompletionClaim.consume(c.dir(), s.completionPromise(),
                s.legacyCompletionMatch(), r.capture());
        Optional<String> factFailed = failedFactGate();
        if (claim.isPresent() && reviewBlocked) {
            c.log().warn("Completion claim rejected: this iteration's code review found blocking issues");
            claim = Optional.empty();
        } else if (claim.isPresent() && factFailed.isPresent()) {
            // with no council to veto it (quick, --no-council), a claim over failing tests ended the run "verified"
            c.log().warn("Completion claim rejected: " + factFailed.get());
            claim = Optional.empty();
        } else if (claim.isPresent()) {
            c.log().info("The agent claims completion: " + oneLine(claim.get().statement()));
        }
        if (c.council().isPresent()) {
            CompletionCouncil council = c.council().get();
            if (council.shouldConvene(c.dir(), iteration, claim.isPresent())) {
                c.log().step("Completion council convenes (iteration " + iteration + "): members voting via "
                        + provider.name());
                CouncilDecision d;
                try {
                    d = council.evaluate(new CouncilContext(c.dir(), c.dir().workTree(), iteration,
                            s.maxIterations(), c.specText(), lastReport, reviewer.asCouncil(), c.env()));
                } finally {
                    c.log().stepDone();
                }
                if (c.interrupts().ending()) {
                    return Optional.of(stopped(c.interrupts().stopReason() + " during the council"));
                }
                long approvals = d.votes().stream().filter(v -> v.approves()).count();
                c.log().info("Council: " + d.verdict() + " (" + approvals + " of " + d.votes().size()
                        + " approve)" + (d.reason().isEmpty() ? "" : ": " + oneLine(d.reason())));
                switch (d.verdict()) {
                    case APPROVE -> {
                        return Optional.of(end("council_approved", "the completion council approved: "
                                + oneLine(d.reason())));
                    }
                    case FORCE_STOP -> {
                        return Optional.of(end("council_force_stop", "council safety valve: "
                                + oneLine(d.reason())));
                    }
                    default -> {
                        if (claim.isPresent()) {
                            c.log().warn("Completion claim not accepted: the council voted to continue");
                            claim = Optional.empty();
                        }
                    }
                }
            }
        }
        if (claim.isPresent()) {
            return Optional.of(end("completion_promise_fulfilled", "completion claimed and accepted: "
                    + oneLine(claim.get().statement())));
        }
        retry = 0;
        return Optional.empty();
    }

    /**
     * Why this iteration's facts contradict a completion claim: its tests or its static analysis
     * failed (a test suite that timed out or was killed fails too). Empty when they passed, were
     * skipped, or the gates did not run.
     */
    private Optional<String> failedFactGate() {
        return lastReport.filter(g -> g.iteration() == iteration).flatMap(g -> g.results().stream()
                .filter(x -> GateResult.FAIL.equals(x.status()))
                .filter(x -> x.name().equals("test_coverage") || x.name().equals("static_analysis"))
                .findFirst())
                .map(x -> "this iteration's " + x.name() + " gate failed ("
                        + oneLine(x.summary().lines().findFirst().orElse("")) + ")");
    }

    private void afterFailure(ProviderStep.Result r) throws IOException, InterruptedException {
        RunSettings s = c.settings();
        String text = dev.loki.provider.CaptureText.tail(r.capture(), 64 * 1024);
        Duration wait;
        String message;
        if (!r.process().timedOut() && RateLimit.detect(text)) {
            RateLimit.Wait w = RateLimit.waitFor(text, provider.name(), provider.rpm(), ZonedDateTime.now());
            ObjectNode ev = Json.object();
            ev.put("provider", provider.name());
            ev.put("wait_seconds", w.duration().toSeconds());
            ev.put("source", w.source());
            c.dir().events().append("rate_limited", ev);
            if (failover.isPresent()) {
                Optional<Provider> next = failover.get().next(provider, Instant.now().plus(w.duration()));
                if (next.isPresent()) {
                    c.log().warn("Rate limited on " + provider.name() + ": failing over to " + next.get().name());
                    provider = next.get();
                    retry++;
                    return;
                }
            }
            wait = w.duration().compareTo(s.rateLimitMaxWait()) > 0 ? s.rateLimitMaxWait() : w.duration();
            message = "Rate limited: waiting " + w.duration().toSeconds() + "s (" + w.source() + ")"
                    + (wait.equals(w.duration()) ? "" : ", capped at " + wait.toMillis() + " ms");
        } else {
            wait = new Backoff(s.baseWait(), s.maxWait()).forRetry(retry);
            message = "Backing off " + wait.toMillis() + " ms";
        }
        retry++;
        if (iteration >= s.maxIterations() || retry >= s.maxRetries()) {
            // the run ends at the top of the loop (cap or retry limit): waiting would only delay that
            return;
        }
        c.log().step(message + " after consecutive failure " + retry + " of " + s.maxRetries()
                + " (LOKI_MAX_RETRIES)");
        try {
            sleepUnlessSignalled(wait);
        } finally {
            c.log().stepDone();
        }
    }

    /**
     * The reviewers and council members are provider calls too, up to 7 an iteration: what they
     * cost goes into the iteration's record, so the budget and the spend shown count them.
     */
    private void countReviewCalls() {
        if (!(c.reviewer() instanceof ProviderReviewer pr)) {
            return;
        }
        ProviderReviewer.CallSpend s = pr.drainSpend();
        if (s.calls() == 0) {
            return;
        }
        try {
            metrics.addReviewCalls(iteration, s);
            spent += s.usd();
        } catch (IOException e) {
            c.log().warn("could not record the review calls' cost of iteration " + iteration + ": " + e.getMessage());
        }
    }

    /**
     * The agent rewrote .loki/config.yaml (ignored by git, so nobody sees it in a diff): this run
     * keeps its settings, but the next start would read the agent's, which can switch the council
     * off or make LOKI_TEST_CMD always pass. Said now, and noted for the next start to say again.
     */
    private void configChanged() {
        String now = ConfigFile.fingerprint(c.dir().path());
        if (now.equals(configSeen)) {
            return;
        }
        configSeen = now;
        c.log().warn("The agent " + (now.isEmpty() ? "removed" : "changed") + " .loki/config.yaml in iteration "
                + iteration + ": this run keeps the settings it started with, but the next 'loki start' would read"
                + " the agent's. Review the file before starting again.");
        try {
            if (now.isEmpty()) {
                java.nio.file.Files.deleteIfExists(c.dir().resolve(ConfigFile.AGENT_WROTE));
            } else {
                ObjectNode n = Json.object();
                n.put("fingerprint", now);
                n.put("run_id", c.recorder().record().runId());
                n.put("iteration", iteration);
                dev.loki.store.JsonFiles.write(c.dir().resolve(ConfigFile.AGENT_WROTE), n);
            }
        } catch (IOException e) {
            c.log().warn("could not note the agent's config change: " + e.getMessage());
        }
    }

    /** "(exit N)" only when the process really exited N; a note (timeout, no output) explains the rest. */
    private static String exitNote(ProviderStep.Result r) {
        int processExit = r.process().exitCode();
        return processExit != 0 && processExit == r.exitCode() && !r.process().timedOut() && !r.process().outputCut()
                ? " (exit " + dev.loki.process.Processes.exitCode(processExit) + ")" : "";
    }

    /** Waits, cut short by STOP, PAUSE or Ctrl+C (the next iteration's check then acts on it). */
    private void sleepUnlessSignalled(Duration wait) throws InterruptedException {
        dev.loki.store.Signals sig = new dev.loki.store.Signals(c.dir());
        long until = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < until) {
            if (c.interrupts().ending() || sig.isSet(dev.loki.store.Signals.STOP)
                    || sig.isSet(dev.loki.store.Signals.PAUSE)) {
                return;
            }
            Thread.sleep(Math.max(1, Math.min(200, (until - System.nanoTime()) / 1_000_000)));
        }
    }

    /** Takes the iteration's checkpoint; true when the code differs from the previous one. */
    private boolean checkpoint(String how) throws IOException {
        Optional<CheckpointService> cps = c.checkpoints();
        if (cps.isEmpty()) {
            return c.council().isPresent() && GitState.changedSince(c.dir().workTree(), c.env(), this);
        }
        c.log().quietStep("checkpoint of iteration " + iteration);
        Checkpoint cp;
        try {
            cp = cps.get().create(CheckpointRequest.iteration(iteration, "iteration-" + iteration,
                    "iteration-" + iteration + " " + how, provider.name()));
        } finally {
            c.log().stepDone();
        }
        c.recorder().checkpoint(cp.id(), iteration);
        snapshot = cp.snapshotCommit().orElse("");
        c.log().info("Checkpoint " + cp.id() + " (" + cp.snapshot().status() + "); to return to this point: loki"
                + " rollback to " + cp.id());
        String tree = cp.metadata().path("snapshot").path("tree").asText("");
        boolean changed = tree.isEmpty() || !tree.equals(lastTree);
        lastTree = tree;
        return changed;
    }

    /**
     * Runs the gates; true when code review blocked. Their failures feed the next prompt. The
     * reviewers work in {@code reviewer}'s throwaway checkout and see {@code change} when known.
     */
    private boolean runGates(String baseSha, dev.loki.gate.Reviewer reviewer,
            Optional<dev.loki.gate.IterationDiff> change, String noReview) throws IOException {
        if (c.gates().isEmpty()) {
            lastGates = "off";
            return false;
        }
        QualityGates gates = c.gates().get().progress((gate, what) -> c.log().step("Gate " + gate + ": " + what));
        GateReport report;
        try {
            report = gates.run(new GateContext(c.dir(), c.dir().workTree(), iteration, baseSha, reviewer,
                    c.env(), change, noReview));
        } finally {
            c.log().stepDone();
        }
        lastReport = Optional.of(report);
        gateFailures = report.failuresText();
        StringBuilder failed = new StringBuilder();
        for (GateResult g : report.results()) {
            if (!g.passedOrSkipped()) {
                failed.append(failed.length() == 0 ? "" : ", ").append(g.name());
                java.util.List<String> lines = g.summary().lines().filter(l -> !l.isBlank()).limit(2).toList();
                // the gate's first line says what failed; a heading ("... findings:") takes its first item
                String first = lines.isEmpty() ? "" : lines.get(0).endsWith(":") && lines.size() > 1
                        ? lines.get(0) + " " + lines.get(1).strip() : lines.get(0);
                if (!first.isEmpty()) {
                    failed.append(" (").append(oneLine(first)).append(")");
                }
            }
        }
        java.util.List<String> ran = report.results().stream().filter(g -> GateResult.PASS.equals(g.status()))
                .map(GateResult::name).toList();
        // "pass" only names gates that passed: a skipped gate (no test runner, nothing changed) checked nothing
        StringBuilder skipped = new StringBuilder();
        for (GateResult g : report.results()) {
            if (GateResult.SKIPPED.equals(g.status())) {
                String why = g.summary().lines().findFirst().orElse("").strip();
                skipped.append(skipped.length() == 0 ? "" : ", ").append(g.name())
                        .append(why.isEmpty() ? "" : " (" + oneLine(why) + ")");
            }
        }
        lastGates = report.results().isEmpty() ? "none" : !report.passed() ? "fail: " + failed
                : ran.isEmpty() ? "none ran" : "pass";
        String detail = !report.passed() ? "" : (ran.isEmpty() ? "" : ": " + String.join(", ", ran))
                + (skipped.length() == 0 ? "" : (ran.isEmpty() ? ": skipped " : "; skipped ") + skipped);
        c.log().info("Quality gates: " + lastGates + detail + (report.codeReviewBlocked() ? " (code review blocking)" : ""));
        if (report.pauseRequested()) {
            c.log().warn("Gate escalation: " + failed + " failed too many times in a row; pausing for a person");
        }
        status();
        return report.codeReviewBlocked();
    }

    String lastTree() {
        return lastTree;
    }

    void lastTree(String t) {
        lastTree = t;
    }

    private void status() {
        c.log().status(new RunLog.Status(iteration, c.settings().maxIterations(), provider.name(),
                Metrics.phase(iteration), lastGates.isEmpty() ? "-" : lastGates, spent));
    }

    private void save(String status, int exitCode) throws IOException {
        state = state.with(retry, iteration, status, exitCode).stamped(Instant.now().toString(), c.specPath(),
                ProcessHandle.current().pid(), c.settings().maxRetries(), c.settings().baseWait().toSeconds(),
                c.recorder().record().runId());
        store.save(state);
    }

    private LoopResult end(String status, String reason) throws IOException {
        // no child of the run may outlive it: kill what is left before the outcome is recorded
        c.interrupts().killChildren("the run ended: " + status);
        save(status, state.lastExitCode());
        metrics.currentTask(iteration, provider.name(), false);
        return LoopResult.of(status, reason, iteration);
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\n");
        int from = Math.max(0, all.length - lines);
        return String.join("\n", java.util.Arrays.asList(all).subList(from, all.length));
    }

    /** Agent-written text (a claim, a vote's reason) as one printable line: it ends up on the console and in status. */
    private static String oneLine(String s) {
        String t = dev.loki.Quote.line(s.replaceAll("\\s+", " ").strip());
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }

    /** Everything a loop runs with, fixed at start. */
    public record LoopContext(LokiDir dir, Map<String, String> env, RunSettings settings, String specPath,
            String specText, Provider provider, RunLog log, Interrupts interrupts, RunRecorder recorder,
            Optional<CheckpointService> checkpoints, Optional<QualityGates> gates,
            Optional<CompletionCouncil> council, dev.loki.gate.Reviewer reviewer) {
    }
}
