package dev.loki.cli;

import dev.loki.store.LokiDir;
import dev.loki.testing.TestRepo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the in-process daemon tests share: a daemon serving a test repository on another thread
 * (closed, as 'loki daemon run' closes it, when it stops), a client's hand-over with what it
 * printed, and the settings a test may shorten put back after each test.
 */
abstract class InProcessDaemonTest {
    @TempDir
    Path base;

    DaemonServer daemon;
    CompletableFuture<String> serving;

    @AfterEach
    void stopDaemon() throws Exception {
        if (daemon != null) {
            daemon.stop("test over");
            serving.get(10, TimeUnit.SECONDS);
            daemon.close();
        }
        System.clearProperty("loki.jar");
        DaemonServer.requestReadLimit = Duration.ofSeconds(10);
        DaemonClient.answerLimitMillis = 5_000;
    }

    void start(TestRepo repo) throws Exception {
        daemon = DaemonServer.open(LokiDir.locate(Optional.empty(), repo.env(), repo.dir()), repo.env(),
                Duration.ofMinutes(5), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        serving = serve(daemon);
    }

    /** Serves on another thread and, as 'loki daemon run' does, closes (socket, lock) when it stops. */
    static CompletableFuture<String> serve(DaemonServer d) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return d.serve();
            } finally {
                d.close();
            }
        });
    }

    /** What the client printed and returned. */
    record Sent(OptionalInt exit, String out, String err) {
    }

    static Sent send(TestRepo repo, Path cwd, String... args) {
        return send(repo.env(), cwd, args);
    }

    static Sent send(Map<String, String> env, Path cwd, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        OptionalInt exit = DaemonClient.forward(args, env, cwd, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Sent(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
