package dev.loki.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** status, provider, doctor, logs, pause and stop outside a run. */
class LoopCommandsTest {
    @TempDir
    Path base;

    private Map<String, String> envWithFakeClaude(TestRepo repo) throws Exception {
        Path bin = Files.createDirectories(base.resolve("bin"));
        Path claude = Files.writeString(bin.resolve("claude"), "#!/bin/sh\necho claude\n");
        Files.setPosixFilePermissions(claude, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = repo.env();
        env.put("PATH", bin + ":" + env.get("PATH"));
        return env;
    }

    @Test
    void status_json_without_a_run_has_the_inactive_shape() {
        TestRepo repo = TestRepo.create(base);
        Loki.Result r = Loki.run(repo, "status", "--json");
        assertThat(r.exit()).isZero();
        JsonNode s = r.json();
        assertThat(s.path("status").asText()).isEqualTo("inactive");
        assertThat(s.has("version")).isTrue();
        assertThat(s.path("provider").asText()).isEqualTo("claude");
        assertThat(s.path("provider_source").asText()).isEqualTo("default");
        assertThat(s.path("pid").isNull()).isTrue();
        assertThat(Loki.run(repo, "status").out()).contains("No run recorded here yet");
    }

    @Test
    void provider_precedence_is_flag_then_env_then_saved_then_default() throws Exception {
        TestRepo repo = TestRepo.create(base);
        Map<String, String> env = envWithFakeClaude(repo);
        Loki.Result set = Loki.run(repo.dir(), env, "provider", "set", "codex");
        assertThat(set.exit()).isZero();
        assertThat(set.err()).contains("codex is not installed");
        assertThat(Files.readString(repo.path(".loki/state/provider")).strip()).isEqualTo("codex");
        assertThat(Loki.run(repo.dir(), env, "provider", "show").out()).contains("Provider: codex (from saved)");
        env.put("LOKI_PROVIDER", "cline");
        assertThat(Loki.run(repo.dir(), env, "provider", "show").out()).contains("Provider: cline (from env)");
        env.remove("LOKI_PROVIDER");
        Loki.Result list = Loki.run(repo.dir(), env, "provider", "list");
        assertThat(list.out()).containsPattern("claude\\s+installed").containsPattern("codex\\s+not installed.*\\(current\\)");
        assertThat(Loki.run(repo.dir(), env, "provider", "set", "gemini").exit()).isEqualTo(2);
    }

    @Test
    void doctor_reports_each_check_and_fails_when_the_provider_is_missing() throws Exception {
        TestRepo repo = TestRepo.create(base);
        Map<String, String> env = envWithFakeClaude(repo);
        Loki.Result ok = Loki.run(repo.dir(), env, "doctor", "--json");
        assertThat(ok.exit()).as(ok.toString()).isZero();
        JsonNode checks = ok.json().path("checks");
        assertThat(checks.findValuesAsText("name")).contains("git", "jdk", "disk", "provider:claude");
        assertThat(ok.json().path("ok").asBoolean()).isTrue();

        env.put("LOKI_PROVIDER", "aider");
        Loki.Result missing = Loki.run(repo.dir(), env, "doctor");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.out()).contains("MISSING", "loki provider set");
    }

    @Test
    void pause_stop_and_logs_without_a_run_say_so() throws Exception {
        TestRepo repo = TestRepo.create(base);
        Loki.Result pause = Loki.run(repo, "pause");
        assertThat(pause.exit()).isEqualTo(1);
        assertThat(pause.err()).contains("No loki run is active");
        Loki.Result stop = Loki.run(repo, "stop");
        assertThat(stop.exit()).isZero();
        assertThat(stop.out()).contains("No loki run is active");
        assertThat(repo.path(".loki/STOP")).doesNotExist();
        Files.createDirectories(repo.path(".loki/logs"));
        Files.writeString(repo.path(".loki/logs/session.log"), "one\ntwo\nthree\n");
        assertThat(Loki.run(repo, "logs", "-n", "2").out()).isEqualTo("two\nthree\n");
    }
}
