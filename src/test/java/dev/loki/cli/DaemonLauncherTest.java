package dev.loki.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.testing.Leftovers;
import dev.loki.testing.Loki;
import dev.loki.testing.LokiProcess;
import dev.loki.testing.TestRepo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/loki's fast path to a daemon, with real processes: the launcher starts the small client
 * jar, which hands {@code checkpoint create} to a daemon started from this build; everything
 * else, and everything a missing or dead daemon cannot take, goes to the full loki. The full
 * loki here is a stand-in jar that says it ran (so no build of the real jar is needed), and the
 * daemon is told to take that jar for its build.
 */
class DaemonLauncherTest {
    @TempDir
    Path base;

    @RegisterExtension
    final Leftovers.Marker marker = new Leftovers.Marker();

    @AfterEach
    void clear() {
        System.clearProperty("loki.jar");
    }

    @Test
    void checkpoint_create_goes_to_the_daemon_and_the_rest_to_loki_itself() throws Exception {
        TestRepo repo = TestRepo.create(base);
        Path lib = jars();
        Map<String, String> env = marker.mark(new HashMap<>(repo.env()));
        LokiProcess daemon = LokiProcess.start(repo.dir(), env, base.resolve("logs"),
                List.of("-Dloki.jar=" + lib.resolve("loki.jar")), "daemon", "run", "--idle-timeout", "120s");
        Path gitDir = repo.dir().resolve(".git").toRealPath();
        awaitAnswer(gitDir, lib, daemon);

        repo.write("work.txt", "before\n");
        Launch cp = launch(lib, repo.dir(), env, "checkpoint", "create", "through", "the", "launcher", "--json");
        assertThat(cp.exit()).as(cp.toString()).isZero();
        assertThat(cp.out()).doesNotContain("full loki ran");
        JsonNode made = Json.parse(cp.out());
        assertThat(made.path("message").asText()).isEqualTo("through the launcher");
        Files.createDirectories(repo.path("sub"));
        Launch alias = launch(lib, repo.path("sub"), env, "cp", "create", "from", "below");
        assertThat(alias.exit()).as(alias.toString()).isZero();
        assertThat(alias.out()).contains("Checkpoint: cp-").doesNotContain("full loki ran");

        repo.write("work.txt", "after\n");
        Loki.Result back = Loki.run(repo, "rollback", "to", made.path("id").asText());
        assertThat(back.exit()).as(back.toString()).isZero();
        assertThat(repo.read("work.txt")).as("the daemon's checkpoint holds the bytes").isEqualTo("before\n");

        Launch list = launch(lib, repo.dir(), env, "checkpoint", "list");
        assertThat(list.out()).as("only checkpoint create goes to the daemon").contains("full loki ran: checkpoint list");
        Launch off = launch(lib, repo.dir(), with(env, "LOKI_DAEMON", "0"), "checkpoint", "create");
        assertThat(off.out()).as("LOKI_DAEMON=0").contains("full loki ran: checkpoint create");

        // killed without cleaning up: the client says so once, and loki itself runs the command
        daemon.process.destroyForcibly();
        assertThat(daemon.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Launch dead = launch(lib, repo.dir(), env, "checkpoint", "create", "x");
        assertThat(dead.exit()).as(dead.toString()).isZero();
        assertThat(dead.err()).contains("the loki daemon of this repository is gone");
        assertThat(dead.out()).contains("full loki ran: checkpoint create x (LOKI_DAEMON=0)");
        Launch after = launch(lib, repo.dir(), env, "checkpoint", "create", "y");
        assertThat(after.err()).isEmpty();
        assertThat(after.out()).contains("full loki ran: checkpoint create y (LOKI_DAEMON=none)");
        assertThat(marker.carrying()).as("nothing is left running").isEmpty();
    }

    @Test
    void daemon_start_runs_it_in_the_background_and_stop_ends_it() throws Exception {
        TestRepo repo = TestRepo.create(base);
        Map<String, String> env = marker.mark(new HashMap<>(repo.env()));
        LokiProcess start = LokiProcess.start(repo.dir(), env, base.resolve("logs"), "daemon", "start");
        assertThat(start.waitFor(Duration.ofSeconds(60))).as(start.output()).isZero();
        assertThat(Files.readString(start.out)).contains("Started the loki daemon (pid ");
        assertThat(marker.carrying()).as("the daemon runs").hasSize(1);

        LokiProcess again = LokiProcess.start(repo.dir(), env, base.resolve("logs"), "daemon", "start");
        assertThat(again.waitFor(Duration.ofSeconds(60))).isZero();
        assertThat(Files.readString(again.out)).contains("already serves");

        Loki.Result status = Loki.run(repo.dir(), env, "daemon", "status", "--json");
        assertThat(status.json().path("running").asBoolean()).as(status.toString()).isTrue();
        long pid = status.json().path("pid").asLong();
        assertThat(marker.carrying().get(0)).startsWith(pid + ":");

        Loki.Result stop = Loki.run(repo.dir(), env, "daemon", "stop");
        assertThat(stop.out()).as(stop.toString()).contains("Stopped the loki daemon (pid " + pid + ")");
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("gone when it says so").isEmpty();
        Instant deadline = Instant.now().plusSeconds(10);
        while (!marker.carrying().isEmpty() && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
        assertThat(marker.carrying()).as("no daemon left").isEmpty();
        assertThat(DaemonSocket.socket(repo.dir().resolve(".git").toRealPath())).doesNotExist();
        assertThat(Files.readString(repo.path(".git/loki/daemon/daemon.log"))).contains("stopped (told to stop)");
    }

    private static Map<String, String> with(Map<String, String> env, String k, String v) {
        Map<String, String> m = new HashMap<>(env);
        m.put(k, v);
        return m;
    }

    private static void awaitAnswer(Path gitDir, Path lib, LokiProcess daemon) throws Exception {
        System.setProperty("loki.jar", lib.resolve("loki.jar").toString()); // our build, as the daemon sees it
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline) && daemon.process.isAlive()
                && DaemonClient.request(gitDir, DaemonSocket.STATUS_OP).isEmpty()) {
            Thread.sleep(50);
        }
        assertThat(DaemonClient.request(gitDir, DaemonSocket.STATUS_OP)).as(daemon.output()).isPresent();
        System.clearProperty("loki.jar");
    }

