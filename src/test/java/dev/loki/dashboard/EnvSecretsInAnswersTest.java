package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.dashboard.auth.Scope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret-named variable of the dashboard's environment (the environment its runs inherit) is
 * masked in what the dashboard serves, whatever its shape: as the proof's redactor masks it.
 */
class EnvSecretsInAnswersTest {
    private static final String VALUE = "plain-Value-9f3k2m7q";

    @TempDir
    Path tmp;

    @Test
    void an_environment_secret_echoed_into_a_log_is_masked_in_api_logs() throws Exception {
        try (ServerFixture f = ServerFixture.start(tmp, Map.of("DB_PASSWORD", VALUE))) {
            Files.createDirectories(f.loki.resolve("logs"));
            Files.writeString(f.loki.resolve("logs/session.log"), "agent ran env: DB " + VALUE + " done\n");
            Api.Answer logs = f.as(Scope.READ).get("/api/logs?lines=50");
            assertThat(logs.status()).isEqualTo(200);
            assertThat(logs.body()).contains("agent ran env").doesNotContain(VALUE)
                    .contains("[REDACTED:ENV:DB_PASSWORD]");
        }
    }
}
