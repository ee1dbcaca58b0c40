package dev.loki.memory;

import dev.loki.testing.TestRepo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/** A fake coding agent (a bash script run by the command provider) and the env for a quick loop. */
final class Runs {
    private Runs() {
    }

    static Map<String, String> env(TestRepo repo, Path base, String agentBody) {
        try {
            Path bin = Files.createDirectories(base.resolve("bin"));
            Path agent = bin.resolve("agent-" + Integer.toHexString(agentBody.hashCode()));
            Files.writeString(agent, "#!/usr/bin/env bash\nprompt=\"$(cat)\"\n" + agentBody + "\n");
            Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
            Map<String, String> env = repo.env();
            env.put("LOKI_PROVIDER", "command");
            env.put("LOKI_PROVIDER_CMD", agent.toString());
            env.put("LOKI_BASE_WAIT", "0.01");
            env.put("LOKI_MAX_RETRIES", "3");
            env.put("LOKI_MAX_WAIT", "0.05");
            env.put("LOKI_PAUSE_POLL", "0.05");
            env.put("LOKI_COUNCIL_ENABLED", "false");
            env.put("LOKI_PHASE_CODE_REVIEW", "false");
            env.put("LOKI_PHASE_STATIC_ANALYSIS", "false");
            env.put("LOKI_TEST_CMD", "bash test.sh");
            return env;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every byte of every file under {@code dir} contains {@code needle}? */
    static boolean bytesContain(Path dir, String needle) throws IOException {
        byte[] n = needle.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (var files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                byte[] b = Files.readAllBytes(p);
                outer:
                for (int i = 0; i + n.length <= b.length; i++) {
                    for (int j = 0; j < n.length; j++) {
                        if (b[i + j] != n[j]) {
                            continue outer;
                        }
                    }
                    return true;
                }
            }
        }
        return false;
    }
}