    private record Launch(int exit, String out, String err) {
    }

    private Launch launch(Path lib, Path cwd, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", Path.of("bin", "loki").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.environment().put("LOKI_JAR", lib.resolve("loki.jar").toString());
        pb.environment().put("LOKI_CACHE_DIR", base.resolve("cds").toString()); // the archives too, as users get them
        pb.environment().put("LOKI_JAVA_HOME", System.getProperty("java.home"));
        Path out = Files.createTempFile(base, "out", ".txt");
        Path err = Files.createTempFile(base, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Launch(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /**
     * {@code lib/loki-client.jar} as the build makes it (the client, its protocol, GitDirs), and
     * {@code lib/loki.jar}: a stand-in Main that prints what it was asked and LOKI_DAEMON.
     */
    private Path jars() throws Exception {
        Path lib = Files.createDirectories(base.resolve("lib"));
        Path classes = Path.of(DaemonClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(lib.resolve("loki-client.jar")))) {
            for (String dir : List.of("dev/loki/cli", "dev/loki/git")) {
                try (var files = Files.list(classes.resolve(dir))) {
                    for (Path f : files.toList()) {
                        String name = f.getFileName().toString();
                        if (name.startsWith("DaemonClient") || name.startsWith("DaemonSocket")
                                || name.startsWith("GitDirs")) {
                            out.putNextEntry(new JarEntry(dir + "/" + name));
                            out.write(Files.readAllBytes(f));
                            out.closeEntry();
                        }
                    }
                }
            }
        }
        Path src = Files.createDirectories(base.resolve("src/dev/loki/cli")).resolve("Main.java");
        Files.writeString(src, "package dev.loki.cli; public class Main { public static void main(String[] a) {"
                + " System.out.println(\"full loki ran: \" + String.join(\" \", a) + \" (LOKI_DAEMON=\""
                + " + System.getenv().getOrDefault(\"LOKI_DAEMON\", \"none\") + \")\"); } }", StandardCharsets.UTF_8);
        Path standIn = Files.createDirectories(base.resolve("stand-in"));
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", standIn.toString(), src.toString()))
                .isZero();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(lib.resolve("loki.jar")))) {
            out.putNextEntry(new JarEntry("dev/loki/cli/Main.class"));
            out.write(Files.readAllBytes(standIn.resolve("dev/loki/cli/Main.class")));
            out.closeEntry();
        }
        return lib;
    }
}
