package dev.loki.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.dashboard.auth.Scope;
import dev.loki.dashboard.auth.TokenStore;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import dev.loki.testing.FakeAgents;
import dev.loki.testing.Leftovers;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MCP server driven by a client we did not write: the official TypeScript SDK
 * ({@code @modelcontextprotocol/sdk}), installed by npm into {@code target/mcp-client} (kept
 * across runs). The script ({@code src/test/resources/mcp/client.mjs}) initializes, lists
 * tools and checks their schemas, calls every tool's happy and bad-input paths, reads the
 * resources, rolls back through MCP and undoes it, and over HTTP checks that calls without a
 * token, with a wrong one, or with a foreign Host or Origin are refused. Without npm the test
 * is skipped, except under {@code CI=true}, where it fails.
 */
class McpClientTest {
    static final String SDK_VERSION = "1.32.2";
    static final String AJV_VERSION = "8.20.0";
    private static Path clientDir;
    private static String node;

    @TempDir
    Path base;

    /**
     * Marks the fixture's env, which the client and the stdio server inherit: the server is started
     * with the repository as its cwd, so its command line never names the repository.
     */
    @RegisterExtension
    final Leftovers.Marker marker = new Leftovers.Marker();

    @BeforeAll
    static void installClient() throws Exception {
        Optional<Path> npm = onPath("npm");
        Optional<Path> nodeBin = onPath("node");
        if (npm.isEmpty() || nodeBin.isEmpty()) {
            String why = "node and npm are needed to run the official MCP TypeScript client (Debian: apt-get install"
                    + " nodejs npm)";
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why + "; skipped outside CI");
        }
        node = nodeBin.get().toString();
        clientDir = Path.of("target", "mcp-client").toAbsolutePath();
        Files.createDirectories(clientDir);
        Path pkg = clientDir.resolve("node_modules/@modelcontextprotocol/sdk/package.json");
        boolean cached = Files.isRegularFile(pkg) && Json.parse(Files.readString(pkg)).path("version").asText()
                .equals(SDK_VERSION) && Files.isDirectory(clientDir.resolve("node_modules/ajv"));
        if (!cached) {
            Files.writeString(clientDir.resolve("package.json"),
                    "{\"name\": \"loki-mcp-test-client\", \"private\": true, \"type\": \"module\"}\n");
            Path log = clientDir.resolve("npm-install.log");
            Process p = new ProcessBuilder(npm.get().toString(), "install", "--no-audit", "--no-fund",
                    "@modelcontextprotocol/sdk@" + SDK_VERSION, "ajv@" + AJV_VERSION).directory(clientDir.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                fail("npm install did not finish in 300 s; see " + log);
            }
            assertThat(p.exitValue()).as("npm install failed: " + Files.readString(log)).isZero();
        }
        try (InputStream in = McpClientTest.class.getResourceAsStream("/mcp/client.mjs")) {
            Files.write(clientDir.resolve("client.mjs"), in.readAllBytes());
        }
    }

    /** A project with a finished one-iteration run (so a proof and an episode exist). */
    private Fixture project() throws IOException {
        TestRepo repo = TestRepo.create(base);
        repo.write("PRD.md", "# Calculator\n\n- add(a, b) in calc.sh returns the sum\n");
        repo.commitAll("spec");
        Path agent = FakeAgents.script(base, "agent",
                "prompt=\"$(cat)\"\nprintf 'add() { echo $(( $1 + $2 )); }\\n' > calc.sh\necho implemented add");
        Map<String, String> env = marker.mark(FakeAgents.command(FakeAgents.env(repo, base), agent));
        Loki.Result run = Loki.run(repo.dir(), env, "start", "PRD.md", "--max-iterations", "1");
        // no completion claim: the run ends at its cap, which start reports with exit 3
        assertThat(run.exit()).as(run.toString()).isEqualTo(3);
        String runId = Json.parse(Files.readString(repo.path(".loki/state/run.json"))).path("run_id").asText();
        return new Fixture(repo, env, runId);
    }

    private record Fixture(TestRepo repo, Map<String, String> env, String runId) {
        LokiDir loki() {
            return new LokiDir(repo.path(".loki"), repo.dir());
        }
    }

    @Test
    void the_typescript_sdk_client_drives_every_tool_and_resource_over_stdio() throws Exception {
        Fixture f = project();
        String java = ProcessHandle.current().info().command().orElse("java");
        Map<String, String> vars = new HashMap<>();
        vars.put("MCP_MODE", "stdio");
        vars.put("MCP_SERVER", Json.compact(List.of(java, "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), "dev.loki.cli.Main", "mcp")));
        vars.put("MCP_ENV", Json.compact(f.env()));
        String out = runClient(f, vars);
        assertThat(out).contains("OK ");

        List<JsonNode> audit = audit(f);
        assertThat(audit).anySatisfy(a -> {
            assertThat(a.path("actor").asText()).isEqualTo("stdio");
            assertThat(a.path("action").asText()).isEqualTo("mcp loki_checkpoint_restore");
            assertThat(a.path("success").asBoolean()).isTrue();
        });
        assertThat(audit).noneMatch(a -> a.path("action").asText().equals("mcp loki_project_status"));
        assertNoProcessLeft(f);
    }

    @Test
    void the_typescript_sdk_client_drives_every_tool_over_http_and_bad_credentials_are_refused() throws Exception {
        Fixture f = project();
        TokenStore tokens = new TokenStore(f.loki());
        String control = tokens.create("mcp-test", Scope.CONTROL, Optional.empty());
        String read = tokens.create("mcp-reader", Scope.READ, Optional.empty());
        String out;
        try (McpContext ctx = new McpContext(f.loki(), f.env()); McpHttp server = McpHttp.start(ctx, "127.0.0.1", 0)) {
            Map<String, String> vars = new HashMap<>();
            vars.put("MCP_MODE", "http");
            vars.put("MCP_URL", server.url());
            vars.put("MCP_TOKEN", control);
            vars.put("MCP_READ_TOKEN", read);
            out = runClient(f, vars);
        }
        assertThat(out).contains("OK ");

        List<JsonNode> audit = audit(f);
        assertThat(audit).anySatisfy(a -> {
            assertThat(a.path("actor").asText()).isEqualTo("mcp-test");
            assertThat(a.path("auth").asText()).isEqualTo("token");
            assertThat(a.path("action").asText()).isEqualTo("mcp loki_checkpoint_restore");
            assertThat(a.path("success").asBoolean()).isTrue();
        });
        assertThat(audit).anySatisfy(a -> {
            assertThat(a.path("actor").asText()).isEqualTo("mcp-reader");
            assertThat(a.path("status").asInt()).isEqualTo(403);
        });
        assertThat(audit).filteredOn(a -> a.path("status").asInt() == 401).hasSizeGreaterThanOrEqualTo(2);
        String all = Files.readString(f.repo().path(".loki/audit").resolve(
                Files.list(f.repo().path(".loki/audit")).filter(p -> p.toString().endsWith(".jsonl")).findFirst()
                        .orElseThrow().getFileName()));
        assertThat(all).doesNotContain(control).doesNotContain(read);
        assertNoProcessLeft(f);
    }

    private String runClient(Fixture f, Map<String, String> vars) throws Exception {
        Map<String, String> env = new HashMap<>(f.env());
        env.putAll(vars);
        env.put("MCP_REPO", f.repo().dir().toString());
        env.put("MCP_RUN_ID", f.runId());
        Path log = base.resolve("client-" + vars.get("MCP_MODE") + ".log");
        ProcessBuilder pb = new ProcessBuilder(node, "client.mjs").directory(clientDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(150, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("the MCP client did not finish in 150 s:\n" + Files.readString(log));
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static List<JsonNode> audit(Fixture f) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(f.repo().path(".loki/audit"))) {
            for (Path p : files.filter(x -> x.toString().endsWith(".jsonl")).sorted().toList()) {
                for (String l : Files.readAllLines(p)) {
                    if (!l.isBlank()) {
                        out.add(Json.parse(l));
                    }
                }
            }
        }
        return out;
    }

    /** {@code ps}: no process (the stdio server, the run it started) still names this project. */
    private void assertNoProcessLeft(Fixture f) throws Exception {
        String needle = f.repo().dir().toString();
        List<String> left = List.of();
        for (int i = 0; i < 100; i++) {
            Process ps = new ProcessBuilder("ps", "-eo", "pid,args").redirectErrorStream(true).start();
            String text = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            ps.waitFor(10, TimeUnit.SECONDS);
            left = new ArrayList<>(text.lines().filter(l -> l.contains(needle) && !l.contains(" ps -eo")).toList());
            left.addAll(marker.carrying());
            if (left.isEmpty()) {
                return;
            }
            Thread.sleep(100);
        }
        fail("processes left behind: " + left);
    }

    private static Optional<Path> onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(d.isEmpty() ? "." : d, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
