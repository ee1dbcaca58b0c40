package dev.loki.store;

import dev.loki.LokiException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the .loki directory of a project is: {@code --loki-dir}, else {@code LOKI_DIR}, else
 * {@code .loki} at the root of the working tree that contains the current directory (or the
 * current directory itself outside git). Also names the well-known files inside it.
 */
public record LokiDir(Path path, Path workTree) {

    public LokiDir {
        path = path.toAbsolutePath().normalize();
        workTree = workTree.toAbsolutePath().normalize();
    }

    /** Resolves the location; the directory need not exist yet. */
    public static LokiDir locate(Optional<Path> flag, Map<String, String> env, Path cwd) {
        Path work = findWorkTreeRoot(cwd).orElse(cwd.toAbsolutePath().normalize());
        if (flag.isPresent()) {
            return new LokiDir(cwd.resolve(flag.get()), work);
        }
        String fromEnv = env.get("LOKI_DIR");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new LokiDir(cwd.resolve(fromEnv), work);
        }
        return new LokiDir(work.resolve(".loki"), work);
    }

    /** The nearest ancestor of {@code cwd} holding a {@code .git} entry, without running git. */
    public static Optional<Path> findWorkTreeRoot(Path cwd) {
        return dev.loki.git.GitDirs.workTreeRoot(cwd);
    }

    public boolean exists() {
        return Files.isDirectory(path);
    }

    /** For commands that read a project: fails with exit 1 when there is no .loki here. */
    public LokiDir requireExisting() {
        if (!exists()) {
            throw LokiException.failed("No .loki directory found at " + path
                    + ". Run this inside a Loki project, or point --loki-dir / LOKI_DIR at one.");
        }
        return this;
    }

    /**
     * Creates the directory if needed. A new one gets a {@code .gitignore} of {@code *}, so an
     * agent's {@code git add -A} never commits loki's state (or its snapshot store) into the
     * user's repository; delete that file to version .loki on purpose.
     */
    public LokiDir ensureExists() {
        try {
            if (!Files.isDirectory(path)) {
                Files.createDirectories(path);
                Files.writeString(path.resolve(".gitignore"),
                        "# Written by loki: keeps agent state out of your commits. Delete to version .loki.\n*\n");
            }
        } catch (java.io.IOException e) {
            throw LokiException.failed("Cannot create " + path + ": " + e.getMessage());
        }
        return this;
    }

    public Path resolve(String relative) {
        return path.resolve(relative);
    }

    public Path checkpointsDir() {
        return path.resolve("state").resolve("checkpoints");
    }

    public Path eventsFile() {
        return path.resolve("events.jsonl");
    }

    public EventLog events() {
        return new EventLog(eventsFile());
    }
}
