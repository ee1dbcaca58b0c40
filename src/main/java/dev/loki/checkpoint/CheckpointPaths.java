package dev.loki.checkpoint;

import dev.loki.git.RepoInfo;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The git directory of a work tree, found without starting git (every command asks it, for the
 * rollback journal): see {@link dev.loki.git.GitDirs}.
 */
public final class CheckpointPaths {
    private CheckpointPaths() {
    }

    public static Optional<Path> gitDir(Path workTree) {
        return dev.loki.git.GitDirs.gitDir(workTree);
    }

    /** A {@link RepoInfo} naming only where the repository is (for {@code PrivateDir}). */
    static RepoInfo repoAt(Path workTree, Path gitDir) {
        return new RepoInfo(workTree, gitDir, gitDir, Optional.empty(), Optional.empty());
    }
}
