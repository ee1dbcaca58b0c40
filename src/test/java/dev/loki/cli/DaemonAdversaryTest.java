package dev.loki.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
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
 * The daemon used the way a stranger or an adversary would: clients whose environments differ,
 * a daemon that does not answer, requests that are too large. Each ends as the same command
 * without the daemon would, or with one clear line.
 */
class DaemonAdversaryTest extends InProcessDaemonTest {
    private static List<String> skipped(Sent s) throws Exception {
        assertThat(s.exit()).as(s.toString()).hasValue(0);
        JsonNode cp = Json.parse(s.out());
        assertThat(cp.path("snapshot").path("status").asText()).as(s.out()).isEqualTo("captured");
        return Json.MAPPER.convertValue(cp.path("snapshot").path("skipped"),
                Json.MAPPER.getTypeFactory().constructCollectionType(List.class, String.class));
    }

    @Test
    void each_clients_file_size_limit_holds_whatever_the_daemon_took_before() throws Exception {
        TestRepo repo = TestRepo.create(base);
        repo.writeBytes("big.bin", new byte[2 * 1024 * 1024 + 1]).write("a.txt", "one\n");
        start(repo);
        Map<String, String> small = new HashMap<>(repo.env());
        small.put("LOKI_CHECKPOINT_MAX_FILE_MB", "1");

        assertThat(skipped(send(repo.env(), repo.dir(), "checkpoint", "create", "--json"))).isEmpty();
        repo.write("a.txt", "two\n");
        assertThat(skipped(send(small, repo.dir(), "checkpoint", "create", "--json")))
                .as("carried from a snapshot taken under the default limit").containsExactly("big.bin");
        repo.write("a.txt", "three\n");
        assertThat(skipped(send(repo.env(), repo.dir(), "checkpoint", "create", "--json")))
                .as("carried from a snapshot that left it out").isEmpty();
        assertThat(skipped(send(small, repo.dir(), "checkpoint", "create", "--json"))).containsExactly("big.bin");
        assertThat(daemon.served()).isEqualTo(4);
    }

