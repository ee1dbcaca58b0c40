package dev.loki.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loki demo}: the whole loop on the bundled spec with the bundled scripted agent. */
class LoopDemoTest {
    @TempDir
    Path tmp;

    @Test
    void the_loop_demo_iterates_catches_the_bug_with_the_gates_and_completes_through_the_council() throws Exception {
        Map<String, String> env = TestRepo.isolatedEnv(tmp);
        env.put("LOKI_GATES", "false");
        Loki.Result r = Loki.run(tmp, env, "demo", "--dir", "d");

        assertThat(r.exit()).as(r.toString()).isZero();
        Path project = tmp.resolve("d/calc");
        assertThat(r.out()).contains("project:  " + project, "Iteration 3",
                "Quality gates: fail: test_coverage (LOKI_TEST_CMD failed with exit code 1: FAIL mul 4 3: expected 12,"
                + " got 7)",
                "Completion council convenes", "== Result: council_approved after 3 iterations",
                "loki rollback to cp-2-", "Demo finished");
        assertThat(Files.readString(project.resolve("calc.sh"))).contains("$1 * $2");
        JsonNode run = Json.parse(Files.readString(project.resolve(".loki/state/run.json")));
        assertThat(run.path("checkpoint_ids")).hasSize(4);
        assertThat(Files.readString(project.resolve(".loki/logs/iterations/iteration-3.prompt.md")))
                .contains("QUALITY GATE FAILURES FROM PREVIOUS ITERATION");
    }
}
