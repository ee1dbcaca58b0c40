package dev.loki.work;

import dev.loki.LokiException;
import dev.loki.Quote;
import dev.loki.git.GitCli;
import dev.loki.git.PrivateDir;
import dev.loki.git.RepoInfo;
import dev.loki.store.LokiDir;
import dev.loki.store.SessionLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The isolated runs of one repository: each a {@code git worktree} on its own branch
 * {@code loki/<slug>}, kept under the repository's private loki directory
 * ({@code <git-common-dir>/loki/worktrees/<slug>}, or {@code $LOKI_WORKTREE_ROOT}), so the
 * user's own work tree is never written. Created, found again after a crash, listed, cleaned.
 */
public final class Worktrees {
    private final RepoInfo repo;
    private final Map<String, String> env;

    private Worktrees(RepoInfo repo, Map<String, String> env) {
        this.repo = repo;
        this.env = env;
    }

    /** For the repository containing {@code dir}; exit 1 outside git. */
    public static Worktrees of(Path dir, Map<String, String> env) {
        RepoInfo repo = RepoInfo.detect(dir, env).orElseThrow(() -> LokiException.failed(
                "Not inside a git repository: isolated runs need one (git init, commit, then try again),"
                        + " or use --isolation none"));
        return new Worktrees(repo, env);
    }

    public RepoInfo repo() {
        return repo;
    }

    /** Where the worktrees live. */
    public Path root() {
        String custom = env.get("LOKI_WORKTREE_ROOT");
        if (custom != null && !custom.isBlank()) {
            return Path.of(custom).toAbsolutePath().normalize();
        }
        return PrivateDir.root(new RepoInfo(repo.workTree(), repo.commonDir(), repo.commonDir(), Optional.empty(),
                Optional.empty())).resolve("worktrees");
    }

    /** Private files of the work package (backlog state, logs): under the common git dir. */
    public Path workDir() {
        return repo.commonDir().resolve("loki").resolve("work");
    }

    /**
     * The slug (worktree and branch name) a source gets here. The worktree of the same source is
     * resumed; a different source whose text reduces to the same slug never shares it: it gets the
     * slug with a short hash of its source ({@code add-x-3f9a1c}), stable from run to run.
     * {@code taken} are slugs already promised to other sources (the other entries of a backlog).
     */
    public String slugFor(String base, String source, java.util.Set<String> taken) {
        String hashed = base + "-" + shortHash(sourceKey(source));
        for (String c : List.of(base, hashed)) {
            if (!taken.contains(c) && ownedBy(c, source)) {
                return c;
            }
        }
        for (int n = 1; n < 100; n++) {
            String c = n == 1 ? base : n == 2 ? hashed : hashed + "-" + n;
            if (!taken.contains(c) && !Files.exists(root().resolve(c)) && !branchExists("loki/" + c)) {
                return c;
            }
        }
        throw LokiException.failed("Too many loki worktrees named " + base + "-*: clean some (loki runs clean)");
    }

    /**
     * True when the worktree {@code slug} exists and was started from {@code source} (or does not
     * say), or, with no worktree left, its branch {@code loki/<slug>} was made for {@code source}
     * (a worktree removed by hand leaves its branch: the same task carries on there, another never
     * stacks its commits on it).
     */
    private boolean ownedBy(String slug, String source) {
        Path path = root().resolve(slug);
        if (!Files.exists(path.resolve(".git"))) {
            return !Files.exists(path) && branchMadeFor("loki/" + slug, source);
        }
        return RunWorktree.load(path).map(w -> sameSource(w.source(), source)).orElse(true);
    }

    /** The git config key that records which source a loki branch was made for (removed with the branch). */
    private static String sourceKeyOf(String branch) {
        return "branch." + branch + ".lokisource";
    }

    /** Whether {@code branch} records that it was made for {@code source} (a branch that does not say: no). */
    private boolean branchMadeFor(String branch, String source) {
        if (!branchExists(branch)) {
            return false;
        }
        GitCli.Result r = repo.git(env).exec("config", "--get", sourceKeyOf(branch));
        return r.ok() && r.out().strip().equals(sourceHash(source));
    }

    /** What a loki branch records of the source it was made for (see {@link #sourceKeyOf}). */
    private static String sourceHash(String source) {
        return dev.loki.proof.CanonicalJson.sha256(sourceKey(source));
    }

