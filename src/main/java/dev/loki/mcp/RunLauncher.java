package dev.loki.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import dev.loki.store.SessionLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code loki_start_project}: runs {@code loki start} as its own detached process (its own
 * session, output to {@code .loki/logs/mcp-start.log}), the same command a person would type,
 * and waits until the run holds the session lock or has ended. Control it afterwards with
 * loki_pause / loki_stop as any run.
 */
final class RunLauncher {
    private static final Duration START_WAIT = Duration.ofSeconds(20);

    private RunLauncher() {
    }

    static ObjectNode start(McpContext c, Optional<String> spec, Optional<String> provider, int maxIterations)
            throws IOException, InterruptedException {
        LokiDir loki = c.loki();
        Optional<Long> holder = loki.exists() ? SessionLock.holder(loki) : Optional.empty();
        if (holder.isPresent()) {
            throw new ToolError(409, "A loki run (pid " + holder.get() + ") is already active in this project; stop"
                    + " it first with loki_stop.");
        }
        // the run is given the file that was checked, not the name: a link swapped after the check leads nowhere new
        Optional<Path> checked = spec.map(s -> ProjectPath.existingFile(loki.workTree(), s, "spec"));
        loki.ensureExists();
        // a run outlives the MCP call that started it: detached, in its own session (Processes.startDetached)
        List<String> cmd = new ArrayList<>();
        cmd.add("--loki-dir");
        cmd.add(loki.path().toString());
        cmd.add("start");
        checked.ifPresent(p -> cmd.add(p.toString()));
        provider.ifPresent(p -> {
            cmd.add("--provider");
            cmd.add(p);
        });
        if (maxIterations > 0) {
            cmd.add("--max-iterations");
            cmd.add(Integer.toString(maxIterations));
        }
        Path log = Files.createDirectories(loki.resolve("logs")).resolve("mcp-start.log");
        Process child = dev.loki.process.Processes.startDetached(
                dev.loki.process.JavaChild.command(List.of(), "dev.loki.cli.Main", cmd), loki.workTree(), c.env(), log);
        Instant deadline = Instant.now().plus(START_WAIT);
        while (Instant.now().isBefore(deadline)) {
            if (SessionLock.holder(loki).isPresent() || !child.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        ObjectNode o = Json.object();
        o.put("pid", child.pid());
        o.put("log", log.toString());
        if (!child.isAlive() && child.exitValue() != 0) {
            throw new ToolError(422, "'loki start' exited at once (code " + child.exitValue() + "): " + dev.loki.process.Processes.lastLine(log, 300));
        }
        o.put("started", true);
        o.put("running", child.isAlive());
        o.put("message", child.isAlive() ? "The run started; follow it with loki_project_status."
                : "The run started and has already ended; see loki_project_status.");
        return o;
    }
}
