package dev.loki.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.LokiException;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint daemon in-process: a command handed over through the socket does what the
 * same command does here (exit code, output, the checkpoint on disk and what it restores), and
 * every way the hand-over can go wrong ends with the command run here, or with an error when
 * the daemon may already have done it. The launcher's side is in {@link DaemonLauncherTest}.
 */
class DaemonTest extends InProcessDaemonTest {
    @Test
    void a_checkpoint_taken_through_the_daemon_restores_exactly_what_was_on_disk() throws Exception {
        TestRepo repo = TestRepo.create(base);
        start(repo);
        repo.write("a.txt", "one\n").write("sub/b.txt", "bee\n").chmod("sub/b.txt", "rwxr-xr-x");

        Sent s = send(repo, repo.dir().resolve("sub"), "checkpoint", "create", "through", "the", "daemon", "--json");
        assertThat(s.exit()).as(s.toString()).hasValue(0);
        JsonNode cp = Json.parse(s.out());
        assertThat(cp.path("message").asText()).isEqualTo("through the daemon");
        assertThat(cp.path("snapshot").path("status").asText()).isEqualTo("captured");
        assertThat(s.err()).contains("Taking a checkpoint...");
        assertThat(daemon.served()).isEqualTo(1);

        // a second one, after more changes, is taken from the watcher's events (the carried snapshot)
        repo.write("a.txt", "two\n").delete("sub/b.txt").write("c.txt", "sea\n");
        Sent second = send(repo, repo.dir(), "cp", "create", "second", "--json");
        assertThat(second.exit()).as(second.toString()).hasValue(0);
        String secondId = Json.parse(second.out()).path("id").asText();

        repo.write("a.txt", "three\n").write("sub/b.txt", "later\n").delete("c.txt");
        Loki.Result back = Loki.run(repo, "rollback", "to", cp.path("id").asText());
        assertThat(back.exit()).as(back.toString()).isZero();
        assertThat(repo.read("a.txt")).isEqualTo("one\n");
        assertThat(repo.read("sub/b.txt")).isEqualTo("bee\n");
        assertThat(Files.isExecutable(repo.path("sub/b.txt"))).isTrue();
        assertThat(repo.exists("c.txt")).isFalse();

        Loki.Result again = Loki.run(repo, "rollback", "to", secondId);
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(repo.read("a.txt")).isEqualTo("two\n");
        assertThat(repo.exists("sub/b.txt")).isFalse();
        assertThat(repo.read("c.txt")).isEqualTo("sea\n");
    }

