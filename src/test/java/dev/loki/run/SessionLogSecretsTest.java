package dev.loki.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.store.LokiDir;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The session log is served back (loki logs, /api/logs): a secret in a log line never reaches it. */
class SessionLogSecretsTest {
    @TempDir
    Path dir;

    @Test
    void secrets_in_log_lines_are_masked_in_the_session_log_and_on_the_console() throws Exception {
        String ticket = "lt_" + "A".repeat(20) + "b".repeat(23);
        String aws = "AKIA" + "QWERTYUIOPASDFGH";
        Path log = dir.resolve("logs/session.log");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (RunLog runLog = new RunLog(new PrintStream(console, true, StandardCharsets.UTF_8), log, false)) {
            runLog.info("Dashboard: http://127.0.0.1:57374/login?token=" + ticket);
            runLog.warn("the agent printed aws_access_key_id=" + aws);
            runLog.info("Iteration 1/3: command, phase build");
        }
        String written = Files.readString(log);
        // masked, not dropped: both lines are still there, without their secrets
        for (String out : new String[] {written, console.toString(StandardCharsets.UTF_8)}) {
            assertThat(out).doesNotContain(ticket).doesNotContain(aws).contains("Iteration 1/3: command, phase build")
                    .contains("Dashboard: http://127.0.0.1:57374/login?token=", "the agent printed aws_access_key_id=");
        }
    }

    @Test
    void a_state_file_without_counters_reads_as_zero_instead_of_failing() throws Exception {
        LokiDir loki = new LokiDir(dir.resolve(".loki"), dir);
        Files.createDirectories(loki.path());
        Files.writeString(loki.resolve("autonomy-state.json"), "{\"status\": \"running\", \"iterationCount\": 4}\n");
        AutonomyState s = new StateStore(loki).load();
        assertThat(s.retryCount()).isZero();
        assertThat(s.iterationCount()).isEqualTo(4);
        assertThat(s.status()).isEqualTo("running");
    }
}
