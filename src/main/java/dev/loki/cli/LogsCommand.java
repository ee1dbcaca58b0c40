package dev.loki.cli;

import dev.loki.ExitCode;
import dev.loki.store.LokiDir;
import dev.loki.store.SessionLock;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loki logs [-f] [-n N]}: the run's log (logs/session.log), or the agent's output. */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Show the loop's log (.loki/logs/session.log).",
            "With --agent: the latest iteration's agent output instead."})
public final class LogsCommand extends BaseCommand {
    @Option(names = {"-n", "--tail"}, paramLabel = "N", defaultValue = "50", description = "Lines to show (default 50).")
    int lines;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new lines while the run is active.")
    boolean follow;

    @Option(names = "--agent", description = "The latest iteration's agent output.")
    boolean agent;

    LogsCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() throws Exception {
        if (lines < 0) {
            throw dev.loki.LokiException.badInput("-n must be 0 or more");
        }
        LokiDir dir = ctx.lokiDir().requireExisting();
        Path file = agent ? latestIterationLog(dir) : dir.resolve("logs/session.log");
        if (!Files.isRegularFile(file)) {
            ctx.err().println("No log yet at " + file + ".");
            return ExitCode.OK;
        }
        for (String l : tail(file, lines)) {
            ctx.out().println(l);
        }
        if (follow) {
            follow(dir, file);
        }
        return ExitCode.OK;
    }

    private void follow(LokiDir dir, Path file) throws IOException, InterruptedException {
        long pos = Files.size(file);
        int idle = 0;
        while (true) {
            long size = Files.size(file);
            if (size > pos) {
                try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                    f.seek(pos);
                    byte[] buf = new byte[(int) (size - pos)];
                    f.readFully(buf);
                    ctx.out().print(new String(buf, StandardCharsets.UTF_8));
                    ctx.out().flush();
                }
                pos = size;
                idle = 0;
            } else if (size < pos) {
                pos = 0;
            } else if (SessionLock.holder(dir).isEmpty() && ++idle > 4) {
                return;
            }
            Thread.sleep(250);
        }
    }

    private static Path latestIterationLog(LokiDir dir) throws IOException {
        Path d = dir.resolve("logs/iterations");
        if (!Files.isDirectory(d)) {
            return d.resolve("none.log");
        }
        try (var s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().matches("iteration-\\d+\\.log"))
                    .max(java.util.Comparator.comparingInt(p -> Integer.parseInt(
                            p.getFileName().toString().replaceAll("\\D", ""))))
                    .orElse(d.resolve("none.log"));
        }
    }

    static List<String> tail(Path file, int n) throws IOException {
        Deque<String> out = new ArrayDeque<>();
        try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String l;
            while ((l = r.readLine()) != null) {
                out.addLast(l);
                if (out.size() > n) {
                    out.removeFirst();
                }
            }
        }
        return List.copyOf(out);
    }
}
