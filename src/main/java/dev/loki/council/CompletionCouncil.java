package dev.loki.council;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.council.CouncilDecision.Verdict;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import dev.loki.store.Signals;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether the work is done (upstream section 6): tracks convergence every iteration,
 * convenes on an interval, a stagnation or done-signal streak, or a completion claim, asks the
 * members (2 of 3 approve), puts a unanimous approval to the devil's advocate, and stops a run
 * that is stuck (the safety valves) with FORCE_STOP, which is never reported as success.
 */
public final class CompletionCouncil {
    private static final Logger LOG = LoggerFactory.getLogger(CompletionCouncil.class);
    public static final String REVIEW_REQUESTED = "signals/COUNCIL_REVIEW_REQUESTED";

    private final CouncilSettings settings;

    private CompletionCouncil(CouncilSettings settings) {
        this.settings = settings;
    }

    public static CompletionCouncil fromEnv(Map<String, String> env) {
        return new CompletionCouncil(CouncilSettings.fromEnv(env));
    }

    public CouncilSettings settings() {
        return settings;
    }

    /** Convergence tracking; the loop calls this after every iteration before shouldConvene. */
    public void recordIteration(LokiDir dir, int iteration, boolean codeChanged, boolean doneSignal) {
        try {
            new CouncilState(dir.ensureExists()).recordIteration(settings.enabled(), iteration, codeChanged, doneSignal);
        } catch (IOException e) {
            LOG.warn("could not record iteration {} in council/state.json: {}", iteration, e.getMessage());
        }
    }

    /**
     * True when the council is due: a safety valve tripped (even with the council disabled, so a
     * stuck run still stops), a completion claim or a dashboard review request (at any
     * iteration: a claim is exactly what the council checks), or, from the minimum iteration on,
     * the check interval, a stagnation streak, or two done signals in a row.
     */
    public boolean shouldConvene(LokiDir dir, int iteration, boolean completionClaimed) {
        ObjectNode s = new CouncilState(dir).read(settings.enabled());
        if (safetyValve(s).isPresent()) {
            return true;
        }
        if (!settings.enabled()) {
            return false;
        }
        if (completionClaimed || new Signals(dir).isSet(REVIEW_REQUESTED)) {
            return true;
        }
        if (iteration < settings.minIterations()) {
            return false;
        }
        return iteration % settings.checkInterval() == 0
                || s.path("consecutive_no_change").asInt() >= settings.stagnationLimit()
                || s.path("consecutive_done_signals").asInt() >= 2;
    }

    /** Runs a council session; never throws for reviewer failures (they count as REJECT). */
    public CouncilDecision evaluate(CouncilContext ctx) {
        try {
            return session(ctx);
        } catch (RuntimeException e) {
            // a bug here must not end the run as approved or crash it: keep working
            LOG.warn("the council session failed unexpectedly", e);
            return new CouncilDecision(Verdict.CONTINUE, List.of(), "council session failed: " + e);
        }
    }

    private CouncilDecision session(CouncilContext ctx) {
        LokiDir dir = ctx.lokiDir().ensureExists();
        CouncilState stateFile = new CouncilState(dir);
        CouncilRecords records = new CouncilRecords(dir);
        ObjectNode state = stateFile.read(settings.enabled());
        Optional<String> valve = safetyValve(state);
        clearReviewRequest(dir);

        if (!settings.enabled()) {
            CouncilDecision d = valve.map(v -> new CouncilDecision(Verdict.FORCE_STOP, List.of(), v))
                    .orElse(new CouncilDecision(Verdict.CONTINUE, List.of(), "council disabled (LOKI_COUNCIL_ENABLED=false)"));
            return concludeWithoutVotes(ctx, stateFile, records, d);
        }
        List<String> critical = Checklist.criticalFailures(dir);
        if (!critical.isEmpty() || Checklist.hasResults(dir)) {
            records.gateBlock(ctx.iteration(), critical);
        }
        if (!critical.isEmpty()) {
            return concludeWithoutVotes(ctx, stateFile, records, orValve(valve,
                    "critical checklist items failing and not waived: " + String.join(", ", critical)));
        }
        if (ctx.lastGates().map(g -> g.codeReviewBlocked()).orElse(false)) {
            return concludeWithoutVotes(ctx, stateFile, records, orValve(valve,
                    "code review blocked completion in iteration " + ctx.lastGates().get().iteration()));
        }

        String evidence = Evidence.build(ctx, settings, state);
        records.evidence(ctx.iteration(), evidence);
        List<String> names = new ArrayList<>();
        List<String> prompts = new ArrayList<>();
        for (int k = 0; k < settings.size(); k++) {
            names.add(CouncilMembers.memberName(k));
            prompts.add(CouncilMembers.prompt(CouncilMembers.role(k), evidence));
        }
        List<Ballot> ballots = new ArrayList<>();
        List<Ballot> answers = CouncilMembers.askAll(ctx.reviewer(), names, prompts, settings.memberTimeout());
        for (int k = 0; k < answers.size(); k++) {
            records.memberAnswer(ctx.iteration(), k + 1, prompts.get(k), answers.get(k));
            ballots.add(answers.get(k).withSeverityThreshold(settings.severityThreshold()));
        }
        int approvals = (int) ballots.stream().filter(b -> b.vote().equals(Vote.APPROVE)).count();

        boolean triggered = approvals == settings.size() && settings.size() >= 2;
        DevilsAdvocate.Review devil = new DevilsAdvocate.Review(List.of(), Optional.empty());
        boolean flipped = false;
        int effective = approvals;
        if (triggered) {
            List<String> vetoes = DevilsAdvocate.vetoes(ctx.lastGates());
            Optional<Ballot> contrarian = Optional.empty();
            if (vetoes.isEmpty()) {
                String p = CouncilMembers.contrarianPrompt(evidence, ballots);
                Ballot c = CouncilMembers.askAll(ctx.reviewer(), List.of("devils-advocate"), List.of(p),
                        settings.memberTimeout()).get(0);
                records.contrarianAnswer(ctx.iteration(), c);
                contrarian = Optional.of(c);
            }
            devil = new DevilsAdvocate.Review(vetoes, contrarian);
            if (!vetoes.isEmpty()) {
                effective = 0;
            } else if (devil.contrarianRejected()) {
                effective = approvals - 1;
            }
            flipped = effective < settings.threshold();
        }

        CouncilDecision decision;
        List<Vote> votes = ballots.stream().map(Ballot::toVote).toList();
        String tally = approvals + " of " + settings.size() + " approved (needed " + settings.threshold() + ")";
        if (effective >= settings.threshold()) {
            decision = new CouncilDecision(Verdict.APPROVE, votes, tally + (triggered
                    ? "; the devil's advocate " + (devil.contrarianRejected() ? "objected but the majority holds"
                            : "found nothing") : ""));
        } else if (flipped) {
            String why = devil.vetoes().isEmpty() ? "the devil's advocate rejected: "
                    + devil.contrarian().map(Ballot::reason).orElse("") : String.join("; ", devil.vetoes());
            decision = orValveVotes(valve, votes, tally + ", but the devil's advocate overturned it: " + why);
        } else {
            decision = orValveVotes(valve, votes, tally);
        }
        String ts = Instant.now().toString();
        int round = state.path("rounds").asInt(0) + 1;
        records.write(new CouncilRecords.Session(ctx.iteration(), round, ts, ctx.specText(), ballots, devil,
                triggered, flipped, approvals, effective, settings.threshold(), settings.size(), decision));
        final int approved = approvals;
        persist(ctx, stateFile, decision, s -> {
            s.put("rounds", s.path("rounds").asInt(0) + 1);
            s.put("total_votes", s.path("total_votes").asInt(0) + ballots.size());
            s.put("approve_votes", s.path("approve_votes").asInt(0) + approved);
            s.put("reject_votes", s.path("reject_votes").asInt(0) + ballots.size() - approved);
        }, approved, ballots.size() - approved);
        return decision;
    }

