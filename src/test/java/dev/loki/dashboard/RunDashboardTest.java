package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.testing.FakeAgents;
import dev.loki.testing.Loki;
import dev.loki.testing.LokiProcess;
import dev.loki.testing.TestRepo;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 12 and issue 10 item 1 through the real CLI: the dashboard a run launches prints
 * its login link on the terminal only (never in a file under .loki, the audit, or a command line
 * in ps), the link lives at most 2 minutes, and the dashboard stops with its run - at its end
 * and when the run is killed with SIGKILL - unless --keep-dashboard.
 */
class RunDashboardTest {
    private static final Pattern TICKET = Pattern.compile("lt_[A-Za-z0-9_-]{20,}");

    @TempDir
    Path tmp;

    private final List<Long> toReap = new ArrayList<>();

    @AfterEach
    void reap() {
        for (long pid : toReap) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    TestRepo repo() {
        return FakeAgents.repoWithSpec(tmp);
    }

    Map<String, String> env(TestRepo repo, String agentBody) throws Exception {
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, tmp), FakeAgents.script(tmp, "agent", agentBody));
        env.put("LOKI_MAX_ITERATIONS", "1");
        env.put("LOKI_PROOF", "0");
        env.put("LOKI_DASHBOARD", "true");
        env.put("LOKI_DASHBOARD_PORT", Integer.toString(freePort()));
        env.put("TEST_OUT", tmp.toString());
        return env;
    }

    LokiProcess start(TestRepo repo, Map<String, String> env, String... args) throws Exception {
        LokiProcess p = LokiProcess.start(repo.dir(), env, tmp, args);
        toReap.add(p.process.pid());
        return p;
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * The pid of this run's dashboard in the agent's {@code ps} listing: the machine may run other
     * tests' dashboards at the same time, so only the one serving this repository's .loki counts.
     */
    long dashboardPid(Path psFile, TestRepo repo) throws Exception {
        Matcher m = Pattern.compile("(?m)^\\s*(\\d+)\\s.*--loki-dir " + Pattern.quote(repo.path(".loki").toString())
                + " dashboard serve.*$").matcher(Files.readString(psFile));
        assertThat(m.find()).as("the dashboard child in ps").isTrue();
        long pid = Long.parseLong(m.group(1));
        toReap.add(pid);
        return pid;
    }

    static boolean goneWithin(long pid, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    static void assertNoTicketUnder(Path dir, String ticket) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                String text = new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertThat(text).as(f + " holds the login link").doesNotContain(ticket);
                assertThat(TICKET.matcher(text).find()).as(f + " holds a login ticket").isFalse();
            }
        }
    }

    @Test
    void the_link_goes_to_the_terminal_only_and_the_dashboard_stops_with_the_run() throws Exception {
        TestRepo repo = repo();
        Map<String, String> env = env(repo, """
                cat > /dev/null
                ps -eo pid,args > "$TEST_OUT/ps.txt"
                echo ok >> work.txt
                echo done > .loki/signals/COMPLETION_REQUESTED
                exit 0""");
        Instant before = Instant.now();
        LokiProcess run = start(repo, env, "start");
        assertThat(run.process.waitFor(120, TimeUnit.SECONDS)).as("run ended").isTrue();
        String err = run.stderr();
        assertThat(err).as(run.output()).contains("Dashboard login (one-time link, valid 2 minutes")
                .contains("stops with this run").contains("Dashboard stopped with the run");
        Matcher m = TICKET.matcher(err);
        assertThat(m.find()).isTrue();
        String ticket = m.group();

        String ps = Files.readString(tmp.resolve("ps.txt"));
        assertThat(ps).as("no secret on any command line").doesNotContain("lt_").doesNotContain("login?token");
        long dash = dashboardPid(tmp.resolve("ps.txt"), repo);
        assertThat(goneWithin(dash, Duration.ofSeconds(10))).as("the dashboard stopped with its run").isTrue();

        assertThat(Files.readString(repo.path(".loki/logs/session.log"))).contains("Dashboard: http")
                .doesNotContain("lt_");
        assertNoTicketUnder(repo.path(".loki"), ticket);
        for (JsonNode t : Json.parse(Files.readString(repo.path(".loki/dashboard/login-tickets.json")))
                .path("tickets")) {
            assertThat(Instant.parse(t.path("expires_at").asText())).as("the run's link lives <= 2 minutes")
                    .isBefore(before.plus(Duration.ofMinutes(2)).plusSeconds(60));
            assertThat(Instant.parse(t.path("expires_at").asText()))
                    .isBeforeOrEqualTo(Instant.now().plus(Duration.ofMinutes(2)));
        }
        Loki.Result audit = Loki.run(repo.dir(), env, "audit", "verify");
        assertThat(audit.exit()).as(audit.toString()).isIn(0);
    }

    @Test
    void a_killed_run_takes_its_dashboard_with_it() throws Exception {
        TestRepo repo = repo();
        Map<String, String> env = env(repo, """
                cat > /dev/null
                ps -eo pid,args > "$TEST_OUT/ps.txt"
                touch "$TEST_OUT/started"
                for i in $(seq 1 600); do sleep 0.1; done
                exit 0""");
        LokiProcess run = start(repo, env, "start");
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!Files.exists(tmp.resolve("started")) && System.nanoTime() < deadline && run.process.isAlive()) {
            Thread.sleep(100);
        }
        assertThat(tmp.resolve("started")).as(run.output()).exists();
        long dash = dashboardPid(tmp.resolve("ps.txt"), repo);
        // SIGKILL the run and its agent, but not the dashboard: it must notice on its own
        run.process.descendants().filter(h -> h.pid() != dash).forEach(ProcessHandle::destroyForcibly);
        run.process.destroyForcibly();
        run.process.waitFor(10, TimeUnit.SECONDS);
        assertThat(goneWithin(dash, Duration.ofSeconds(10))).as("the dashboard noticed its run is gone").isTrue();
        assertThat(repo.path(".loki/dashboard/dashboard.json")).doesNotExist();
    }

    @Test
    void keep_dashboard_leaves_it_running_and_says_so() throws Exception {
        TestRepo repo = repo();
        Map<String, String> env = env(repo, """
                cat > /dev/null
                ps -eo pid,args > "$TEST_OUT/ps.txt"
                echo done > .loki/signals/COMPLETION_REQUESTED
                exit 0""");
        LokiProcess run = start(repo, env, "start", "--keep-dashboard");
        assertThat(run.process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(run.stderr()).as(run.output()).contains("--keep-dashboard: it keeps running after the run")
                .contains("Dashboard still running at");
        long dash = dashboardPid(tmp.resolve("ps.txt"), repo);
        assertThat(Files.readString(tmp.resolve("ps.txt"))).doesNotContain("--watch-pid");
        Thread.sleep(1500);
        assertThat(ProcessHandle.of(dash).map(ProcessHandle::isAlive)).as("kept").contains(true);
        Optional<DashboardInstance> up = DashboardLauncher.running(
                dev.loki.store.LokiDir.locate(Optional.empty(), env, repo.dir()));
        assertThat(up).isPresent();
        Loki.Result stop = Loki.run(repo.dir(), env, "dashboard", "stop");
        assertThat(stop.out()).contains("Dashboard stopped");
        assertThat(goneWithin(dash, Duration.ofSeconds(10))).isTrue();
    }
}
