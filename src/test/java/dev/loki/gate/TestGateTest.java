package dev.loki.gate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestGateTest {
    @TempDir
    Path tmp;

    @Test
    void a_failing_loki_test_cmd_fails_the_gate_with_its_output() throws Exception {
        GateFixture f = new GateFixture(tmp).only(TestGate.NAME)
                .set("LOKI_TEST_CMD", "echo 'expected 2 but was 3'; exit 3");
        GateReport r = f.run(4);

        GateResult g = GateFixture.result(r, TestGate.NAME);
        assertThat(g.status()).isEqualTo(GateResult.FAIL);
        assertThat(g.summary()).contains("exit code 3").contains("expected 2 but was 3");
        JsonNode json = Json.parse(f.read(f.quality("test-results.json")));
        assertThat(json.path("runner").asText()).isEqualTo("LOKI_TEST_CMD");
        assertThat(json.path("pass").asBoolean(true)).isFalse();
        assertThat(json.path("exit_code").asInt()).isEqualTo(3);
        assertThat(f.read(f.loki.resolve("logs/test-iter-4.log"))).contains("expected 2 but was 3");
        assertThat(f.loki.resolve("signals/TESTS_FAILED")).exists();
        assertThat(f.read(f.quality("gate-failures.txt"))).startsWith("test_coverage,\n").contains("expected 2 but was 3");
        assertThat(r.failuresText()).isEqualTo(f.read(f.quality("gate-failures.txt")));
    }

    @Test
    void a_passing_loki_test_cmd_passes_and_clears_the_failure_signal() throws Exception {
        GateFixture f = new GateFixture(tmp).only(TestGate.NAME).set("LOKI_TEST_CMD", "exit 1");
        f.run(1);
        f.set("LOKI_TEST_CMD", "test -f README.md");
        GateReport r = f.run(2);
        assertThat(GateFixture.result(r, TestGate.NAME).status()).isEqualTo(GateResult.PASS);
        assertThat(f.loki.resolve("signals/TESTS_FAILED")).doesNotExist();
        assertThat(f.quality("unit-tests.pass")).exists();
        assertThat(f.quality("gate-failures.txt")).doesNotExist();
        assertThat(r.failuresText()).isEmpty();
    }

    @Test
    void a_hanging_test_command_is_killed_by_its_timeout() throws Exception {
        GateFixture f = new GateFixture(tmp).only(TestGate.NAME).set("LOKI_GATE_TIMEOUT", "1")
                .set("LOKI_TEST_CMD", "sleep 60 & echo $! > sleeper.pid; wait");
        GateReport r = f.run(1);

        GateResult g = GateFixture.result(r, TestGate.NAME);
        assertThat(g.status()).isEqualTo(GateResult.FAIL);
        assertThat(g.summary()).contains("timed out after 1s");
        assertThat(Json.parse(f.read(f.quality("test-results.json"))).path("timed_out").asBoolean()).isTrue();
        long pid = Long.parseLong(f.repo.read("sleeper.pid").strip());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }

    @Test
    void a_package_json_without_npm_installed_is_skipped_with_the_reason() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        java.util.Map<String, String> real = java.util.Map.of("PATH", System.getenv("PATH"));
        for (String tool : new String[] {"git", "bash"}) {
            // a PATH holding only git and bash: no node, no npm
            Path wrapper = bin.resolve(tool);
            Files.writeString(wrapper, "#!/bin/sh\nexec " + BoundedRun.which(real, tool).orElseThrow() + " \"$@\"\n");
            wrapper.toFile().setExecutable(true);
        }
        GateFixture f = new GateFixture(tmp).only(TestGate.NAME).set("PATH", bin.toString());
        f.repo.write("package.json", "{\"name\":\"x\",\"scripts\":{\"test\":\"node test.js\"}}\n");
        GateReport r = f.run(1);

        GateResult g = GateFixture.result(r, TestGate.NAME);
        assertThat(g.status()).isEqualTo(GateResult.SKIPPED);
        assertThat(g.summary()).contains("package.json found but npm is not installed");
        assertThat(r.passed()).isTrue();
        assertThat(Json.parse(f.read(f.quality("test-results.json"))).path("runner").asText()).isEqualTo("none");
    }

    @Test
    void npm_init_placeholder_test_script_is_not_a_test_suite() {
        GateFixture f = new GateFixture(tmp).only(TestGate.NAME);
        f.repo.write("package.json", "{\"scripts\":{\"test\":\"echo \\\"Error: no test specified\\\" && exit 1\"}}");
        GateResult g = GateFixture.result(f.run(1), TestGate.NAME);
        assertThat(g.status()).isEqualTo(GateResult.SKIPPED);
        assertThat(g.summary()).contains("no test script");
    }

    @Test
    void a_project_without_any_runner_is_skipped() {
        GateFixture f = new GateFixture(tmp).only(TestGate.NAME);
        GateResult g = GateFixture.result(f.run(1), TestGate.NAME);
        assertThat(g.status()).isEqualTo(GateResult.SKIPPED);
        assertThat(g.summary()).isEqualTo("no test runner detected");
    }

    @Test
    void runner_detection_follows_the_build_files() {
        GateSettings s = GateSettings.fromEnv(java.util.Map.of());
        GateFixture f = new GateFixture(tmp);
        f.repo.write("go.mod", "module x\n");
        java.util.List<String> reasons = new java.util.ArrayList<>();
        java.util.Map<String, String> noTools = java.util.Map.of("PATH", tmp.resolve("nothing").toString());
        assertThat(TestGate.detect(f.repo.dir(), noTools, s, reasons)).isEmpty();
        assertThat(reasons).containsExactly("go.mod found but go is not installed (not on PATH)");

        f.repo.write("pom.xml", "<project/>");
        f.repo.write("mvnw", "#!/bin/sh\n").chmod("mvnw", "rwxr-xr-x");
        assertThat(TestGate.detect(f.repo.dir(), noTools, s, new java.util.ArrayList<>()))
                .hasValueSatisfying(r -> {
                    assertThat(r.name()).isEqualTo("maven");
                    assertThat(r.command()).containsExactly(f.repo.path("mvnw").toString(), "-B", "-q", "test");
                });
    }

    @Test
    void a_failed_summary_leads_with_the_failing_line_wherever_it_is_in_the_output() {
        String tail = "ok   add 2 3\nok   sub 5 3\nFAIL mul 4 3: expected 12, got 7\nok   div 6 3\n"
                + "Tests: 4 run, 1 failed\nerrors: 0\n";
        String s = TestGate.failedSummary("LOKI_TEST_CMD", 1, "test-iter-2.log", tail);
        assertThat(s.lines().findFirst().orElseThrow())
                .isEqualTo("LOKI_TEST_CMD failed with exit code 1: FAIL mul 4 3: expected 12, got 7"
                        + " (and 1 more failing line(s))");
        assertThat(s).contains("failing lines of test-iter-2.log:\nFAIL mul 4 3: expected 12, got 7\nTests: 4 run, 1 failed\n")
                .contains("last lines of test-iter-2.log:\nok   add 2 3");
        assertThat(s).doesNotContain("failing lines of test-iter-2.log:\nok");
        String quiet = TestGate.failedSummary("maven", 1, "t.log", "compiling\nBUILD STOPPED\n");
        assertThat(quiet.lines().findFirst().orElseThrow()).isEqualTo("maven failed with exit code 1: BUILD STOPPED");
    }
}