    private boolean branchExists(String branch) {
        return repo.git(env).exec("rev-parse", "-q", "--verify", "refs/heads/" + branch).ok();
    }

    /**
     * Whether two start inputs name the same work: the same text, or the same issue however it
     * is spelled ({@code #12}, {@code owner/repo#12}, its URL). An empty record (older versions,
     * a crash before it was written) is taken as the same.
     */
    static boolean sameSource(String recorded, String source) {
        String a = recorded.strip();
        String b = source.strip();
        if (a.isEmpty() || a.equals(b)) {
            return true;
        }
        Optional<IssueRef> ia = issue(a);
        Optional<IssueRef> ib = issue(b);
        if (ia.isEmpty() || ib.isEmpty() || ia.get().number() != ib.get().number()) {
            return false;
        }
        return ia.get().repo().isEmpty() || ib.get().repo().isEmpty()
                || ia.get().repo().get().equalsIgnoreCase(ib.get().repo().get());
    }

    private static Optional<IssueRef> issue(String s) {
        if (!IssueRef.looksLikeIssue(s)) {
            return Optional.empty();
        }
        try {
            return Optional.of(IssueRef.parse(s));
        } catch (LokiException e) {
            return Optional.empty();
        }
    }

    private static String sourceKey(String source) {
        return issue(source.strip()).map(r -> "issue " + r.repo().map(x -> x.toLowerCase(java.util.Locale.ROOT))
                .orElse("") + "#" + r.number()).orElse(source.strip());
    }

    static String shortHash(String text) {
        return dev.loki.proof.CanonicalJson.sha256(text).substring(0, 6);
    }

    /**
     * The worktree for {@code slug}: the existing one (a run that crashed or stopped resumes there),
     * else a new one on branch {@code loki/<slug>} from {@code base} (default: HEAD).
     */
    public RunWorktree open(String slug, Optional<String> base, String source) throws IOException {
        Path path = root().resolve(slug);
        Optional<RunWorktree> existing = RunWorktree.load(path);
        if (existing.isPresent() && Files.exists(path.resolve(".git"))) {
            if (!sameSource(existing.get().source(), source)) {
                throw LokiException.failed("The worktree " + path + " belongs to another task ('"
                        + Quote.excerpt(existing.get().source(), 80) + "'); nothing started. See 'loki runs'.");
            }
            return existing.get();
        }
        GitCli git = repo.git(env);
        String branch = "loki/" + slug;
        if (existing.isEmpty() && Files.exists(path.resolve(".git"))) {
            // created, then interrupted before its record was written: adopt it
            GitCli.Result fork = git.exec("merge-base", "HEAD", "refs/heads/" + branch);
            RunWorktree wt = new RunWorktree(slug, path, branch, fork.ok() ? fork.out().strip() : "",
                    repo.branch().orElseGet(this::defaultBranch), source, Instant.now().toString());
            new LokiDir(path.resolve(".loki"), path).ensureExists();
            wt.save();
            return wt;
        }
        String baseRef = base.orElse("HEAD");
        GitCli.Result sha = git.exec("rev-parse", "-q", "--verify", baseRef + "^{commit}");
        if (!sha.ok()) {
            throw base.isPresent()
                    ? LokiException.badInput("--base " + baseRef + " is not a commit, branch or tag in this repository")
                    : LokiException.failed("The repository has no commit yet: commit once, or use --isolation none");
        }
        String baseSha = sha.out().strip();
        Files.createDirectories(path.getParent());
        boolean branchExists = branchExists(branch);
        if (branchExists && !branchMadeFor(branch, source)) {
            throw LokiException.failed("The branch " + branch + " exists and was not made for this task (its worktree"
                    + " is gone); nothing started. Rename or delete it (git branch -m/-D), or give the task"
                    + " other words.");
        }
        GitCli.Result add = branchExists ? git.exec("worktree", "add", "-q", path.toString(), branch)
                : git.exec("worktree", "add", "-q", "-b", branch, path.toString(), baseSha);
        if (!add.ok()) {
            throw LokiException.failed("Could not create the worktree for " + slug + " at " + path + ": "
                    + firstLine(add.stderr()));
        }
        if (!branchExists) {
            git.exec("config", sourceKeyOf(branch), sourceHash(source));
        }
        String baseBranch = base.filter(b -> branchExists(b)
                || git.exec("rev-parse", "-q", "--verify", "refs/remotes/origin/" + b).ok())
                .or(() -> base.isEmpty() ? repo.branch() : Optional.empty())
                .orElseGet(this::defaultBranch);
        RunWorktree wt = new RunWorktree(slug, path, branch, baseSha, baseBranch, source, Instant.now().toString());
        new LokiDir(path.resolve(".loki"), path).ensureExists();
        wt.save();
        return wt;
    }

