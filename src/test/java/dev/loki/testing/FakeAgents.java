package dev.loki.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * Fake provider CLIs for the tests: small bash scripts written into the temp dir that behave
 * like the real CLIs (same flags, same output shapes), and the environment that makes the
 * loop fast (instant backoff, short timeouts).
 */
public final class FakeAgents {
    private FakeAgents() {
    }

    /** Writes an executable script {@code base/bin/name}; the body follows a bash shebang. */
    public static Path script(Path base, String name, String body) {
        try {
            Path bin = Files.createDirectories(base.resolve("bin"));
            Path p = bin.resolve(name);
            Files.writeString(p, "#!/usr/bin/env bash\n" + body + "\n");
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repo's env plus settings that keep the loop fast and gates/council off unless asked for. */
    public static Map<String, String> env(TestRepo repo, Path base) {
        Map<String, String> env = repo.env();
        env.put("PATH", base.resolve("bin") + ":" + env.get("PATH"));
        env.put("LOKI_BASE_WAIT", "0.01");
        env.put("LOKI_MAX_WAIT", "0.05");
        env.put("LOKI_RATE_LIMIT_MAX_WAIT", "0.01");
        env.put("LOKI_PAUSE_POLL", "0.05");
        env.put("LOKI_GATES", "false");
        env.put("LOKI_COUNCIL_ENABLED", "false");
        return env;
    }

    /** A command provider running the given script. */
    public static Map<String, String> command(Map<String, String> env, Path script) {
        env.put("LOKI_PROVIDER", "command");
        env.put("LOKI_PROVIDER_CMD", script.toString());
        return env;
    }

    /**
     * A command provider running {@code agentBody} with the reviewers on (gates on, static analysis
     * and unit tests off), {@code BASE} naming the temp dir the script leaves its notes in, and
     * {@code marker} set so every process the run starts can be found.
     */
    public static Map<String, String> reviewedEnv(TestRepo repo, Path base, String agentBody, Leftovers.Marker marker) {
        Map<String, String> env = command(env(repo, base), script(base, "agent", agentBody));
        env.put("BASE", base.toString());
        marker.mark(env);
        env.remove("LOKI_GATES");
        env.put("PHASE_STATIC_ANALYSIS", "false");
        env.put("LOKI_PHASE_UNIT_TESTS", "false");
        return env;
    }

    /** The one review directory of a run ({@code .loki/quality/reviews/<id>}). */
    public static Path reviewDir(TestRepo repo) {
        try (var dirs = Files.list(repo.path(".loki/quality/reviews"))) {
            return dirs.filter(Files::isDirectory).findFirst().orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TestRepo repoWithSpec(Path base) {
        TestRepo repo = TestRepo.create(base);
        repo.write("PRD.md", "# Calc\n\n## Requirements\n\n- add(a, b) returns the sum of a and b\n");
        repo.commitAll("spec");
        return repo;
    }

    public static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
