package dev.loki.memory;

import dev.loki.testing.FakeAgents;
import dev.loki.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A fake coding agent (a bash script run by the command provider) and the env for a quick loop. */
final class Runs {
    private Runs() {
    }

    /** The quick-loop env with the test gate on ({@code bash test.sh}), the other gates and the council off. */
    static Map<String, String> env(TestRepo repo, Path base, String agentBody) {
        Path agent = FakeAgents.script(base, "agent-" + Integer.toHexString(agentBody.hashCode()),
                "prompt=\"$(cat)\"\n" + agentBody);
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);
        env.remove("LOKI_GATES");
        env.put("LOKI_MAX_RETRIES", "3");
        env.put("LOKI_PHASE_CODE_REVIEW", "false");
        env.put("LOKI_PHASE_STATIC_ANALYSIS", "false");
        env.put("LOKI_TEST_CMD", "bash test.sh");
        return env;
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
