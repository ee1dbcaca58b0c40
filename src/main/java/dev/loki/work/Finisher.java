package dev.loki.work;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.ExitCode;
import dev.loki.Quote;
import dev.loki.git.GitCli;
import dev.loki.proof.ProofSigner;
import dev.loki.proof.ProofStore;
import dev.loki.proof.Verification;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import dev.loki.store.RunRecord;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The end of an isolated run: at a verified completion, the agent's changes are committed on the
 * run's branch (never .loki/, never ignored files; author from git config; message from the
 * task), and with {@code --pr} pushed to origin and opened as a pull request whose body is the
 * proof's summary. Anything short of a completed run with a verifying proof: nothing is pushed
 * and the console says why. The outcome is kept in {@code .loki/work/finish.json}.
 */
public final class Finisher {
    public static final String FINISH_JSON = "work/finish.json";

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    public Finisher(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    /** Returns the exit code {@code loki start} ends with. */
    public int finish(WorkStart.Plan plan, int runExit) throws IOException {
        if (plan.worktree().isEmpty()) {
            return runExit;
        }
        RunWorktree wt = plan.worktree().get();
        LokiDir ld = wt.lokiDir();
        Optional<RunRecord> run = RunRecord.current(ld);
        if (run.isEmpty()) {
            return runExit;
        }
        RunRecord r = run.get();
        if (Files.isRegularFile(ld.resolve(WorkStart.ISSUE_JSON))) {
            Path saved = ld.resolve("runs").resolve(r.runId()).resolve("issue.json");
            Files.createDirectories(saved.getParent());
            Files.copy(ld.resolve(WorkStart.ISSUE_JSON), saved, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        ObjectNode record = Json.object();
        record.put("run_id", r.runId());
        record.put("status", r.status());
        record.put("branch", wt.branch());
        record.put("worktree", wt.path().toString());
        int exit = refuseOrFinish(plan, wt, ld, r, record, runExit);
        record.put("exit_code", exit);
        JsonFiles.write(ld.resolve(FINISH_JSON), record);
        return exit;
    }

    private int refuseOrFinish(WorkStart.Plan plan, RunWorktree wt, LokiDir ld, RunRecord r, ObjectNode record,
            int runExit) throws IOException {
        int notDone = plan.pr() || runExit != 0 ? Math.max(runExit, ExitCode.FAILED) : runExit;
        if (!Files.exists(wt.path().resolve(".git"), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            // starting again would not resume: without its .git the directory is no worktree of the branch
            return refuse(record, "the run ended " + r.status() + " (" + r.exitReason() + "), and "
                    + Quote.path(wt.path().toString()) + " is no longer a git worktree (its .git is gone): what is"
                    + " left there is on no branch, and starting again would not resume it. Copy what you need"
                    + " from it, then: " + Quote.command("loki", "runs", "clean", wt.slug()), plan.pr(),
                    Math.max(runExit, ExitCode.FAILED));
        }
        if (!"completed".equals(r.status())) {
            return refuse(record, "the run ended " + r.status() + " (" + r.exitReason() + "); its work stays in "
                    + Quote.path(wt.path().toString()) + " on " + wt.branch() + ". Start it again to resume: "
                    + startCommand(plan, plan.pr() ? (plan.draft() ? List.of("--pr", "--draft") : List.of("--pr"))
                            : List.of("--isolation", "worktree")), plan.pr(), notDone);
        }
        Optional<JsonNode> proof = new ProofStore(ld).read(r.runId());
        if (proof.isEmpty()) {
            return refuse(record, "no proof of run " + r.runId() + " was written (is LOKI_PROOF=0 set?)", plan.pr(),
                    notDone);
        }
        Verification.Check check = Verification.check(proof.get(), ProofSigner.forEnv(env));
        // what 'loki proof verify' says: the page and the attestation must be unaltered too
        dev.loki.proof.Attestation.Verdict verdict = dev.loki.proof.Attestation.verifyWithLocalKey(
                new ProofStore(ld).dirOf(r.runId()), env).verdict();
        boolean verdictOk = verdict == dev.loki.proof.Attestation.Verdict.VERIFIED
                || verdict == dev.loki.proof.Attestation.Verdict.INTEGRITY_ONLY;
        if (!check.ok() || !verdictOk || !"completed".equals(proof.get().path("run").path("status").asText())) {
            return refuse(record, "the proof of run " + r.runId() + " does not verify"
                    + (check.hashOk() ? "" : " (altered after it was written)"), plan.pr(), notDone);
        }
        record.put("verified", true);
        record.put("proof_hash", check.computed());
        GitCli git = GitCli.in(wt.path(), env);
        // the commit goes on the run's branch, the one pushed: an agent that switched branches
        // (or detached HEAD) left its work elsewhere, and committing there would push an empty branch
        GitCli.Result on = git.exec("symbolic-ref", "-q", "HEAD");
        if (!on.ok() || !on.out().strip().equals("refs/heads/" + wt.branch())) {
            return refuse(record, "the agent left the worktree " + (on.ok() ? "on branch "
                    + Quote.line(on.out().strip().replaceFirst("^refs/heads/", "")) : "on a detached HEAD")
                    + ", not on " + wt.branch() + "; its work stays in " + Quote.path(wt.path().toString())
                    + ". Check it out on " + wt.branch() + " and start the run again", plan.pr(),
                    Math.max(runExit, ExitCode.FAILED));
        }
        foldAgentCommits(git, wt);
        Optional<String> commit = commit(git, plan, r, check.computed());
        int ahead = count(git, wt.baseSha() + "..HEAD");
        if (commit.isEmpty() && ahead == 0) {
            return refuse(record, "the agent changed no files, so there is nothing to commit", plan.pr(), notDone);
        }
        commit.ifPresent(c -> {
            record.put("commit", c);
            err.println("Committed " + c.substring(0, 12) + " on " + wt.branch() + ": " + plan.title());
        });
        if (!plan.pr()) {
            err.println("The work is on branch " + wt.branch() + " (worktree " + Quote.path(wt.path().toString())
                    + "); open a pull request with: " + startCommand(plan, List.of("--pr")));
            return runExit;
        }
        // from the repository's own work tree: a remote given as a relative path ("../origin.git")
        // means relative to it, not to the worktree deep inside .git
        GitCli.Result push = GitCli.in(mainWorkTree(wt), env).withTimeout(Duration.ofMinutes(5)).exec("push", "-u",
                "origin",
                "refs/heads/" + wt.branch() + ":refs/heads/" + wt.branch());
        if (!push.ok()) {
            return refuse(record, "git push to origin failed: " + pushFailure(push.stderr())
                    + "; the commit stays on " + wt.branch(), true, ExitCode.FAILED);
        }
        Path body = ld.resolve("work").resolve("pr-body.md");
        Files.writeString(body, PrBody.render(proof.get(), plan.issue(), wt.baseSha()), StandardCharsets.UTF_8);
        String url = new GitHub(wt.path(), env).createPr(wt.path(), plan.title(), body, wt.baseBranch(), wt.branch(),
                plan.draft());
        record.put("pr_url", url);
        out.println("Pull request" + (plan.draft() ? " (draft)" : "") + ": " + url);
        return runExit;
    }

    /**
     * The {@code loki start} command that runs this plan's task again with {@code flags}, quoted
     * so that pasting it passes the task text as one argument whatever it holds ({@code ;},
     * {@code #}, quotes, newlines); a task starting with '-' comes after {@code --}.
     */
    static String startCommand(WorkStart.Plan plan, List<String> flags) {
        List<String> words = new java.util.ArrayList<>(List.of("loki", "start"));
        String source = plan.source();
        if (WorkStart.AUTO_SPEC.equals(source)) {
            words.addAll(flags);
        } else if (source.startsWith("-")) {
            words.addAll(flags);
            words.add("--");
            words.add(source);
        } else {
            words.add(source);
            words.addAll(flags);
        }
        return Quote.command(words);
    }

    private int refuse(ObjectNode record, String why, boolean prWanted, int exit) {
        record.put("verified", record.path("verified").asBoolean(false));
        record.put("refused", why);
        err.println((prWanted ? "No pull request and nothing pushed: " : "Nothing committed: ") + why);
        return exit;
    }

    /**
     * Stages everything but .loki/ and ignored files and commits it; empty when nothing was staged.
     * The author is whoever git config names: a missing identity is one clear error.
     */
    private Optional<String> commit(GitCli git, WorkStart.Plan plan, RunRecord r, String proofHash) {
        GitCli.Result add = git.exec("add", "-A", "--", ".", ":(exclude).loki", ":(exclude).loki/**");
        if (!add.ok()) {
            throw dev.loki.LokiException.failed("git add failed in " + git.dir() + ": "
                    + Worktrees.firstLine(add.stderr()));
        }
        // an ignored file the agent forced into the index is taken out again (it stays on disk)
        GitCli.Result added = git.exec("diff", "--cached", "--name-only", "-z", "--diff-filter=A");
        List<String> paths = added.nulSeparated();
        if (!paths.isEmpty()) {
            GitCli.Result ign = git.exec(List.of("check-ignore", "--no-index", "-z", "--stdin"),
                    String.join("\0", paths).concat("\0").getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(1));
            for (String p : ign.nulSeparated()) {
                if (!p.isEmpty()) {
                    git.exec("rm", "-q", "-f", "--cached", "--", p); // -f: --cached never touches the file
                }
            }
        }
        for (String p : git.exec("diff", "--cached", "--name-only", "-z").nulSeparated()) {
            if (p.equals(".loki") || p.startsWith(".loki/")) {
                git.exec("rm", "-q", "-f", "--cached", "--", p); // -f: --cached never touches the file
            }
        }
        if (git.exec("diff", "--cached", "--quiet").ok()) {
            return Optional.empty();
        }
        String message = plan.title() + plan.issue().map(i -> " (" + i.ref() + ")").orElse("") + "\n\n"
                + plan.issue().map(i -> "Closes " + PrBody.closesRef(i) + "\n\n").orElse("")
                + "Loki run " + r.runId() + "; proof sha256 " + proofHash + "\n";
        GitCli.Result c = git.exec(List.of("commit", "-q", "-F", "-"), message.getBytes(StandardCharsets.UTF_8),
                Duration.ofMinutes(2));
        if (!c.ok()) {
            String why = Worktrees.firstLine(c.stderr() + "\n" + c.out());
            if (c.stderr().contains("tell me who you are") || c.stderr().contains("user.email")) {
                why = "git has no author identity: set git config user.name and user.email";
            }
            throw dev.loki.LokiException.failed("Could not commit the run's work on " + plan.worktree().get().branch()
                    + ": " + why + " (the changes stay in " + git.dir() + ")");
        }
        return Optional.of(git.line("rev-parse", "HEAD"));
    }

    /**
     * Commits the agent made by itself since the base (or since what origin already has of the
     * run's branch) are folded back into the index, so the run's one commit is made by the same
     * rules (never .loki/, never ignored files) whatever the agent committed: otherwise a
     * force-added .loki/ file or an ignored secret in the agent's own commit would be pushed.
     * The working tree is not touched; the agent's commits stay in the reflog.
     */
    private void foldAgentCommits(GitCli git, RunWorktree wt) {
        if (wt.baseSha().isEmpty()) {
            return;
        }
        // never past the branch's own history: a worktree resumed on an existing branch records the
        // user's HEAD of that day as its base, which the branch need not contain
        GitCli.Result forked = git.exec("merge-base", wt.baseSha(), "HEAD");
        if (!forked.ok()) {
            return;
        }
        String fold = forked.out().strip();
        GitCli.Result pushed = git.exec("rev-parse", "-q", "--verify", "refs/remotes/origin/" + wt.branch());
        if (pushed.ok() && git.exec("merge-base", "--is-ancestor", pushed.out().strip(), "HEAD").ok()) {
            fold = pushed.out().strip();
        }
        if (count(git, fold + "..HEAD") == 0) {
            return;
        }
        GitCli.Result reset = git.exec("reset", "-q", "--soft", fold);
        if (!reset.ok()) {
            throw dev.loki.LokiException.failed("Could not take the agent's own commits on " + wt.branch()
                    + " into the run's commit: " + Worktrees.firstLine(reset.stderr()) + "; nothing pushed");
        }
    }

    /** The work tree of the repository the run's worktree belongs to (else the worktree itself). */
    private Path mainWorkTree(RunWorktree wt) {
        return dev.loki.git.RepoInfo.detect(wt.path(), env).map(dev.loki.git.RepoInfo::commonDir)
                .filter(c -> c.getFileName() != null && c.getFileName().toString().equals(".git"))
                .map(Path::getParent).filter(p -> Files.isDirectory(p.resolve(".git"))).orElse(wt.path());
    }

    /**
     * Why a push failed, in one line: git's first line is often only "To URL", the reason (a
     * rejected non-fast-forward, a hook's refusal) comes after it.
     */
    static String pushFailure(String stderr) {
        List<String> lines = stderr.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        for (String marker : List.of("[rejected]", "[remote rejected]", "remote:", "error:", "fatal:")) {
            for (String l : lines) {
                if (l.contains(marker)) {
                    String why = l.startsWith("!") ? l.substring(1).strip() : l;
                    return Quote.line(why + (why.contains("(fetch first)") || why.contains("(non-fast-forward)")
                            ? " (origin has commits on this branch that the run's branch does not)" : ""));
                }
            }
        }
        return Quote.line(lines.isEmpty() ? "(no message)" : lines.get(0));
    }

    private static int count(GitCli git, String range) {
        GitCli.Result r = git.exec("rev-list", "--count", range);
        return r.ok() ? Integer.parseInt(r.out().strip()) : 0;
    }
}
