package dev.loki.provider;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Finds a command the way a shell would: a path as given, else the first match on PATH. */
public final class Executables {
    private Executables() {
    }

    public static Optional<Path> find(String command, Map<String, String> env) {
        if (command == null || command.isBlank()) {
            return Optional.empty();
        }
        if (command.contains(File.separator)) {
            Path p = Path.of(command);
            return Files.isExecutable(p) && !Files.isDirectory(p) ? Optional.of(p.toAbsolutePath()) : Optional.empty();
        }
        String path = env.getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
