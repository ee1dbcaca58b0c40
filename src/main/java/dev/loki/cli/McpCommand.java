package dev.loki.cli;

import dev.loki.ExitCode;
import dev.loki.LokiException;
import dev.loki.mcp.ClientConfig;
import dev.loki.mcp.McpContext;
import dev.loki.mcp.McpHttp;
import dev.loki.mcp.McpStdio;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code loki mcp}: the MCP server for this project (stdio, or streamable HTTP on loopback). */
@Command(name = "mcp", mixinStandardHelpOptions = true,
        description = {"Serve this project over the Model Context Protocol. An agent (Claude Code,",
            "Codex, Cline...) reads status, checkpoints, proofs and memory, and rolls back,",
            "pauses or stops runs. Default: stdio. --http: streamable HTTP on 127.0.0.1,",
            "with a token from 'loki dashboard token create'."},
        subcommands = McpCommand.Install.class)
public final class McpCommand extends BaseCommand {
    @Option(names = "--http", description = "Serve streamable HTTP at http://127.0.0.1:PORT/mcp instead of stdio.")
    boolean http;

    @Option(names = "--port", paramLabel = "N", defaultValue = "57375",
            description = "HTTP port (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "HTTP bind address; loopback only (default ${DEFAULT-VALUE}).")
    String host;

    McpCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() throws Exception {
        if (port < 0 || port > 65535) {
            throw LokiException.badInput("--port must be between 0 and 65535");
        }
        if (http) {
            McpHttp.requireLoopback(host); // before anything of the project is opened
        }
        try (McpContext mcp = new McpContext(ctx.lokiDir(), ctx.env())) {
            if (!http) {
                McpStdio.serve(mcp, ctx.in(), ctx.out());
                return ExitCode.OK;
            }
            McpHttp server = McpHttp.start(mcp, host, port);
            Thread stop = new Thread(server::close, "loki-mcp-stop");
            Runtime.getRuntime().addShutdownHook(stop);
            try {
                ctx.err().println("loki MCP server for " + ctx.lokiDir().workTree() + " at " + server.url());
                ctx.err().println("Send 'Authorization: Bearer <token>' (create one: loki dashboard token create"
                        + " --scope control). Ctrl+C stops it.");
                server.join();
                return ExitCode.OK;
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(stop); // served in-process (tests): no hook left behind
                } catch (IllegalStateException e) {
                    // the JVM is shutting down: the hook is running
                }
            }
        }
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = {"Print the MCP client configuration that starts 'loki mcp' for this project,",
                "or merge it into the client's file with --write (other servers are kept; the old file is",
                "backed up first)."})
    static final class Install extends BaseCommand {
        @Parameters(paramLabel = "CLIENT", description = "claude, codex or cline.")
        String client;

        @Option(names = "--write", description = "Merge the entry into the client's configuration file.")
        boolean write;

        @Option(names = "--file", paramLabel = "FILE", description = "The configuration file (default: the client's).")
        Path file;

        @Option(names = "--command", paramLabel = "CMD", defaultValue = "loki",
                description = "How the client starts loki (default: ${DEFAULT-VALUE} on its PATH).")
        String command;

        Install(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            if (!ClientConfig.CLIENTS.contains(client)) {
                throw LokiException.badInput("Unknown client '" + client + "': use claude, codex or cline");
            }
            Path work = ctx.lokiDir().workTree();
            Path target = file != null ? ctx.cwd().resolve(file).normalize()
                    : ClientConfig.defaultFile(client, work, ctx.env());
            ClientConfig.Plan plan = ClientConfig.plan(client, target, command, work);
            if (!write) {
                ctx.err().println("Add this to " + target + " (or run again with --write to merge it in):");
                ctx.out().print(plan.snippet());
                return ExitCode.OK;
            }
            ClientConfig.Written w = ClientConfig.write(plan);
            ctx.out().println("Added the 'loki' MCP server to " + w.file()
                    + w.backup().map(b -> " (previous file saved as " + b + ")").orElse(""));
            return ExitCode.OK;
        }
    }
}
