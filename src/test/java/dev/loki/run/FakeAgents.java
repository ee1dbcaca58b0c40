package dev.loki.run;

import dev.loki.testing.TestRepo;
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
final class FakeAgents {
    private FakeAgents() {
    }

    /** Writes an executable script {@code base/bin/name}; the body follows a bash shebang. */
    static Path script(Path base, String name, String body) {
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
    static Map<String, String> env(TestRepo repo, Path base) {
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
    static Map<String, String> command(Map<String, String> env, Path script) {
        env.put("LOKI_PROVIDER", "command");
        env.put("LOKI_PROVIDER_CMD", script.toString());
        return env;
    }

    static TestRepo repoWithSpec(Path base) {
        TestRepo repo = TestRepo.create(base);
        repo.write("PRD.md", "# Calc\n\n## Requirements\n\n- add(a, b) returns the sum of a and b\n");
        repo.commitAll("spec");
        return repo;
    }

    static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
