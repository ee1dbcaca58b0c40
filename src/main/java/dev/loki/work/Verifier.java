package dev.loki.work;

import dev.loki.LokiException;
import dev.loki.Quote;
import dev.loki.council.CompletionCouncil;
import dev.loki.council.CouncilContext;
import dev.loki.council.CouncilDecision;
import dev.loki.gate.GateContext;
import dev.loki.gate.GateReport;
import dev.loki.gate.GateResult;
import dev.loki.gate.QualityGates;
import dev.loki.git.GitCli;
import dev.loki.git.RepoInfo;
import dev.loki.proof.ProofResult;
import dev.loki.proof.ProofService;
import dev.loki.provider.Provider;
import dev.loki.provider.Providers;
import dev.loki.run.Interrupts;
import dev.loki.run.ProviderChoice;
import dev.loki.run.ProviderReviewer;
import dev.loki.run.RunLog;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import dev.loki.store.RunRecord;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.nio.file.Path;

/**
 * {@code loki verify [BASE]}: the quality gates, code review and completion council on the diff
 * from BASE (default: the merge base with the default branch) of whatever is checked out, and a
 * proof of it. Verdicts: {@code verified}; {@code blocked} (a gate failed or the code review
 * blocked); {@code concerns} (the gates passed, the council did not approve).
 */
public final class Verifier {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    /** The outcome. */
    public record Result(String verdict, String base, List<GateResult> gates, boolean reviewBlocked,
            Optional<CouncilDecision> council, String reason, ProofResult proof, Subject subject) {
        public int exitCode() {
            return "verified".equals(verdict) ? 0 : 1;
        }
    }

    /**
     * What the gates were run on: HEAD, and how many paths of the work tree differed from it
     * (modified, staged, deleted or untracked, as {@code git status} lists them) when they started.
     */
    public record Subject(String head, int uncommitted) {
        /** "HEAD abc1234", or "HEAD abc1234 plus 2 uncommitted changes". */
        public String describe() {
            String h = "HEAD " + head.substring(0, Math.min(7, head.length()));
            return uncommitted == 0 ? h : h + " plus " + uncommitted + " uncommitted change"
                    + (uncommitted == 1 ? "" : "s");
        }
    }

    private Verifier() {
    }

    public static Result verify(Path cwd, LokiDir ld, Map<String, String> env, Optional<String> base, boolean council,
            PrintStream err) throws IOException, InterruptedException {
        RepoInfo repo = RepoInfo.detect(cwd, env).orElseThrow(() -> LokiException.badInput(
                "Not inside a git repository: run loki verify in the checkout to verify"));
        if (repo.head().isEmpty()) {
            throw LokiException.badInput("The repository has no commit: there is no diff to verify");
        }
        String baseSha = resolveBase(repo, env, base);
        ld.ensureExists();
        RunLog log = new RunLog(err, ld.resolve("logs/verify.log"), false);
        try (log; Interrupts interrupts = new Interrupts(ld, log)) {
            QualityGates gates = QualityGates.fromEnv(env);
            CompletionCouncil cc = CompletionCouncil.fromEnv(env);
            boolean needsProvider = gates.settings().codeReview() || (council && cc.settings().enabled());
            Provider provider = Providers.byName(ProviderChoice.resolve(Optional.empty(), env, ld).name(), env);
            if (needsProvider) {
                Providers.requireInstalled(provider, env);
            }
            dev.loki.gate.Reviewer reviewer = new HeadCheckoutReviewer(new ProviderReviewer(ld, provider, env,
                    interrupts), repo, env, repo.head().get());
            String runId = "verify-" + STAMP.format(Instant.now()) + "-"
                    + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
            String started = Instant.now().toString();
            // the gates test the work tree, so a dirty tree is what is verified, not HEAD alone
            Subject subject = new Subject(repo.head().get(), uncommitted(repo, env));
            log.info("Verifying " + subject.describe() + " against " + baseSha.substring(0, 12));
            GateReport report = gates.run(new GateContext(ld, repo.workTree(), 1, baseSha, reviewer, env));
            Optional<CouncilDecision> decision = Optional.empty();
            if (council && cc.settings().enabled()) {
                String spec = "Verify the change from " + baseSha + " to " + repo.head().get()
                        + (subject.uncommitted() == 0 ? "" : " plus the " + subject.uncommitted()
                                + " uncommitted change(s) in the work tree")
                        + ": is it complete, correct and tested?";
                decision = Optional.of(cc.evaluate(new CouncilContext(ld, repo.workTree(), 1, 1, spec,
                        Optional.of(report), reviewer.asCouncil(), env)));
            }
            List<String> failed = new ArrayList<>();
            report.results().stream().filter(g -> !g.passedOrSkipped()).forEach(g -> failed.add(g.name()));
            String verdict;
            String reason;
            if (!failed.isEmpty() || report.codeReviewBlocked()) {
                verdict = "blocked";
                reason = (failed.isEmpty() ? "" : "failed gate(s): " + String.join(", ", failed))
                        + (report.codeReviewBlocked() ? (failed.isEmpty() ? "" : "; ") + "code review blocking" : "");
            } else if (decision.isPresent() && decision.get().verdict() != CouncilDecision.Verdict.APPROVE) {
                verdict = "concerns";
                reason = "the council did not approve: " + decision.get().reason();
            } else {
                verdict = "verified";
                reason = passedReason(report.results(), decision.isPresent());
            }
            reason = reason + " (on " + subject.describe() + ")";
            RunRecord rec = new RunRecord(runId, started, Instant.now().toString(), verdict, provider.name(), "",
                    baseSha, "", 1, 1, List.of(), reason);
            JsonFiles.write(RunRecord.archivedFile(ld, runId), rec);
            ProofResult proof = ProofService.generateNow(ld, env, runId, false);
            return new Result(verdict, baseSha, report.results(), report.codeReviewBlocked(), decision, reason, proof,
                    subject);
        }
    }

