package dev.loki.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Flags every command accepts, before or after its name; they all write to the one context. */
public final class GlobalOptions {
    private final CliContext ctx;

    public GlobalOptions(CliContext ctx) {
        this.ctx = ctx;
    }

    @Option(names = "--verbose", description = "Show stack traces and debugging detail on errors.")
    void verbose(boolean v) {
        ctx.setVerbose(v);
    }

    @Option(names = "--loki-dir", paramLabel = "DIR",
            description = "The .loki directory to use (default: $LOKI_DIR, else the one at the work tree root).")
    void lokiDir(Path p) {
        ctx.setLokiDirFlag(p);
    }

    @Option(names = "-C", paramLabel = "DIR", description = "Run as if loki was started in DIR (which must exist).")
    void directory(Path p) {
        ctx.setDirectoryFlag(p);
    }
}
