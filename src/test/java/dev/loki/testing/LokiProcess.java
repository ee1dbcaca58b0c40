package dev.loki.testing;

import dev.loki.process.JavaChild;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** loki as a real separate process (same classes as the test), for pause/stop/crash tests. */
public final class LokiProcess {
    public final Process process;
    public final Path out;
    public final Path err;

    private LokiProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** Starts {@code loki args} in {@code cwd} with exactly {@code env}; its output goes to files in {@code logDir}. */
    public static LokiProcess start(Path cwd, Map<String, String> env, Path logDir, String... args) throws IOException {
        return start(cwd, env, logDir, List.of(), args);
    }

    /** The same with extra JVM flags (a system property, say). */
    public static LokiProcess start(Path cwd, Map<String, String> env, Path logDir, List<String> jvmFlags,
            String... args) throws IOException {
        List<String> flags = new java.util.ArrayList<>(List.of("-XX:TieredStopAtLevel=1"));
        flags.addAll(jvmFlags);
        List<String> cmd = JavaChild.command(flags, "dev.loki.cli.Main", List.of(args));
        Files.createDirectories(logDir);
        Path out = Files.createTempFile(logDir, "loki-out", ".txt");
        Path err = Files.createTempFile(logDir, "loki-err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        return new LokiProcess(pb.start(), out, err);
    }

    public int waitFor(Duration max) throws Exception {
        if (!process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("loki did not end within " + max + "\n" + output());
        }
        return process.exitValue();
    }

    public String stderr() throws IOException {
        return Files.readString(err);
    }

    public String output() throws IOException {
        return "--- stdout\n" + Files.readString(out) + "--- stderr\n" + Files.readString(err);
    }

    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
