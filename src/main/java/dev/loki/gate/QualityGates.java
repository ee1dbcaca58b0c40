package dev.loki.gate;

import dev.loki.store.LokiDir;
import dev.loki.store.Signals;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the quality gates of one iteration, in upstream's order (static_analysis, test_coverage,
 * code_review), applies the escalation ladder, and writes the results: quality/*.json,
 * quality/gate-failures.txt for the next prompt, quality/latest.json, state/quality-gates.json
 * and one {@code gate_result} event per gate.
 */
public final class QualityGates {
    private final GateSettings settings;
    private final GateProgress progress;

    private QualityGates(GateSettings settings) {
        this(settings, GateProgress.NONE);
    }

    private QualityGates(GateSettings settings, GateProgress progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /** The same gates, telling {@code progress} when each one starts (the loop's console). */
    public QualityGates progress(GateProgress p) {
        return new QualityGates(settings, p);
    }

    public static QualityGates fromEnv(Map<String, String> env) {
        return new QualityGates(GateSettings.fromEnv(env));
    }

    public GateSettings settings() {
        return settings;
    }

    /** Never throws for gate failures; writes quality/*.json. */
    public GateReport run(GateContext ctx) {
        LokiDir dir = ctx.lokiDir().ensureExists();
        Path quality = dir.resolve("quality");
        EscalationLadder ladder = new EscalationLadder(dir, settings);
        Signals signals = new Signals(dir);
        List<GateResult> results = new ArrayList<>();
        Map<String, String> failures = new LinkedHashMap<>();
        List<String> tokens = new ArrayList<>();
        boolean blocked = false;
        boolean paused = false;

        ChangedFiles changes = ctx.change().map(IterationDiff::changedFiles)
                .orElseGet(() -> ChangedFiles.since(ctx.workTree(), ctx.env(), ctx.baseSha(), settings.codeReview()));
        if (!settings.hardGates()) {
            results.add(skipped(StaticAnalysis.NAME, "LOKI_HARD_GATES=false: advisory review only"));
            results.add(skipped(TestGate.NAME, "LOKI_HARD_GATES=false: advisory review only"));
            results.add(ctx.noReview().isEmpty() ? review(ctx, changes, quality).result()
                    : skipped(CodeReview.NAME, ctx.noReview()));
            return finish(ctx, dir, results, failures, tokens, false, false);
        }

        String stopReason = "";
        // static analysis
        if (!settings.staticAnalysis()) {
            results.add(skipped(StaticAnalysis.NAME, "disabled by PHASE_STATIC_ANALYSIS=false"));
        } else {
            if (!changes.files().isEmpty()) {
                progress.started(StaticAnalysis.NAME, "checking " + changes.files().size() + " changed file(s)");
            }
            GateResult r = safely(StaticAnalysis.NAME, () -> StaticAnalysis.run(ctx, changes, settings.gateTimeout(), quality));
            paused = climb(ladder, r, ctx.iteration(), failures, tokens);
            results.add(r);
        }
        stopReason = interruption(signals, paused);
        // tests
        if (!stopReason.isEmpty()) {
            results.add(skipped(TestGate.NAME, stopReason));
        } else if (!settings.unitTests()) {
            results.add(skipped(TestGate.NAME, "disabled by LOKI_PHASE_UNIT_TESTS=false"));
        } else {
            GateResult r = safely(TestGate.NAME, () -> TestGate.run(ctx, settings, quality, dir.resolve("logs"),
                    progress));
            paused = climb(ladder, r, ctx.iteration(), failures, tokens);
            results.add(r);
        }
        stopReason = interruption(signals, paused);
        // code review
        if (!stopReason.isEmpty()) {
            results.add(skipped(CodeReview.NAME, stopReason));
        } else if (!settings.codeReview()) {
            results.add(skipped(CodeReview.NAME, "disabled by LOKI_PHASE_CODE_REVIEW=false"));
        } else if (ctx.iteration() <= 0) {
            results.add(skipped(CodeReview.NAME, "no review before the first iteration"));
        } else if (!ctx.noReview().isEmpty()) {
            results.add(skipped(CodeReview.NAME, ctx.noReview()));
        } else {
            if (!changes.diff().isBlank()) {
                // announced only when the reviewers are really asked (an empty diff skips them)
                progress.started(CodeReview.NAME, "3 blind reviewers on " + changes.files().size() + " changed file(s)");
            }
            CodeReview.Outcome o = review(ctx, changes, quality);
            GateResult r = o.result();
            if (o.blocking()) {
                int n = ladder.recordFailure(CodeReview.NAME);
                EscalationLadder.Rung rung = ladder.rung(n);
                if (rung == EscalationLadder.Rung.CLEAR) {
                    // reviewer deadlock breaker: the findings still reach the next prompt, the block is lifted
                    r = new GateResult(r.name(), GateResult.PASS, "cleared by the escalation ladder after " + n
                            + " consecutive blocking reviews; findings: " + r.summary(), r.durationMs());
                    failures.put(CodeReview.NAME + " (advisory)", o.result().summary());
                } else {
                    blocked = true;
                    failures.put(CodeReview.NAME, r.summary());
                    tokens.add(CodeReview.NAME);
                    if (rung == EscalationLadder.Rung.ESCALATE) {
                        tokens.add(CodeReview.NAME + "_ESCALATED");
                    } else if (rung == EscalationLadder.Rung.PAUSE) {
                        tokens.add(CodeReview.NAME + "_PAUSED");
                    }
                    paused = ladder.act(CodeReview.NAME, n, rung, ctx.iteration(), r.summary()) || paused;
                }
            } else if (GateResult.PASS.equals(r.status())) {
                ladder.recordPass(CodeReview.NAME);
            }
            results.add(r);
        }
        return finish(ctx, dir, results, failures, tokens, blocked, paused);
    }

    private CodeReview.Outcome review(GateContext ctx, ChangedFiles changes, Path quality) {
        try {
            return CodeReview.run(ctx, changes, settings.reviewTimeout(), quality);
        } catch (RuntimeException e) {
            return new CodeReview.Outcome(crashed(CodeReview.NAME, e), false, List.of(), "");
        }
    }

    /** A bug or an odd file system inside one gate makes that gate an error, never a crashed loop. */
    private static GateResult safely(String name, java.util.function.Supplier<GateResult> gate) {
        try {
            return gate.get();
        } catch (RuntimeException e) {
            return crashed(name, e);
        }
    }

    private static GateResult crashed(String name, RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(QualityGates.class).warn("gate {} failed unexpectedly", name, e);
        return new GateResult(name, GateResult.ERROR, "internal error in the gate: " + e, 0);
    }

    /** Counts a fact-based gate (static analysis, tests): fails stay fails; the ladder can escalate or pause. */
    private static boolean climb(EscalationLadder ladder, GateResult r, int iteration, Map<String, String> failures,
            List<String> tokens) {
        if (GateResult.PASS.equals(r.status())) {
            ladder.recordPass(r.name());
            return false;
        }
        if (!GateResult.FAIL.equals(r.status())) {
            return false;
        }
        failures.put(r.name(), r.summary());
        tokens.add(r.name());
        int n = ladder.recordFailure(r.name());
        return ladder.act(r.name(), n, ladder.rung(n), iteration, r.summary());
    }

    /** Upstream stops between gates on PAUSE or STOP; so does a pause the ladder itself raised. */
    private static String interruption(Signals signals, boolean paused) {
        if (paused) {
            return "not run: the escalation ladder paused the run";
        }
        if (signals.isSet(Signals.STOP)) {
            return "not run: STOP requested";
        }
        if (signals.isSet(Signals.PAUSE)) {
            return "not run: PAUSE requested";
        }
        return "";
    }

    private static GateResult skipped(String name, String why) {
        return new GateResult(name, GateResult.SKIPPED, why, 0);
    }

    private static GateReport finish(GateContext ctx, LokiDir dir, List<GateResult> results,
            Map<String, String> failures, List<String> tokens, boolean blocked, boolean paused) {
        Path quality = dir.resolve("quality");
        String text = failuresText(tokens, failures);
        if (tokens.isEmpty() && failures.isEmpty()) {
            QualityFiles.delete(quality.resolve("gate-failures.txt"));
        } else {
            QualityFiles.writeText(quality.resolve("gate-failures.txt"), text);
        }
        GateReport report = new GateReport(ctx.iteration(), results, blocked, paused, text);
        ReportFiles.write(dir, report);
        return report;
    }

    /**
     * First line: upstream's list of failed gate names with a trailing comma (prompt builders
     * that read the old file keep working); then what failed, so the agent can fix it.
     */
    static String failuresText(List<String> tokens, Map<String, String> failures) {
        if (tokens.isEmpty() && failures.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        tokens.forEach(t -> sb.append(t).append(','));
        sb.append("\n");
        failures.forEach((gate, summary) -> sb.append("\n## ").append(gate).append("\n").append(summary).append("\n"));
        return sb.toString();
    }
}