    /** Why nothing blocked, saying which gates did not run: a skipped gate never counts as passed. */
    static String passedReason(List<GateResult> gates, boolean councilApproved) {
        List<String> skipped = gates.stream().filter(g -> GateResult.SKIPPED.equals(g.status()))
                .map(GateResult::name).toList();
        String council = councilApproved ? " and the council approved" : "";
        if (skipped.size() == gates.size()) {
            return "no gate ran" + (skipped.isEmpty() ? "" : " (skipped: " + String.join(", ", skipped) + ")")
                    + (councilApproved ? "; the council approved" : " and the council was off");
        }
        return (skipped.isEmpty() ? "every gate passed" : "every gate that ran passed (skipped: "
                + String.join(", ", skipped) + ")") + council;
    }

    /** How many paths {@code git status} lists as differing from HEAD (untracked files one by one). */
    private static int uncommitted(RepoInfo repo, Map<String, String> env) {
        GitCli.Result r = repo.git(env).exec("--no-optional-locks", "status", "--porcelain", "--untracked-files=all");
        if (!r.ok()) {
            throw LokiException.failed("Could not read the work tree's status (git status: "
                    + Worktrees.firstLine(r.stderr()) + "); nothing was verified.");
        }
        return (int) r.out().lines().filter(l -> !l.isBlank()).count();
    }

    /**
     * Each reviewer and council member of {@code loki verify} works in a throwaway checkout of the
     * commit being verified, deleted after its answer (as the loop's reviewers do): an agent that
     * writes files while it reviews never changes the user's tree nor what the next one sees.
     */
    private static final class HeadCheckoutReviewer implements dev.loki.gate.Reviewer {
        private final ProviderReviewer base;
        private final RepoInfo repo;
        private final Map<String, String> env;
        private final String commit;
        private final boolean council;

        HeadCheckoutReviewer(ProviderReviewer base, RepoInfo repo, Map<String, String> env, String commit) {
            this(base, repo, env, commit, false);
        }

        private HeadCheckoutReviewer(ProviderReviewer base, RepoInfo repo, Map<String, String> env, String commit,
                boolean council) {
            this.base = base;
            this.repo = repo;
            this.env = env;
            this.commit = commit;
            this.council = council;
        }

        @Override
        public dev.loki.gate.Reviewer asCouncil() {
            return new HeadCheckoutReviewer(base, repo, env, commit, true);
        }

        @Override
        public String ask(String prompt, java.time.Duration timeout) throws IOException, InterruptedException {
            Path where = java.nio.file.Files.createTempDirectory("loki-verify-review-");
            Path index = java.nio.file.Files.createTempFile("loki-verify-", ".index");
            try {
                java.nio.file.Files.delete(index); // git creates it
                GitCli git = repo.git(env).withEnv(Map.of("GIT_INDEX_FILE", index.toString()));
                for (List<String> step : List.of(List.of("--work-tree", where.toString(), "read-tree", commit),
                        List.of("--work-tree", where.toString(), "-c", "core.autocrlf=false", "checkout-index", "-a",
                                "-f"))) {
                    GitCli.Result r = git.exec(step, null, java.time.Duration.ofMinutes(2));
                    if (!r.ok()) {
                        throw new IOException("could not check out " + commit + " for the review: "
                                + Worktrees.firstLine(r.stderr()));
                    }
                }
                ProviderReviewer in = base.in(where);
                return (council ? in.asCouncil() : in).ask(prompt, timeout);
            } finally {
                java.nio.file.Files.deleteIfExists(index);
                java.nio.file.Files.deleteIfExists(Path.of(index + ".lock"));
                dev.loki.store.FileTrees.delete(where);
            }
        }
    }

    /** BASE as a commit, or the merge base of HEAD with the default branch; a bad BASE is exit 2. */
    static String resolveBase(RepoInfo repo, Map<String, String> env, Optional<String> base) {
        GitCli git = repo.git(env);
        if (base.isPresent()) {
            GitCli.Result r = git.exec("rev-parse", "-q", "--verify", base.get() + "^{commit}");
            if (!r.ok()) {
                throw LokiException.badInput("BASE '" + Quote.excerpt(base.get(), 80)
                        + "' is not a commit, branch or tag here (in CI, fetch it first: git fetch origin main)");
            }
            return r.out().strip();
        }
        List<String> candidates = new ArrayList<>();
        GitCli.Result head = git.exec("symbolic-ref", "-q", "refs/remotes/origin/HEAD");
        if (head.ok()) {
            candidates.add(head.out().strip());
        }
        candidates.addAll(List.of("refs/remotes/origin/main", "refs/remotes/origin/master", "refs/heads/main",
                "refs/heads/master"));
        for (String c : candidates) {
            if (git.exec("rev-parse", "-q", "--verify", c).ok()) {
                GitCli.Result mb = git.exec("merge-base", "HEAD", c);
                if (mb.ok()) {
                    return mb.out().strip();
                }
            }
        }
        throw LokiException.badInput("No default branch found to verify against: pass BASE (loki verify origin/main)");
    }
}
