package dev.loki.gate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticAnalysisGateTest {
    @TempDir
    Path tmp;

    @Test
    void a_broken_untracked_shell_script_fails_the_gate_and_is_named() throws Exception {
        GateFixture f = new GateFixture(tmp).only(StaticAnalysis.NAME);
        f.repo.write("scripts/ok.sh", "echo fine\n");
        f.repo.write("scripts/broken.sh", "if then fi (\n");
        GateReport r = f.run(1);

        GateResult g = GateFixture.result(r, StaticAnalysis.NAME);
        assertThat(g.status()).isEqualTo(GateResult.FAIL);
        assertThat(g.summary()).contains("scripts/broken.sh").doesNotContain("scripts/ok.sh (");
        JsonNode json = Json.parse(f.read(f.quality("static-analysis.json")));
        assertThat(json.path("pass").asBoolean(true)).isFalse();
        assertThat(json.path("files_checked").asInt()).isEqualTo(2);
        assertThat(json.path("findings").get(0).path("file").asText()).isEqualTo("scripts/broken.sh");
        assertThat(f.loki.resolve("signals/STATIC_ANALYSIS_FAILED")).exists();
        assertThat(f.read(f.quality("gate-failures.txt"))).startsWith("static_analysis,\n");
        assertThat(r.passed()).isFalse();
    }

    @Test
    void a_broken_file_committed_before_the_base_is_not_checked() throws Exception {
        GateFixture f = new GateFixture(tmp).only(StaticAnalysis.NAME);
        f.repo.write("old.sh", "if then (\n").commitAll("old breakage");
        f.repo.write("new.json", "{\"a\": 1}\n");
        GateReport r = f.run(1);

        assertThat(GateFixture.result(r, StaticAnalysis.NAME).status()).isEqualTo(GateResult.PASS);
        assertThat(f.quality("static-analysis.pass")).exists();
        assertThat(f.quality("gate-failures.txt")).doesNotExist();
    }

    @Test
    void invalid_json_and_yaml_are_findings_and_a_modified_tracked_file_counts() throws Exception {
        GateFixture f = new GateFixture(tmp).only(StaticAnalysis.NAME);
        f.repo.write("conf.yml", "a: 1\n").commitAll("yaml");
        f.repo.write("conf.yml", "a: [1, 2\n");
        f.repo.write("data.json", "{\"a\": }");
        GateReport r = f.run(2);

        GateResult g = GateFixture.result(r, StaticAnalysis.NAME);
        assertThat(g.status()).isEqualTo(GateResult.FAIL);
        assertThat(g.summary()).contains("conf.yml (yaml)").contains("data.json (json)");
    }

    @Test
    void tsconfig_may_have_comments_but_package_json_may_not() {
        GateFixture f = new GateFixture(tmp).only(StaticAnalysis.NAME);
        f.repo.write("tsconfig.json", "{\n  // strict mode\n  \"compilerOptions\": {\"strict\": true,},\n}\n");
        f.repo.write("package.json", "{\n  // not allowed here\n  \"name\": \"x\"\n}\n");
        GateResult g = GateFixture.result(f.run(1), StaticAnalysis.NAME);
        assertThat(g.status()).isEqualTo(GateResult.FAIL);
        assertThat(g.summary()).contains("package.json (json)").doesNotContain("tsconfig.json (json)");
    }

    @Test
    void python_syntax_is_checked_without_writing_bytecode_into_the_tree() throws Exception {
        GateFixture f = new GateFixture(tmp).only(StaticAnalysis.NAME);
        f.repo.write("app.py", "def f(:\n    pass\n");
        GateResult g = GateFixture.result(f.run(1), StaticAnalysis.NAME);
        if (BoundedRun.which(f.env, "python3").isEmpty()) {
            assertThat(g.status()).isEqualTo(GateResult.SKIPPED);
            assertThat(g.summary()).contains("python3");
            return;
        }
        assertThat(g.status()).isEqualTo(GateResult.FAIL);
        assertThat(g.summary()).contains("app.py");
        assertThat(Files.exists(f.repo.path("__pycache__"))).isFalse();
    }

    @Test
    void no_changed_files_skips_with_a_reason() {
        GateFixture f = new GateFixture(tmp).only(StaticAnalysis.NAME);
        GateResult g = GateFixture.result(f.run(1), StaticAnalysis.NAME);
        assertThat(g.status()).isEqualTo(GateResult.SKIPPED);
        assertThat(g.summary()).contains("no changed files");
    }

    @Test
    void a_repository_without_commits_diffs_against_the_empty_tree() {
        dev.loki.testing.TestRepo empty = dev.loki.testing.TestRepo.createEmpty(tmp.resolve("e"));
        empty.write("x.sh", "fi\n");
        dev.loki.store.LokiDir dir = new dev.loki.store.LokiDir(empty.dir().resolve(".loki"), empty.dir());
        java.util.Map<String, String> env = empty.env();
        env.put("LOKI_PHASE_UNIT_TESTS", "false");
        env.put("LOKI_PHASE_CODE_REVIEW", "false");
        GateReport r = QualityGates.fromEnv(env).run(new GateContext(dir, empty.dir(), 1, "", (p, t) -> "", env));
        assertThat(GateFixture.result(r, StaticAnalysis.NAME).status()).isEqualTo(GateResult.FAIL);
    }
}
