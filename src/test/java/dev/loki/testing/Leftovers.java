package dev.loki.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The {@code ps} check of the process tests: every process started for a test carries a unique
 * marker in its environment ({@code LOKI_TEST_MARK}); whatever still carries it afterwards
 * outlived its run. Reads /proc directly, which is what {@code ps e} shows.
 */
public final class Leftovers {
    public static final String VAR = "LOKI_TEST_MARK";

    private Leftovers() {
    }

    public static String newMarker() {
        return "mark-" + UUID.randomUUID();
    }

    /**
     * One test's marker. Register it ({@code @RegisterExtension final Leftovers.Marker marker = new
     * Leftovers.Marker();}) and whatever still carries it after the test is killed, so a failing
     * test leaves nothing running either.
     */
    public static final class Marker implements AfterEachCallback {
        private final String value = newMarker();

        /** Puts the marker into {@code env} (what the marked process and all it starts inherit). */
        public Map<String, String> mark(Map<String, String> env) {
            env.put(VAR, value);
            return env;
        }

        /** See {@link Leftovers#carrying(String)}. */
        public List<String> carrying() {
            return Leftovers.carrying(value);
        }

        @Override
        public void afterEach(ExtensionContext context) {
            kill(value);
        }
    }

    /** "pid args" lines of {@code ps} for every process whose command line holds {@code text} (ps itself left out). */
    public static List<String> mentioning(String text) {
        String ps = TestRepo.run(List.of("ps", "-eo", "pid,args"), Path.of("."), Map.of("PATH", "/usr/bin:/bin"));
        return ps.lines().filter(l -> l.contains(text) && !l.contains(" ps -eo")).toList();
    }

    /** "pid: command line" of every live process (zombies excluded) whose environment holds the marker. */
    public static List<String> carrying(String marker) {
        byte[] needle = (VAR + "=" + marker).getBytes(StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == self) {
                    continue;
                }
                try {
                    String stat = Files.readString(d.resolve("stat"));
                    if (stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z")) {
                        continue;
                    }
                    if (contains(Files.readAllBytes(d.resolve("environ")), needle)) {
                        String cmd = new String(Files.readAllBytes(d.resolve("cmdline")), StandardCharsets.UTF_8)
                                .replace('\0', ' ').strip();
                        out.add(name + ": " + cmd);
                    }
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile, or not ours to read
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /** Kills whatever carries the marker (test cleanup, so a failing test leaves nothing either). */
    public static void kill(String marker) {
        for (String line : carrying(marker)) {
            long pid = Long.parseLong(line.substring(0, line.indexOf(':')));
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            if (i > 0 && hay[i - 1] != 0) {
                continue;
            }
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
