package dev.loki.git;

import java.nio.file.Path;

/**
 * Where loki keeps what the agent must not be able to wipe: under the repository's own git
 * directory ({@code <git-dir>/loki/}), which {@code rm -rf .loki} and {@code git clean -fdx} in the
 * work tree never reach, which moves with the repository, and which is per work tree (a linked
 * worktree has its own git directory, {@code .git/worktrees/<name>}).
 *
 * <p>Layout (each owner creates its own part on first use):
 * <pre>
 *   store/         the private snapshot store (objects and refs of code snapshots)
 *   checkpoints/   the authoritative checkpoint records (mirrored to .loki/state/checkpoints/)
 *   journal/       the rollback journal (target, pre-rollback id, phase, child pids)
 *   memory/        the memory index of past runs (Lucene)
 * </pre>
 */
public final class PrivateDir {
    private PrivateDir() {
    }

    public static Path root(RepoInfo repo) {
        return repo.gitDir().resolve("loki");
    }

    public static Path store(RepoInfo repo) {
        return root(repo).resolve("store");
    }

    public static Path checkpoints(RepoInfo repo) {
        return root(repo).resolve("checkpoints");
    }

    public static Path journal(RepoInfo repo) {
        return root(repo).resolve("journal");
    }

    public static Path memory(RepoInfo repo) {
        return root(repo).resolve("memory");
    }
}