    @Test
    void a_daemon_that_does_not_answer_costs_a_note_and_never_hangs_the_command() throws Exception {
        TestRepo repo = TestRepo.create(base);
        Path gitDir = repo.dir().resolve(".git").toRealPath();
        Path socket = DaemonSocket.socket(gitDir);
        Files.createDirectories(socket.getParent());
        DaemonClient.answerLimitMillis = 300;
        // a daemon stopped (SIGSTOP) or hung: its socket takes connections, nobody reads them
        try (ServerSocketChannel hung = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                FileChannel lock = FileChannel.open(DaemonSocket.lock(gitDir), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                FileLock held = lock.lock()) {
            hung.bind(UnixDomainSocketAddress.of(socket));
            Sent s = CompletableFuture.supplyAsync(() -> send(repo.env(), repo.dir(), "checkpoint", "create"))
                    .get(20, TimeUnit.SECONDS);
            assertThat(s.exit()).as("run here instead").isEmpty();
            assertThat(s.err()).contains("does not answer").contains("running the command here")
                    .as("a hung daemon holds its lock: 'start' alone would not replace it").contains("'loki daemon stop'");

            assertThat(CompletableFuture.supplyAsync(() -> DaemonClient.request(gitDir, DaemonSocket.STATUS_OP))
                    .get(20, TimeUnit.SECONDS)).isEmpty();
            Loki.Result status = CompletableFuture.supplyAsync(() -> Loki.run(repo, "daemon", "status"))
                    .get(20, TimeUnit.SECONDS);
            assertThat(status.out()).as(status.toString()).contains("does not answer");
        }
    }

    @Test
    void a_stop_whose_client_gave_up_waiting_still_stops_the_daemon() throws Exception {
        TestRepo repo = TestRepo.create(base);
        DaemonServer.requestReadLimit = Duration.ofMillis(1500);
        DaemonClient.answerLimitMillis = 300;
        start(repo);
        Path gitDir = repo.dir().resolve(".git").toRealPath();
        try (SocketChannel busy = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            busy.connect(UnixDomainSocketAddress.of(daemon.socket())); // holds the daemon (as a long checkpoint does)
            Thread.sleep(200);
            assertThat(DaemonClient.request(gitDir, DaemonSocket.STOP)).as("no answer in time").isEmpty();
            // 'loki daemon stop' waits for the lock, then ends the process; a daemon free again stops by itself
            assertThat(serving.get(10, TimeUnit.SECONDS)).isEqualTo("told to stop");
        }
    }

    @Test
    void a_client_that_gave_up_waiting_is_not_served_later() throws Exception {
        TestRepo repo = TestRepo.create(base);
        DaemonServer.requestReadLimit = Duration.ofMillis(1500);
        start(repo);
        try (SocketChannel busy = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            busy.connect(UnixDomainSocketAddress.of(daemon.socket())); // holds the daemon until its limit
            Thread.sleep(200);
            // a whole request, then the client leaves (it gave up, and ran the command itself)
            try (SocketChannel left = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                left.connect(UnixDomainSocketAddress.of(daemon.socket()));
                DataOutputStream req = new DataOutputStream(Channels.newOutputStream(left));
                req.writeInt(DaemonSocket.MAGIC);
                DaemonSocket.writeField(req, DaemonSocket.build());
                DaemonSocket.writeField(req, DaemonSocket.RUN);
                DaemonSocket.writeField(req, repo.dir().toString());
                req.writeInt(repo.env().size());
                for (Map.Entry<String, String> e : repo.env().entrySet()) {
                    DaemonSocket.writeField(req, e.getKey());
                    DaemonSocket.writeField(req, e.getValue());
                }
                req.writeInt(3);
                for (String a : List.of("checkpoint", "create", "abandoned")) {
                    DaemonSocket.writeField(req, a);
                }
                req.flush();
            }
        }
        Sent s = send(repo.env(), repo.dir(), "checkpoint", "create", "wanted");
        assertThat(s.exit()).as(s.toString()).hasValue(0);
        assertThat(daemon.served()).as("only the client that waited").isEqualTo(1);
        JsonNode list = Loki.run(repo, "checkpoint", "list", "--json").json();
        assertThat(list.toString()).contains("wanted").doesNotContain("abandoned");
    }

    @Test
    void a_request_of_more_than_a_process_environment_can_hold_is_dropped_and_the_daemon_serves_on()
            throws Exception {
        TestRepo repo = TestRepo.create(base);
        start(repo);
        int kind;
        try (SocketChannel greedy = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            greedy.connect(UnixDomainSocketAddress.of(daemon.socket()));
            // the daemon stops reading (and closes) once it is over the limit: write on another thread
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    DataOutputStream req = new DataOutputStream(new java.io.BufferedOutputStream(
                            Channels.newOutputStream(greedy)));
                    req.writeInt(DaemonSocket.MAGIC);
                    DaemonSocket.writeField(req, DaemonSocket.build());
                    DaemonSocket.writeField(req, DaemonSocket.RUN);
                    DaemonSocket.writeField(req, repo.dir().toString());
                    String mb = "x".repeat(DaemonSocket.MAX_FIELD);
                    int fields = (int) (DaemonServer.MAX_REQUEST / DaemonSocket.MAX_FIELD) + 4;
                    req.writeInt(repo.env().size() + fields);
                    for (Map.Entry<String, String> e : repo.env().entrySet()) {
                        DaemonSocket.writeField(req, e.getKey());
                        DaemonSocket.writeField(req, e.getValue());
                    }
                    for (int i = 0; i < fields; i++) {
                        DaemonSocket.writeField(req, "HUGE_" + i);
                        DaemonSocket.writeField(req, mb);
                    }
                    req.writeInt(2);
                    DaemonSocket.writeField(req, "checkpoint");
                    DaemonSocket.writeField(req, "create");
                    req.flush();
                } catch (java.io.IOException e) {
                    // dropped while sending: what the daemon does with it
                }
            });
            // the channel's own read: a Channels stream would wait for the writer's lock
            java.nio.ByteBuffer first = java.nio.ByteBuffer.allocate(1);
            try {
                kind = greedy.read(first) < 0 ? -1 : first.get(0);
            } catch (java.io.IOException e) {
                kind = -1; // reset: the daemon closed with the rest unread
            }
            greedy.close();
            writing.get(20, TimeUnit.SECONDS);
        }
        assertThat(kind).as("not accepted").isNotEqualTo((int) DaemonSocket.ACCEPTED);
        assertThat(daemon.served()).isZero();
        Sent s = send(repo.env(), repo.dir(), "checkpoint", "create");
        assertThat(s.exit()).as(s.toString()).hasValue(0);
        assertThat(daemon.served()).isEqualTo(1);
    }

    @Test
    void a_socket_in_a_directory_others_could_have_made_never_gets_the_environment() throws Exception {
        String tmp = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", base.resolve("tmp").toString());
        DaemonClient.answerLimitMillis = 300;
        try {
            Path deep = base.resolve("r");
            while (deep.toString().length() < 120) {
                deep = deep.resolve("a-rather-long-directory-name");
            }
            TestRepo repo = TestRepo.create(deep);
            Path gitDir = repo.dir().resolve(".git").toRealPath();
            Path socket = DaemonSocket.socket(gitDir);
            assertThat(socket.getParent()).isEqualTo(DaemonSocket.shortDir());
            // the marker of a daemon that did not clean up, and a /tmp emptied by a reboot, then
            // refilled by someone: a directory others may write into, with a listening socket
            Files.createDirectories(DaemonSocket.home(gitDir));
            Files.writeString(DaemonSocket.elsewhereMarker(gitDir), socket + "\n");
            Files.createDirectories(socket.getParent());
            Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
            try (ServerSocketChannel impostor = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                impostor.bind(UnixDomainSocketAddress.of(socket));
                Map<String, String> env = new HashMap<>(repo.env());
                env.put("SOME_API_KEY", "sk-secret-value");
                Sent s = CompletableFuture.supplyAsync(() -> send(env, repo.dir(), "checkpoint", "create"))
                        .get(20, TimeUnit.SECONDS);
                assertThat(s.exit()).as("run here instead").isEmpty();
                assertThat(s.err()).contains("not in a directory only you own");
                impostor.configureBlocking(false);
                assertThat(impostor.accept()).as("nothing connected to it").isNull();
                assertThat(DaemonClient.request(gitDir, DaemonSocket.STATUS_OP)).isEmpty();
                assertThat(impostor.accept()).as("nothing connected to it").isNull();
            }
        } finally {
            System.setProperty("java.io.tmpdir", tmp);
        }
    }

    @Test
    void a_client_whose_loki_dir_is_elsewhere_gets_the_work_trees_loki_directory_as_it_is_on_disk()
            throws Exception {
        TestRepo repo = TestRepo.create(base);
        repo.write(".loki/notes", "v1\n");
        start(repo); // its watcher leaves out <work tree>/.loki, the daemon's own loki directory
        Map<String, String> elsewhere = new HashMap<>(repo.env());
        elsewhere.put("LOKI_DIR", Files.createDirectories(base.resolve("elsewhere/.loki")).toString());
        Path store = repo.dir().resolve(".git/loki/store");
        for (String v : List.of("v1", "v2", "v3")) {
            repo.write(".loki/notes", v + "\n");
            Sent s = send(elsewhere, repo.dir(), "checkpoint", "create", "--json");
            assertThat(s.exit()).as(s.toString()).hasValue(0);
            String commit = Json.parse(s.out()).path("snapshot").path("commit").asText();
            assertThat(repo.git("--git-dir=" + store, "show", commit + ":.loki/notes").strip())
                    .as("the snapshot after writing " + v).isEqualTo(v);
        }
        assertThat(daemon.served()).isEqualTo(3);
    }

    @Test
    void an_at_file_argument_is_read_where_the_client_is() throws Exception {
        TestRepo repo = TestRepo.create(base);
        repo.write("sub/msg.txt", "from the client's directory\n");
        start(repo);
        Sent s = send(repo.env(), repo.path("sub"), "checkpoint", "create", "@msg.txt");
        if (s.exit().isPresent()) {
            assertThat(s.out()).as(s.toString()).contains("Message:    from the client's directory");
        }
        assertThat(s.exit()).as("run by the client, whose loki reads it in its own directory").isEmpty();
        assertThat(s.err()).as("no note: nothing went wrong").isEmpty();
        assertThat(daemon.served()).as("picocli reads '@file' in the process's directory: not the daemon's").isZero();
    }

    @Test
    void a_client_with_another_umask_runs_the_command_itself() throws Exception {
        TestRepo repo = TestRepo.create(base);
        start(repo);
        // this process's umask, as the daemon's files get it
        Path probe = Files.createDirectory(base.resolve("probe"));
        int mode = 0;
        for (var p : Files.getPosixFilePermissions(probe)) {
            mode |= 1 << (8 - p.ordinal());
        }
        int mine = 0777 & ~mode;
        Map<String, String> same = new HashMap<>(repo.env());
        same.put("LOKI_UMASK", String.format("%04o", mine));
        Sent served = send(same, repo.dir(), "checkpoint", "create");
        assertThat(served.exit()).as(served.toString()).hasValue(0);

        Map<String, String> other = new HashMap<>(repo.env());
        other.put("LOKI_UMASK", String.format("%04o", mine == 077 ? 022 : 077));
        Sent s = send(other, repo.dir(), "checkpoint", "create");
        assertThat(s.exit()).as("its files would get the daemon's umask").isEmpty();
        assertThat(s.err()).contains("umask");
        assertThat(daemon.served()).isEqualTo(1);
    }

    @Test
    void a_daemon_whose_repository_was_moved_leaves_no_socket_behind_there() throws Exception {
        TestRepo repo = TestRepo.create(base);
        start(repo);
        Path moved = base.resolve("moved");
        Files.move(repo.dir(), moved);
        assertThat(serving.get(10, TimeUnit.SECONDS)).isEqualTo("the repository is gone");
        daemon = null;
        Path gitDir = moved.resolve(".git").toRealPath();
        assertThat(DaemonSocket.socket(gitDir)).as("it stopped cleanly: no socket says otherwise").doesNotExist();
        Sent s = send(repo.env(), moved, "checkpoint", "create");
        assertThat(s.exit()).isEmpty();
        assertThat(s.err()).as("no note of a daemon that did not stop cleanly").isEmpty();
    }
}
