package dev.loki.provider;

import dev.loki.process.Command;
import dev.loki.process.Outcome;
import dev.loki.process.Processes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code --help} text of a CLI, read once per executable and cached: optional flags are
 * passed only when the installed version lists them, so an older CLI never fails on an
 * unknown option. A CLI whose help cannot be read gets no optional flags.
 */
public final class HelpProbe {
    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

    private HelpProbe() {
    }

    public static boolean lists(Path executable, Map<String, String> env, String flag) {
        return help(executable, env).contains(flag);
    }

    static String help(Path executable, Map<String, String> env) {
        return CACHE.computeIfAbsent(executable.toString(), k -> read(executable, env));
    }

    private static String read(Path executable, Map<String, String> env) {
        try {
            Outcome o = Processes.run(Command.of(List.of(executable.toString(), "--help"),
                    Path.of(System.getProperty("user.dir")), env).toMemoryMerged(256 * 1024)
                    .withTimeout(Duration.ofSeconds(10)));
            return o.timedOut() ? "" : o.out();
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
