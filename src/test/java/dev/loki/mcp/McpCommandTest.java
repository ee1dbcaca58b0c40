package dev.loki.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loki mcp} options and {@code loki mcp install}, through the real entry point. */
class McpCommandTest {
    @TempDir
    Path base;

    @Test
    void a_non_loopback_bind_is_refused_before_listening() {
        TestRepo repo = TestRepo.create(base);
        Loki.Result r = Loki.run(repo, "mcp", "--http", "--host", "0.0.0.0", "--port", "0");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("loopback only").doesNotContain("Exception");
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(Loki.run(repo, "mcp", "--http", "--port", "70000").exit()).isEqualTo(2);
    }

    @Test
    void install_prints_the_entry_without_writing_anything() {
        TestRepo repo = TestRepo.create(base);
        Loki.Result r = Loki.run(repo, "mcp", "install", "claude");
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode entry = r.json().path("mcpServers").path("loki");
        assertThat(entry.path("command").asText()).isEqualTo("loki");
        assertThat(entry.path("args").get(0).asText()).isEqualTo("mcp");
        assertThat(repo.exists(".mcp.json")).isFalse();
        assertThat(Loki.run(repo, "mcp", "install", "vscode").exit()).isEqualTo(2);
    }

    @Test
    void install_write_merges_into_the_clients_file_keeping_other_servers_and_a_backup() throws Exception {
        TestRepo repo = TestRepo.create(base);
        String before = "{\n  \"mcpServers\": {\n    \"github\": {\"command\": \"gh-mcp\"},\n"
                + "    \"loki\": {\"command\": \"old\"}\n  },\n  \"other\": 1\n}\n";
        repo.write(".mcp.json", before);
        Loki.Result r = Loki.run(repo, "mcp", "install", "claude", "--write");
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode after = Json.parse(repo.read(".mcp.json"));
        assertThat(after.path("mcpServers").path("github").path("command").asText()).isEqualTo("gh-mcp");
        assertThat(after.path("mcpServers").path("loki").path("command").asText()).isEqualTo("loki");
        assertThat(after.path("other").asInt()).isEqualTo(1);
        List<Path> backups;
        try (Stream<Path> s = Files.list(repo.dir())) {
            backups = s.filter(p -> p.getFileName().toString().startsWith(".mcp.json.bak-")).toList();
        }
        assertThat(backups).hasSize(1);
        assertThat(Files.readString(backups.get(0))).isEqualTo(before);
    }

    @Test
    void install_write_for_codex_replaces_only_its_own_table() throws Exception {
        TestRepo repo = TestRepo.create(base);
        Path toml = base.resolve("config.toml");
        Files.writeString(toml, "model = \"o4\"\n\n[mcp_servers.loki]\ncommand = \"old\"\n\n[mcp_servers.loki.env]\n"
                + "X = \"1\"\n\n[mcp_servers.github]\ncommand = \"gh-mcp\"\n");
        Loki.Result r = Loki.run(repo, "mcp", "install", "codex", "--write", "--file", toml.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        String after = Files.readString(toml);
        assertThat(after).contains("model = \"o4\"").contains("[mcp_servers.github]\ncommand = \"gh-mcp\"")
                .contains("[mcp_servers.loki]\ncommand = \"loki\"\nargs = [\"-C\", \"" + repo.dir() + "\", \"mcp\"]")
                .doesNotContain("old").doesNotContain("X = \"1\"");
    }

    @Test
    void install_write_leaves_a_file_it_cannot_parse_alone() throws Exception {
        TestRepo repo = TestRepo.create(base);
        repo.write(".mcp.json", "{ not json");
        Loki.Result r = Loki.run(repo, "mcp", "install", "claude", "--write");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("not valid JSON");
        assertThat(repo.read(".mcp.json")).isEqualTo("{ not json");
    }
}
