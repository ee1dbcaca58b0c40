package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.process.Processes;
import dev.loki.testing.FakeAgents;
import dev.loki.testing.LokiProcess;
import dev.loki.testing.TestRepo;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run started detached (by MCP or a backlog, through Processes.startDetached) writes its
 * output to a log file: the dashboard's one-time login link is not written there; the run
 * says how to get one instead. Both the child's environment and the run's answer to it are checked.
 */
class LoginLinkNotInLogsTest {
    private static final Pattern TICKET = Pattern.compile("lt_[A-Za-z0-9_-]{20,}");

    @TempDir
    Path tmp;

    @Test
    void a_detached_child_is_told_its_output_is_a_log() throws Exception {
        Path log = tmp.resolve("child.log");
        Process p = Processes.startDetached(List.of("sh", "-c", "echo \"to-log=$" + Processes.OUTPUT_TO_LOG + "\""),
                tmp, Map.of("PATH", System.getenv("PATH")), log);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(log)).contains("to-log=1");
    }

    @Test
    void a_run_whose_output_is_a_log_keeps_the_login_link_out_of_it() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"));
        repo.write("PRD.md", "# Spec\n\n- write work.txt\n").commitAll("spec");
        Path agent = FakeAgents.script(tmp, "agent", "cat > /dev/null\necho ok >> work.txt\n"
                + "echo done > .loki/signals/COMPLETION_REQUESTED\nexit 0");
        Map<String, String> env = FakeAgents.command(repo.env(), agent);
        env.put("LOKI_GATES", "false");
        env.put("LOKI_COUNCIL_ENABLED", "false");
        env.put("LOKI_MAX_ITERATIONS", "1");
        env.put("LOKI_PROOF", "0");
        env.put("LOKI_DASHBOARD", "true");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            env.put("LOKI_DASHBOARD_PORT", Integer.toString(s.getLocalPort()));
        }
        env.put(Processes.OUTPUT_TO_LOG, "1");
        LokiProcess run = LokiProcess.start(repo.dir(), env, tmp.resolve("logs"), "start");
        try {
            run.waitFor(java.time.Duration.ofSeconds(120));
        } finally {
            run.kill();
        }
        String text = Files.readString(run.out) + Files.readString(run.err);
        assertThat(text).as(text).contains("Dashboard login: run 'loki dashboard open'")
                .contains("Dashboard stopped with the run").doesNotContain("login?token");
        assertThat(TICKET.matcher(text).find()).as(text).isFalse();
    }
}
