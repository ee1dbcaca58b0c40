package dev.loki.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a work tree and its git directory are, found without starting git (every command asks,
 * so it must cost a stat or two). Only {@code java.base}: the daemon client, which runs before
 * the rest of loki is loaded, uses it too.
 */
public final class GitDirs {
    private GitDirs() {
    }

    /** The nearest ancestor of {@code cwd} holding a {@code .git} entry. */
    public static Optional<Path> workTreeRoot(Path cwd) {
        for (Path p = cwd.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve(".git"))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * The git directory of a work tree (its real path): {@code <root>/.git} when it is a
     * directory, else the {@code gitdir:} line of a {@code .git} file (linked worktrees, submodules).
     */
    public static Optional<Path> gitDir(Path workTree) {
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

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}
