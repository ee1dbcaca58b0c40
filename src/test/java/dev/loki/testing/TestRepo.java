package dev.loki.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real git repository in a temporary directory, with git isolated from the machine's
 * global and system configuration, and the environment loki should run with.
 */
public final class TestRepo {
    private final Path dir;
    private final Map<String, String> env;

    private TestRepo(Path dir, Map<String, String> env) {
        this.dir = dir;
        this.env = env;
    }

    /** An isolated environment (HOME, git config) rooted at {@code base}. */
    public static Map<String, String> isolatedEnv(Path base) {
        try {
            Path home = Files.createDirectories(base.resolve("home"));
            Path gitconfig = home.resolve(".gitconfig");
            if (!Files.exists(gitconfig)) {
                Files.writeString(gitconfig, "[user]\n\tname = Test\n\temail = test@example.com\n"
                        + "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n");
            }
            Map<String, String> env = new HashMap<>();
            env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            env.put("HOME", home.toString());
            env.put("GIT_CONFIG_NOSYSTEM", "1");
            env.put("GIT_CONFIG_GLOBAL", gitconfig.toString());
            env.put("LANG", "C.UTF-8");
            // a test that wants a dashboard starts one itself; runs must not leave servers behind
            env.put("LOKI_DASHBOARD", "false");
            return env;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A repository at {@code base/repo} with one commit holding {@code README.md}. */
    public static TestRepo create(Path base) {
        TestRepo r = createEmpty(base);
        r.write("README.md", "# test\n");
        r.commitAll("initial");
        return r;
    }

    /** A repository with no commit yet. */
    public static TestRepo createEmpty(Path base) {
        Map<String, String> env = isolatedEnv(base);
        Path dir = base.resolve("repo");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestRepo r = new TestRepo(dir, env);
        r.git("init", "-q");
        return r;
    }

    public Path dir() {
        return dir;
    }

    public Map<String, String> env() {
        return new HashMap<>(env);
    }

    public Path path(String rel) {
        return dir.resolve(rel);
    }

    public TestRepo write(String rel, String content) {
        return writeBytes(rel, content.getBytes(StandardCharsets.UTF_8));
    }

    public TestRepo writeBytes(String rel, byte[] content) {
        try {
            Path p = dir.resolve(rel);
            Files.createDirectories(p.getParent());
            Files.write(p, content);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String read(String rel) {
        try {
            return Files.readString(dir.resolve(rel), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean exists(String rel) {
        return Files.exists(dir.resolve(rel), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    public TestRepo delete(String rel) {
        try {
            Files.delete(dir.resolve(rel));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public TestRepo chmod(String rel, String perms) {
        try {
            Files.setPosixFilePermissions(dir.resolve(rel), PosixFilePermissions.fromString(perms));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public TestRepo commitAll(String message) {
        git("add", "-A");
        git("commit", "-q", "-m", message);
        return this;
    }

    /** Runs git in the repository and returns stdout; fails the test on a non-zero exit. */
    public String git(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.addAll(List.of(args));
        return run(cmd, dir, env);
    }

    public String head() {
        return git("rev-parse", "HEAD").strip();
    }

    /** Every ref of the user's repository, one per line. */
    public String refs() {
        return git("for-each-ref", "--format=%(refname) %(objectname)");
    }

    /** Number of objects in the user's repository (loose plus packed). */
    public long objectCount() {
        long n = 0;
        for (String line : git("count-objects", "-v").split("\n")) {
            if (line.startsWith("count: ") || line.startsWith("in-pack: ")) {
                n += Long.parseLong(line.substring(line.indexOf(':') + 2).strip());
            }
        }
        return n;
    }

    public static String run(List<String> cmd, Path cwd, Map<String, String> env) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
            pb.environment().clear();
            pb.environment().putAll(env);
            Process p = pb.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
            }
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            String text = out.toString(StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError(cmd + " exited " + p.exitValue() + ":\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