    /** origin's default branch, else main. */
    String defaultBranch() {
        GitCli.Result r = repo.git(env).exec("symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD");
        if (r.ok() && r.out().strip().startsWith("origin/")) {
            return r.out().strip().substring("origin/".length());
        }
        for (String b : List.of("main", "master")) {
            if (branchExists(b)) {
                return b;
            }
        }
        return "main";
    }

    /** What {@code loki runs} shows for one worktree. */
    public record Entry(RunWorktree worktree, String head, boolean active, String status, long diskBytes,
            int unpushed, boolean dirty) {
        /** The shape {@code loki runs --json} and the dashboard's {@code /api/runs} print. */
        public com.fasterxml.jackson.databind.node.ObjectNode toJson() {
            com.fasterxml.jackson.databind.node.ObjectNode o = dev.loki.store.Json.object();
            o.put("run", worktree.slug());
            o.put("branch", worktree.branch());
            o.put("worktree", worktree.path().toString());
            o.put("source", worktree.source());
            o.put("base_sha", worktree.baseSha());
            o.put("head", head);
            o.put("status", status);
            o.put("active", active);
            o.put("disk_bytes", diskBytes);
            o.put("unpushed_commits", unpushed);
            o.put("dirty", dirty);
            return o;
        }
    }

    /** Every loki worktree of this repository, by slug. */
    public List<Entry> list() throws IOException {
        List<Entry> out = new ArrayList<>();
        Path root = root();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.sorted().toList()) {
                Optional<RunWorktree> wt = RunWorktree.load(p);
                if (wt.isEmpty()) {
                    continue;
                }
                out.add(Files.exists(p.resolve(".git")) ? entry(wt.get()) : missing(wt.get()));
            }
        }
        return out;
    }

    Entry entry(RunWorktree wt) throws IOException {
        GitCli git = GitCli.in(wt.path(), env).withEnv(Map.of("GIT_OPTIONAL_LOCKS", "0"));
        GitCli.Result head = git.exec("rev-parse", "-q", "--verify", "HEAD");
        LokiDir ld = wt.lokiDir();
        boolean active = SessionLock.holder(ld).isPresent();
        String status = dev.loki.store.RunRecord.current(ld).map(dev.loki.store.RunRecord::status).orElse("new");
        return new Entry(wt, head.ok() ? head.out().strip() : "", active, status, diskUsage(wt.path()),
                unpushed(wt), dirty(wt));
    }

    /**
     * A run directory whose git worktree is gone (its files and .git deleted by an agent, or by
     * hand) while its .loki (logs, proofs) stays: listed and cleaned like the others, so its
     * disk is not lost from sight. Its branch may still hold unpushed commits.
     */
    private Entry missing(RunWorktree wt) throws IOException {
        LokiDir ld = wt.lokiDir();
        return new Entry(wt, "", SessionLock.holder(ld).isPresent(), MISSING, diskUsage(wt.path()),
                branchExists(wt.branch()) ? unpushed(wt) : 0, false);
    }

    /** The status {@code loki runs} gives a run directory whose git worktree is gone. */
    public static final String MISSING = "worktree-missing";

    /** Commits on the run's branch that are neither on a remote nor in its base. */
    int unpushed(RunWorktree wt) {
        List<String> args = new ArrayList<>(List.of("rev-list", "--count", "refs/heads/" + wt.branch(), "--not",
                "--remotes"));
        if (!wt.baseSha().isEmpty()) {
            args.add(wt.baseSha());
        }
        GitCli.Result r = repo.git(env).exec(args.toArray(String[]::new));
        return r.ok() ? Integer.parseInt(r.out().strip()) : 0;
    }

    /** Changes not committed (ignored files, and so .loki, do not count). */
    boolean dirty(RunWorktree wt) {
        GitCli.Result r = GitCli.in(wt.path(), env).exec("status", "--porcelain", "-z");
        return !r.ok() || r.stdout().length > 0;
    }

    /** What one clean did for one worktree. */
    public record Cleaned(String slug, boolean removed, String note) {
    }

    /**
     * Removes finished worktrees and their branches. A live run is never touched; a branch with
     * unpushed commits or a tree with uncommitted changes is kept unless {@code force}, and then
     * the tree is moved aside and the branch bundled first, so nothing is lost.
     */
    public List<Cleaned> clean(Optional<String> only, boolean force) throws IOException {
        List<Cleaned> out = new ArrayList<>();
        List<Entry> all = list();
        if (only.isPresent() && all.stream().noneMatch(e -> e.worktree().slug().equals(only.get()))) {
            throw LokiException.failed("No loki worktree named '" + Quote.excerpt(only.get(), 80)
                    + "': see 'loki runs'");
        }
        for (Entry e : all) {
            RunWorktree wt = e.worktree();
            if (only.isPresent() && !only.get().equals(wt.slug())) {
                continue;
            }
            if (e.active()) {
                out.add(new Cleaned(wt.slug(), false, "a run is active there; stop it first (loki stop -C "
                        + wt.path() + ")"));
                continue;
            }
            boolean unsaved = e.unpushed() > 0 || e.dirty();
            if (unsaved && !force) {
                out.add(new Cleaned(wt.slug(), false, (e.unpushed() > 0 ? e.unpushed() + " unpushed commit(s)" : "")
                        + (e.unpushed() > 0 && e.dirty() ? " and " : "") + (e.dirty() ? "uncommitted changes" : "")
                        + "; push them, or clean with --force (keeps a restorable copy)"));
                continue;
            }
            String note = "removed";
            GitCli git = repo.git(env);
            if (unsaved) {
                Path trash = workDir().resolve("trash").resolve(wt.slug() + "-" + System.currentTimeMillis());
                Files.createDirectories(trash);
                if (e.unpushed() > 0) {
                    Path bundle = trash.resolve("branch.bundle");
                    GitCli.Result b = git.exec("bundle", "create", bundle.toString(), "refs/heads/" + wt.branch());
                    if (!b.ok()) {
                        out.add(new Cleaned(wt.slug(), false, "could not bundle " + wt.branch() + " ("
                                + firstLine(b.stderr()) + "); nothing removed"));
                        continue;
                    }
                }
                Files.move(wt.path(), trash.resolve("tree"));
                git.exec("worktree", "prune");
                note = "removed; a copy is kept at " + dev.loki.Quote.path(trash.toString());
                if (e.unpushed() > 0) {
                    // the branch's record of its task goes with 'branch -D': restored with it, so that
                    // starting the same task again resumes on the restored branch
                    GitCli.Result made = git.exec("config", "--get", sourceKeyOf(wt.branch()));
                    String restore = dev.loki.Quote.command("git", "fetch", trash.resolve("branch.bundle").toString(),
                            wt.branch() + ":" + wt.branch());
                    if (made.ok() && !made.out().isBlank()) {
                        restore += " && " + dev.loki.Quote.command("git", "config", sourceKeyOf(wt.branch()),
                                made.out().strip());
                    }
                    note += " (restore the branch: " + restore + ")";
                }
                if (e.dirty()) {
                    note += "; the uncommitted files are in " + dev.loki.Quote.path(trash.resolve("tree").toString());
                }
            } else if (MISSING.equals(e.status())) {
                dev.loki.store.FileTrees.delete(wt.path());
                git.exec("worktree", "prune");
            } else {
                GitCli.Result r = git.exec("worktree", "remove", "--force", wt.path().toString());
                if (!r.ok()) {
                    out.add(new Cleaned(wt.slug(), false, "git worktree remove failed: " + firstLine(r.stderr())));
                    continue;
                }
            }
            git.exec("branch", "-D", wt.branch());
            out.add(new Cleaned(wt.slug(), true, note));
        }
        return out;
    }

    /** Bytes on disk under a worktree (links not followed). */
    static long diskUsage(Path root) throws IOException {
        long[] total = {0};
        Files.walkFileTree(root, java.util.Set.of(), Integer.MAX_VALUE, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                total[0] += attrs.isRegularFile() ? attrs.size() : 0;
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException exc) {
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

    static String firstLine(String s) {
        return s.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("(no message)");
    }
}
