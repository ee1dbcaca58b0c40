package dev.loki.git;

import dev.loki.process.Command;
import dev.loki.process.Outcome;
import dev.loki.process.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The git CLI for the user's repository: an argument list (never a shell string), a working
 * directory, an explicit environment, a timeout, and stderr kept for the error message. It runs
 * through {@link Processes} (own process group, registered, tree killed on timeout); git calls
 * are plumbing a stop lets finish, so a checkpoint in progress is never cut in half.
 */
public final class GitCli {
    /** Variables a parent process (a git hook, say) may have set that would redirect our calls. */
    private static final List<String> INHERITED_GIT_VARS = List.of("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE",
            "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_PREFIX",
            "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES", "GIT_QUARANTINE_PATH");

    private static final int MAX_STDERR = 64 * 1024;
    private static final long MAX_STDOUT = Integer.MAX_VALUE - 64;

    private final Path dir;
    private final Map<String, String> env;
    private final Duration defaultTimeout;

    private GitCli(Path dir, Map<String, String> env, Duration defaultTimeout) {
        this.dir = dir;
        this.env = env;
        this.defaultTimeout = defaultTimeout;
    }

    /** A git that runs in {@code dir} with the caller's environment minus GIT_* redirections. */
    public static GitCli in(Path dir, Map<String, String> baseEnv) {
        Map<String, String> env = new HashMap<>(baseEnv);
        INHERITED_GIT_VARS.forEach(env::remove);
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("LC_ALL", "C");
        return new GitCli(dir, Map.copyOf(env), Duration.ofMinutes(5));
    }

    public GitCli withEnv(Map<String, String> extra) {
        Map<String, String> merged = new HashMap<>(env);
        merged.putAll(extra);
        return new GitCli(dir, Map.copyOf(merged), defaultTimeout);
    }

    public GitCli withTimeout(Duration timeout) {
        return new GitCli(dir, env, timeout);
    }

    public Path dir() {
        return dir;
    }

    /** The outcome of one git call. */
    public record Result(int exitCode, byte[] stdout, String stderr) {
        public String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        public boolean ok() {
            return exitCode == 0;
        }

        /** NUL-separated records of {@code -z} output. */
        public List<String> nulSeparated() {
            List<String> items = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < stdout.length; i++) {
                if (stdout[i] == 0) {
                    items.add(new String(stdout, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (start < stdout.length) {
                items.add(new String(stdout, start, stdout.length - start, StandardCharsets.UTF_8));
            }
            return items;
        }
    }

    /** Runs git and returns its result whatever the exit code; throws only on timeout or I/O. */
    public Result exec(List<String> args, byte[] stdin, Duration timeout) {
        List<String> cmd = new ArrayList<>(args.size() + 3);
        cmd.add(executable(env.get("PATH")));
        cmd.add("-c");
        cmd.add("core.quotepath=off");
        cmd.addAll(args);
        Outcome o;
        try {
            o = Processes.run(Command.of(cmd, dir, env).withStdin(stdin).toMemory(MAX_STDOUT, MAX_STDERR)
                    .withTimeout(timeout).notCancellable());
        } catch (IOException e) {
            throw new GitException(args, 127, e.getMessage() + " (install git and make sure it is on PATH)", false);
        }
        if (o.timedOut()) {
            throw new GitException(args, -1, "", true);
        }
        if (o.cancelled()) {
            throw new GitException(args, -1, "interrupted", true);
        }
        return new Result(o.exitCode(), o.stdout(), o.err());
    }

    /** Runs git and throws {@link GitException} unless it exits 0. */
    public Result run(List<String> args, byte[] stdin, Duration timeout) {
        Result r = exec(args, stdin, timeout);
        if (!r.ok()) {
            throw new GitException(args, r.exitCode(), r.stderr(), false);
        }
        return r;
    }

    public Result run(String... args) {
        return run(List.of(args), null, defaultTimeout);
    }

    public Result exec(String... args) {
        return exec(List.of(args), null, defaultTimeout);
    }

    /** stdout of a successful call, trailing newline removed. */
    public String line(String... args) {
        return run(args).out().strip();
    }

    private static final Map<String, String> RESOLVED = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The git on the PATH of the environment we were given (the JVM would otherwise look it up
     * on its own PATH, ignoring the one a test or a caller set).
     */
    static String executable(String path) {
        if (path == null || path.isBlank()) {
            return "git";
        }
        return RESOLVED.computeIfAbsent(path, p -> {
            for (String dir : p.split(java.io.File.pathSeparator)) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(dir, "git");
                if (java.nio.file.Files.isExecutable(candidate) && !java.nio.file.Files.isDirectory(candidate)) {
                    return candidate.toString();
                }
            }
            return "git";
        });
    }
}
