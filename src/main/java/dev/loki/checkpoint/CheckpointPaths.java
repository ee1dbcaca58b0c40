package dev.loki.checkpoint;

import dev.loki.git.RepoInfo;
import java.nio.file.Path;
import java.util.Optional;

/** Where a work tree's repository is, for {@code PrivateDir} (the git directory: {@link dev.loki.git.GitDirs}). */
final class CheckpointPaths {
    private CheckpointPaths() {
    }

    /** A {@link RepoInfo} naming only where the repository is (for {@code PrivateDir}). */
    static RepoInfo repoAt(Path workTree, Path gitDir) {
        return new RepoInfo(workTree, gitDir, gitDir, Optional.empty(), Optional.empty());
    }
}
