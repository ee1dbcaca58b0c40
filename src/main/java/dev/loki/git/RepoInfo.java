package dev.loki.git;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * The user's repository as git sees it from a directory: its work tree, its object
 * database and its info/exclude, plus HEAD and branch. Read without writing anything.
 */
public record RepoInfo(Path workTree, Path gitDir, Path commonDir, Optional<String> head, Optional<String> branch) {

    /** Empty when {@code dir} is not inside a git work tree (or git is missing). */
    public static Optional<RepoInfo> detect(Path dir, Map<String, String> env) {
        GitCli git = GitCli.in(dir, env).withEnv(Map.of("GIT_OPTIONAL_LOCKS", "0"));
        // The common case in one git process (a checkpoint asks on every call): a repository
        // with a commit. Anything else (no commit yet, a file named HEAD) asks in three.
        GitCli.Result one;
        try {
            one = git.exec("rev-parse", "--show-toplevel", "--absolute-git-dir", "--git-common-dir", "HEAD^{commit}",
                    "--symbolic-full-name", "HEAD");
        } catch (GitException e) {
            return Optional.empty();
        }
        String[] l = one.out().split("\n");
        if (one.ok() && l.length == 5 && !l[0].isBlank() && l[3].matches("[0-9a-f]{40,64}")) {
            String ref = l[4].strip();
            Optional<String> branch = ref.equals("HEAD") || ref.isEmpty() ? Optional.empty()
                    : Optional.of(ref.startsWith("refs/heads/") ? ref.substring("refs/heads/".length()) : ref);
            return Optional.of(new RepoInfo(Path.of(l[0]), Path.of(l[1]), dir.toAbsolutePath().resolve(l[2]).normalize(),
                    Optional.of(l[3]), branch));
        }
        return detectInThree(dir, git);
    }

    private static Optional<RepoInfo> detectInThree(Path dir, GitCli git) {
        // The three questions do not depend on each other: ask them at once (each git process
        // costs several ms to start; a checkpoint asks on every call).
        CompletableFuture<GitCli.Result> headCall = CompletableFuture.supplyAsync(dev.loki.process.ProcessScope
                .carrying(() -> git.exec("rev-parse", "-q", "--verify", "HEAD^{commit}")), ASK);
        CompletableFuture<GitCli.Result> branchCall = CompletableFuture.supplyAsync(dev.loki.process.ProcessScope
                .carrying(() -> git.exec("symbolic-ref", "-q", "--short", "HEAD")), ASK);
        GitCli.Result r;
        try {
            r = git.exec("rev-parse", "--show-toplevel", "--absolute-git-dir", "--git-common-dir");
        } catch (GitException e) {
            await(headCall);
            await(branchCall);
            return Optional.empty();
        }
        GitCli.Result h = await(headCall);
        GitCli.Result b = await(branchCall);
        if (!r.ok()) {
            return Optional.empty();
        }
        String[] lines = r.out().split("\n");
        if (lines.length < 3 || lines[0].isBlank()) {
            return Optional.empty();
        }
        Path top = Path.of(lines[0]);
        Path gitDir = Path.of(lines[1]);
        // --git-common-dir is relative to the directory git ran in, not to the git dir
        Path common = dir.toAbsolutePath().resolve(lines[2]).normalize();
        if (h == null || b == null) {
            // git could not run for these (timeout or I/O): ask again in turn, failing as before
            h = git.exec("rev-parse", "-q", "--verify", "HEAD^{commit}");
            b = git.exec("symbolic-ref", "-q", "--short", "HEAD");
        }
        Optional<String> head = h.ok() ? Optional.of(h.out().strip()) : Optional.empty();
        Optional<String> branch = b.ok() && !b.out().isBlank() ? Optional.of(b.out().strip()) : Optional.empty();
        return Optional.of(new RepoInfo(top, gitDir, common, head, branch));
    }

    /** Daemon threads that wait for the side questions of {@link #detect}. */
    private static final Executor ASK = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "loki-repo-info");
        t.setDaemon(true);
        return t;
    });

    /** The call's result, or null when git could not be run for it. */
    private static GitCli.Result await(CompletableFuture<GitCli.Result> call) {
        try {
            return call.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            return null;
        }
    }

    public Path objectsDir() {
        return commonDir.resolve("objects");
    }

    public Path infoExclude() {
        return commonDir.resolve("info").resolve("exclude");
    }

    public Path index() {
        return gitDir.resolve("index");
    }

    public GitCli git(Map<String, String> env) {
        return GitCli.in(workTree, env).withEnv(Map.of("GIT_OPTIONAL_LOCKS", "0"));
    }
}