    /** Upstream's valves: twice the stagnation limit without a code change, or too many done signals. */
    private Optional<String> safetyValve(ObjectNode s) {
        int noChange = s.path("consecutive_no_change").asInt();
        if (noChange >= 2 * settings.stagnationLimit()) {
            return Optional.of("safety valve: no code change for " + noChange + " iterations in a row");
        }
        int done = s.path("done_signals").asInt();
        if (done >= settings.doneSignalLimit()) {
            return Optional.of("safety valve: the agent signalled completion " + done
                    + " times without the council approving");
        }
        return Optional.empty();
    }

    private static CouncilDecision orValve(Optional<String> valve, String reason) {
        return orValveVotes(valve, List.of(), reason);
    }

    private static CouncilDecision orValveVotes(Optional<String> valve, List<Vote> votes, String reason) {
        return valve.map(v -> new CouncilDecision(Verdict.FORCE_STOP, votes, v + " (" + reason + ")"))
                .orElse(new CouncilDecision(Verdict.CONTINUE, votes, reason));
    }

    private CouncilDecision concludeWithoutVotes(CouncilContext ctx, CouncilState stateFile, CouncilRecords records,
            CouncilDecision d) {
        records.reportWithoutVotes(ctx.iteration(), d);
        persist(ctx, stateFile, d, s -> { }, 0, 0);
        return d;
    }

    private void persist(CouncilContext ctx, CouncilState stateFile, CouncilDecision d,
            java.util.function.Consumer<ObjectNode> counts, int approve, int reject) {
        String ts = Instant.now().toString();
        String result = switch (d.verdict()) {
            case APPROVE -> "APPROVED";
            case CONTINUE -> "REJECTED";
            case FORCE_STOP -> "FORCE_STOPPED";
        };
        try {
            stateFile.update(settings.enabled(), s -> {
                counts.accept(s);
                s.put("last_check_iteration", ctx.iteration());
                ((ArrayNode) s.get("verdicts")).addObject().put("iteration", ctx.iteration()).put("timestamp", ts)
                        .put("approve", approve).put("reject", reject).put("result", result)
                        .put("reason", d.reason());
            });
        } catch (IOException e) {
            LOG.warn("could not update council/state.json: {}", e.getMessage());
        }
        if (d.verdict() == Verdict.APPROVE) {
            try {
                new Signals(ctx.lokiDir()).raise(Signals.COMPLETED, "Council approved at iteration " + ctx.iteration()
                        + " on " + ts + "\n");
            } catch (IOException e) {
                LOG.warn("could not write .loki/COMPLETED: {}", e.getMessage());
            }
        }
        ObjectNode ev = Json.object();
        ev.put("iteration", ctx.iteration());
        ev.put("verdict", d.verdict().name());
        ev.put("approve", approve);
        ev.put("reject", reject);
        ev.put("reason", d.reason());
        ctx.lokiDir().events().append("council_decision", ev);
    }

    private static void clearReviewRequest(LokiDir dir) {
        try {
            new Signals(dir).clear(REVIEW_REQUESTED);
        } catch (IOException e) {
            LOG.warn("could not clear {}: {}", REVIEW_REQUESTED, e.getMessage());
        }
    }
}
