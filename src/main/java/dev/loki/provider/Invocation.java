package dev.loki.provider;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One process to start: its argument list (never a shell string), extra environment, and the
 * file fed to its stdin (empty: stdin is /dev/null, so no CLI ever waits on a terminal).
 */
public record Invocation(List<String> argv, Map<String, String> env, Optional<Path> stdin) {
    public Invocation {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
    }

    public static Invocation of(List<String> argv) {
        return new Invocation(argv, Map.of(), Optional.empty());
    }
}
