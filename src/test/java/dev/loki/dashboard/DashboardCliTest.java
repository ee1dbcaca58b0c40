package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real `loki dashboard` and `loki audit` commands, in-process and (for start/stop) as a real child JVM. */
class DashboardCliTest {
    @TempDir
    Path tmp;

    @Test
    void token_create_prints_the_secret_once_and_list_and_revoke_never_show_it() throws Exception {
        TestRepo repo = TestRepo.create(tmp);
        Loki.Result created = Loki.run(repo, "dashboard", "token", "create", "--scope", "control", "--name", "ci",
                "--expires", "12h");
        assertThat(created.exit()).as(created.toString()).isEqualTo(0);
        String token = created.out().strip();
        assertThat(token).startsWith("loki_").hasSize(5 + 43);
        assertThat(created.err()).contains("ci").contains("control").contains("shown only this once");

        String stored = Files.readString(repo.path(".loki/dashboard/tokens.json"));
        assertThat(stored).doesNotContain(token).contains("\"scope\": \"control\"").contains("\"hash\"");

        Loki.Result list = Loki.run(repo, "dashboard", "token", "list", "--json");
        assertThat(list.exit()).isEqualTo(0);
        JsonNode arr = list.json();
        assertThat(arr).hasSize(1);
        assertThat(arr.get(0).path("name").asText()).isEqualTo("ci");
        assertThat(arr.get(0).path("state").asText()).isEqualTo("active");
        assertThat(list.out()).doesNotContain(token).doesNotContain("hash");

        assertThat(Loki.run(repo, "dashboard", "token", "create", "--scope", "read", "--name", "ci").exit())
                .as("names are unique among active tokens").isEqualTo(1);
        assertThat(Loki.run(repo, "dashboard", "token", "revoke", "ci").exit()).isEqualTo(0);
        assertThat(Loki.run(repo, "dashboard", "token", "list", "--json").json().get(0).path("state").asText())
                .isEqualTo("revoked");
        Loki.Result again = Loki.run(repo, "dashboard", "token", "revoke", "ci");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("No active token");

        Loki.Result audit = Loki.run(repo, "audit", "verify", "--json");
        assertThat(audit.exit()).isEqualTo(0);
        assertThat(audit.json().path("records").asInt()).isEqualTo(2);
    }

    @Test
    void bad_token_arguments_are_usage_errors() {
        TestRepo repo = TestRepo.create(tmp);
        Loki.Result scope = Loki.run(repo, "dashboard", "token", "create", "--scope", "root");
        assertThat(scope.exit()).isEqualTo(2);
        assertThat(scope.err()).contains("read, control or admin");
        Loki.Result exp = Loki.run(repo, "dashboard", "token", "create", "--scope", "read", "--expires", "soon");
        assertThat(exp.exit()).isEqualTo(2);
        assertThat(exp.err()).contains("--expires");
        assertThat(Loki.run(repo, "dashboard", "token", "create", "--scope", "read", "--name", "bad name!").exit())
                .isEqualTo(2);
    }

    @Test
    void a_busy_port_is_refused_and_its_owner_is_left_alone() throws Exception {
        TestRepo repo = TestRepo.create(tmp);
        try (ServerSocket other = new ServerSocket()) {
            other.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int port = other.getLocalPort();
            Loki.Result r = Loki.run(repo, "dashboard", "start", "--port", Integer.toString(port));
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("already in use by another program").contains("--port")
                    .contains("nothing was stopped");
            assertThat(other.isClosed()).isFalse();
            assertThat(other.isBound()).isTrue();
        }
    }

    @Test
    void status_url_and_stop_say_when_nothing_runs() {
        TestRepo repo = TestRepo.create(tmp);
        Loki.Result status = Loki.run(repo, "dashboard", "status");
        assertThat(status.exit()).isEqualTo(1);
        assertThat(status.out()).contains("not running");
        assertThat(Loki.run(repo, "dashboard", "url").exit()).isEqualTo(1);
        Loki.Result stop = Loki.run(repo, "dashboard", "stop");
        assertThat(stop.exit()).isEqualTo(0);
        assertThat(stop.out()).contains("not running");
        assertThat(Loki.run(repo, "dashboard", "start", "--port", "70000").exit()).isEqualTo(2);
    }

    @Test
    void start_runs_a_detached_server_that_stop_stops_after_checking_it_is_ours() throws Exception {
        TestRepo repo = TestRepo.create(tmp);
        int port;
        try (ServerSocket probe = new ServerSocket(0, 0, InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        Map<String, String> env = repo.env();
        Loki.Result started = Loki.run(repo.dir(), env, "dashboard", "start", "--port", Integer.toString(port),
                "--json");
        try {
            assertThat(started.exit()).as(started.toString()).isEqualTo(0);
            JsonNode s = started.json();
            assertThat(s.path("url").asText()).isEqualTo("http://127.0.0.1:" + port);
            long pid = s.path("pid").asLong();
            assertThat(pid).isNotEqualTo(ProcessHandle.current().pid());
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);

            String login = s.path("login_url").asText();
            Api.Answer a = new Api("http://127.0.0.1:" + port).get(login.substring(login.indexOf("/login")));
            assertThat(a.status()).isEqualTo(303);

            Loki.Result twice = Loki.run(repo, "dashboard", "start", "--port", Integer.toString(port));
            assertThat(twice.exit()).isEqualTo(0);
            assertThat(twice.out()).contains("already running");
            assertThat(Loki.run(repo, "dashboard", "status").exit()).isEqualTo(0);
            assertThat(Loki.run(repo, "dashboard", "url").out()).contains("/login?token=lt_");

            Loki.Result stop = Loki.run(repo, "dashboard", "stop");
            assertThat(stop.exit()).isEqualTo(0);
            assertThat(stop.out()).contains("stopped");
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(Files.exists(repo.path(".loki/dashboard/dashboard.json"))).isFalse();
        } finally {
            Loki.run(repo, "dashboard", "stop");
        }
    }

    @Test
    void stop_leaves_a_live_process_alone_when_it_does_not_answer_as_our_dashboard() throws Exception {
        TestRepo repo = TestRepo.create(tmp);
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            Files.createDirectories(repo.path(".loki/dashboard"));
            Files.writeString(repo.path(".loki/dashboard/dashboard.json"), "{\"pid\": " + sleeper.pid()
                    + ", \"host\": \"127.0.0.1\", \"port\": 9, \"instance_id\": \"dash_x\"}");
            Loki.Result stop = Loki.run(repo, "dashboard", "stop");
            assertThat(stop.exit()).isEqualTo(1);
            assertThat(stop.err()).contains("left alone");
            assertThat(sleeper.isAlive()).isTrue();
        } finally {
            sleeper.destroy();
        }
    }

    @Test
    void ensure_running_is_skipped_when_the_dashboard_is_disabled() {
        TestRepo repo = TestRepo.create(tmp);
        dev.loki.store.LokiDir loki = dev.loki.store.LokiDir.locate(java.util.Optional.empty(), repo.env(), repo.dir());
        assertThat(DashboardLauncher.ensureRunning(loki, Map.of("LOKI_DASHBOARD", "false"))).isEmpty();
        assertThat(Files.exists(repo.path(".loki/dashboard"))).isFalse();
    }
}