    @Test
    void the_daemon_answers_as_the_command_here_would_with_its_exit_code_and_error() throws Exception {
        TestRepo repo = TestRepo.create(base);
        start(repo);
        Sent bad = send(repo, repo.dir(), "checkpoint", "create", "--no-such-flag");
        Loki.Result here = Loki.run(repo, "checkpoint", "create", "--no-such-flag");
        assertThat(bad.exit()).hasValue(here.exit());
        assertThat(here.exit()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo(here.err()).contains("--no-such-flag");
        assertThat(bad.out()).isEqualTo(here.out());
    }

    @Test
    void commands_other_than_checkpoint_create_and_other_directories_are_run_by_the_client() throws Exception {
        TestRepo repo = TestRepo.create(base);
        TestRepo other = TestRepo.create(base.resolve("other"));
        start(repo);
        // the client never sends them...
        assertThat(send(repo, repo.dir(), "checkpoint", "list").exit()).isEmpty();
        assertThat(send(repo, repo.dir(), "-C", other.dir().toString(), "checkpoint", "create").exit()).isEmpty();
        // ...and the daemon refuses them when a client does
        Path gitDir = repo.dir().resolve(".git").toRealPath();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        OptionalInt start = DaemonClient.forward(gitDir, List.of("start", "PRD.md"), repo.env(), repo.dir(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(start).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("it runs only 'checkpoint create'");
        err.reset();
        OptionalInt elsewhere = DaemonClient.forward(gitDir, List.of("checkpoint", "create"), other.env(), other.dir(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(elsewhere).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("it serves " + repo.dir());
        assertThat(daemon.served()).isZero();
        assertThat(Loki.run(other, "checkpoint", "list", "--json").json()).as("nothing was taken there").isEmpty();
    }

    @Test
    void a_client_of_another_build_is_refused_and_the_daemon_stops() throws Exception {
        TestRepo repo = TestRepo.create(base);
        start(repo);
        Files.writeString(base.resolve("rebuilt.jar"), "another build");
        System.setProperty("loki.jar", base.resolve("rebuilt.jar").toString());
        Sent s = send(repo, repo.dir(), "checkpoint", "create");
        assertThat(s.exit()).as("run here instead").isEmpty();
        assertThat(s.err()).contains("another build of loki");
        assertThat(serving.get(10, TimeUnit.SECONDS)).contains("another build");
        assertThat(daemon.served()).isZero();
    }

    /** After a rebuild, status says the old daemon stops (it used to say "no daemon" while one was stopping). */
    @Test
    void status_after_a_rebuild_says_the_daemon_of_the_earlier_build_stops() throws Exception {
        TestRepo repo = TestRepo.create(base);
        start(repo);
        Files.writeString(base.resolve("rebuilt.jar"), "another build");
        System.setProperty("loki.jar", base.resolve("rebuilt.jar").toString());
        Loki.Result st = Loki.run(repo, "daemon", "status");
        assertThat(st.exit()).as(st.toString()).isZero();
        assertThat(st.out()).contains("earlier build of loki, and stops now").contains("'loki daemon start'");
        assertThat(serving.get(10, TimeUnit.SECONDS)).contains("another build");
        Loki.Result json = Loki.run(repo, "daemon", "status", "--json");
        assertThat(json.json().path("running").asBoolean(true)).isFalse();
    }

    @Test
    void a_daemon_killed_without_cleaning_up_costs_one_note_and_its_socket() throws Exception {
        TestRepo repo = TestRepo.create(base);
        Path gitDir = repo.dir().resolve(".git").toRealPath();
        Path socket = DaemonSocket.socket(gitDir);
        Files.createDirectories(socket.getParent());
        Files.writeString(DaemonSocket.lock(gitDir), "999999\n");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket)); // closed below without deleting its file: kill -9
        }
        assertThat(socket).exists();
        Sent s = send(repo, repo.dir(), "checkpoint", "create");
        assertThat(s.exit()).isEmpty();
        assertThat(s.err()).contains("the loki daemon of this repository is gone");
        assertThat(socket).doesNotExist();
        Sent again = send(repo, repo.dir(), "checkpoint", "create");
        assertThat(again.err()).as("said once").isEmpty();
    }

    @Test
    void a_second_daemon_for_the_same_repository_is_refused_in_one_line() throws Exception {
        TestRepo repo = TestRepo.create(base);
        start(repo);
        assertThatThrownBy(() -> DaemonServer.open(LokiDir.locate(Optional.empty(), repo.env(), repo.dir()),
                repo.env(), Duration.ZERO, System.out))
                .isInstanceOf(LokiException.class).hasMessageContaining("already serves this repository");
        assertThat(daemon.socket()).as("the running daemon keeps its socket").exists();
        assertThat(send(repo, repo.dir(), "checkpoint", "create").exit()).hasValue(0);
    }

    @Test
    void a_client_that_sends_nothing_does_not_hold_the_daemon() throws Exception {
        TestRepo repo = TestRepo.create(base);
        DaemonServer.requestReadLimit = Duration.ofMillis(300);
        start(repo);
        try (SocketChannel idle = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            idle.connect(UnixDomainSocketAddress.of(daemon.socket()));
            Sent s = send(repo, repo.dir(), "checkpoint", "create");
            assertThat(s.exit()).as(s.toString()).hasValue(0);
        }
    }

    @Test
    void only_its_user_can_reach_the_socket_and_a_long_path_moves_it_to_a_short_private_directory() throws Exception {
        Path deep = base;
        while (deep.toString().length() < 120) {
            deep = deep.resolve("a-rather-long-directory-name");
        }
        TestRepo repo = TestRepo.create(deep);
        start(repo);
        Path socket = daemon.socket();
        Path gitDir = repo.dir().resolve(".git").toRealPath();
        assertThat(socket.toString().length()).isLessThanOrEqualTo(100);
        assertThat(socket.getParent()).isEqualTo(DaemonSocket.shortDir());
        assertThat(DaemonSocket.elsewhereMarker(gitDir)).as("bin/loki looks for it").exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent()))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(DaemonSocket.home(gitDir))))
                .isEqualTo("rwx------");
        assertThat(send(repo, repo.dir(), "checkpoint", "create").exit()).hasValue(0);

        daemon.stop("test over");
        serving.get(10, TimeUnit.SECONDS);
        daemon.close();
        daemon = null;
        assertThat(socket).doesNotExist();
        assertThat(DaemonSocket.elsewhereMarker(gitDir)).doesNotExist();
    }

    @Test
    void the_daemon_ends_when_its_repository_is_removed_or_it_idled_long_enough() throws Exception {
        TestRepo repo = TestRepo.create(base);
        start(repo);
        dev.loki.store.FileTrees.delete(repo.dir().resolve(".git"));
        assertThat(serving.get(10, TimeUnit.SECONDS)).isEqualTo("the repository is gone");
        daemon.close();
        daemon = null;

        TestRepo idle = TestRepo.create(base.resolve("idle"));
        daemon = DaemonServer.open(LokiDir.locate(Optional.empty(), idle.env(), idle.dir()), idle.env(),
                Duration.ofSeconds(1), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        serving = serve(daemon);
        assertThat(serving.get(10, TimeUnit.SECONDS)).isEqualTo("idle for 1 s");
    }

    @Test
    void idle_timeouts_read_as_people_write_them() {
        assertThat(DaemonCommand.idle("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(DaemonCommand.idle("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(DaemonCommand.idle("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(DaemonCommand.idle("0")).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> DaemonCommand.idle("soon")).hasMessageContaining("give a duration such as");
    }

    @Test
    void status_and_stop_through_the_cli() throws Exception {
        TestRepo repo = TestRepo.create(base);
        Loki.Result none = Loki.run(repo, "daemon", "status", "--json");
        assertThat(none.exit()).isZero();
        assertThat(none.json().path("running").asBoolean(true)).isFalse();
        start(repo);
        send(repo, repo.dir(), "checkpoint", "create");
        Loki.Result st = Loki.run(repo, "daemon", "status", "--json");
        assertThat(st.json().path("running").asBoolean()).isTrue();
        assertThat(st.json().path("commands_served").asInt()).isEqualTo(1);
        assertThat(st.json().path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(Loki.run(repo, "daemon", "status").out()).contains("1 command(s) run");

        Loki.Result stop = Loki.run(repo, "daemon", "stop");
        assertThat(stop.exit()).as(stop.toString()).isZero();
        assertThat(stop.out()).contains("Stopped the loki daemon");
        assertThat(serving.get(10, TimeUnit.SECONDS)).isEqualTo("told to stop");
        daemon.close();
        daemon = null;
        assertThat(Loki.run(repo, "daemon", "stop").out()).contains("No loki daemon serves this repository.");
        Map<String, String> noGit = TestRepo.isolatedEnv(base.resolve("plain"));
        Files.createDirectories(base.resolve("plain/dir"));
        Loki.Result outside = Loki.run(base.resolve("plain/dir"), noGit, "daemon", "start");
        assertThat(outside.exit()).isEqualTo(1);
        assertThat(outside.err()).startsWith("Error: No git repository at").doesNotContain("Exception");
    }
}
