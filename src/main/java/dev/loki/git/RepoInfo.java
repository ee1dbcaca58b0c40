package dev.loki.git;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The user's repository as git sees it from a directory: its work tree, its object
 * database and its info/exclude, plus HEAD and branch. Read without writing anything.
 */
public record RepoInfo(Path workTree, Path gitDir, Path commonDir, Optional<String> head, Optional<String> branch) {

    /** Empty when {@code dir} is not inside a git work tree (or git is missing). */
    public static Optional<RepoInfo> detect(Path dir, Map<String, String> env) {
        GitCli git = GitCli.in(dir, env).withEnv(Map.of("GIT_OPTIONAL_LOCKS", "0"));
        GitCli.Result r;
        try {
            r = git.exec("rev-parse", "--show-toplevel", "--absolute-git-dir", "--git-common-dir");
        } catch (GitException e) {
            return Optional.empty();
        }
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
        GitCli.Result h = git.exec("rev-parse", "-q", "--verify", "HEAD^{commit}");
        Optional<String> head = h.ok() ? Optional.of(h.out().strip()) : Optional.empty();
        GitCli.Result b = git.exec("symbolic-ref", "-q", "--short", "HEAD");
        Optional<String> branch = b.ok() && !b.out().isBlank() ? Optional.of(b.out().strip()) : Optional.empty();
        return Optional.of(new RepoInfo(top, gitDir, common, head, branch));
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
