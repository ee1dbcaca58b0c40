package dev.loki.cli;

import dev.loki.store.LokiDir;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What one invocation of loki runs against: its streams, environment and directory (passed
 * in, so tests run the real parser in-process), plus the global flags, which may appear
 * before or after the subcommand and all land here.
 */
public final class CliContext {
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final Path startDir;

    private boolean verbose;
    private Path lokiDirFlag;
    private Path directoryFlag;

    public CliContext(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, Path cwd) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.env = Map.copyOf(env);
        this.startDir = cwd.toAbsolutePath().normalize();
    }

    public InputStream in() {
        return in;
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public Map<String, String> env() {
        return env;
    }

    public Optional<String> env(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
    }

    /** The directory loki acts in: {@code -C DIR} if given, else where it was started. */
    public Path cwd() {
        return directoryFlag == null ? startDir : startDir.resolve(directoryFlag).normalize();
    }

    public boolean verbose() {
        return verbose;
    }

    public LokiDir lokiDir() {
        return LokiDir.locate(Optional.ofNullable(lokiDirFlag), env, cwd());
    }

    /**
     * The same streams and verbosity acting in {@code dir} with {@code env} (an isolated run in
     * its worktree): {@code -C} and {@code --loki-dir} do not carry over, {@code --verbose} does.
     */
    public CliContext elsewhere(Path dir, Map<String, String> env) {
        CliContext c = new CliContext(in, out, err, env, dir);
        c.verbose = verbose;
        return c;
    }

    void setVerbose(boolean verbose) {
        this.verbose = this.verbose || verbose;
    }

    void setLokiDirFlag(Path p) {
        this.lokiDirFlag = p;
    }

    void setDirectoryFlag(Path p) {
        this.directoryFlag = p;
    }
}
