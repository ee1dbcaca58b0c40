package dev.loki.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import dev.loki.testing.TestRepo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
class DaemonAdversaryTest {
    @TempDir
    Path base;

    private DaemonServer daemon;
    private CompletableFuture<String> serving;

    @AfterEach
    void stopDaemon() throws Exception {
        if (daemon != null) {
            daemon.stop("test over");
            serving.get(10, TimeUnit.SECONDS);
            daemon.close();
        }
    }

    private void start(TestRepo repo) throws Exception {
        daemon = DaemonServer.open(LokiDir.locate(Optional.empty(), repo.env(), repo.dir()), repo.env(),
                Duration.ofMinutes(5), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        DaemonServer d = daemon;
        serving = CompletableFuture.supplyAsync(() -> {
            try {
                return d.serve();
            } finally {
                d.close();
            }
        });
    }

    private record Sent(OptionalInt exit, String out, String err) {
    }

    private static Sent send(Map<String, String> env, Path cwd, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        OptionalInt exit = DaemonClient.forward(args, env, cwd, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Sent(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

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
}
