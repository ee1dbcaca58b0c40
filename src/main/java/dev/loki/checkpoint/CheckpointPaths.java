package dev.loki.checkpoint;

import dev.loki.git.RepoInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The git directory of a work tree, found without starting git (every command asks it, for the
 * rollback journal, so it must cost a stat or two): {@code <root>/.git} when it is a directory,
 * else the {@code gitdir:} line of a {@code .git} file (linked worktrees, submodules).
 */
final class CheckpointPaths {
    private CheckpointPaths() {
    }

    static Optional<Path> gitDir(Path workTree) {
        Path dotGit = workTree.resolve(".git");
        if (Files.isDirectory(dotGit)) {
            return Optional.of(real(dotGit));
        }
        if (Files.isRegularFile(dotGit, LinkOption.NOFOLLOW_LINKS)) {
            try {
                for (String line : Files.readAllLines(dotGit, StandardCharsets.UTF_8)) {
                    if (line.startsWith("gitdir:")) {
                        Path p = workTree.resolve(line.substring("gitdir:".length()).strip());
                        return Files.isDirectory(p) ? Optional.of(real(p)) : Optional.empty();
                    }
                }
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** A {@link RepoInfo} naming only where the repository is (for {@code PrivateDir}). */
    static RepoInfo repoAt(Path workTree, Path gitDir) {
        return new RepoInfo(workTree, gitDir, gitDir, Optional.empty(), Optional.empty());
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}
