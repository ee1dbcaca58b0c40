package dev.loki.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.LokiException;
import dev.loki.store.AtomicFiles;
import dev.loki.store.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code loki mcp install}: the MCP client configuration that starts {@code loki mcp} for this
 * project, for Claude Code (project {@code .mcp.json}), Codex ({@code ~/.codex/config.toml})
 * and Cline ({@code cline_mcp_settings.json}). Merging touches only the {@code loki} entry;
 * every other server is kept, and the old file is copied to a {@code .bak-<time>} first.
 */
public final class ClientConfig {
    public static final List<String> CLIENTS = List.of("claude", "codex", "cline");

    /** The file a client reads, and the text to put there (the whole merged file). */
    public record Plan(String client, Path file, String snippet, boolean exists) {
    }

    /** What {@link #write} did. */
    public record Written(Path file, Optional<Path> backup) {
    }

    private ClientConfig() {
    }

    public static Path defaultFile(String client, Path workTree, Map<String, String> env) {
        Path home = Path.of(env.getOrDefault("HOME", System.getProperty("user.home")));
        return switch (client) {
            case "claude" -> workTree.resolve(".mcp.json");
            case "codex" -> Path.of(env.getOrDefault("CODEX_HOME", home.resolve(".codex").toString()))
                    .resolve("config.toml");
            case "cline" -> home.resolve(".config/Code/User/globalStorage/saoudrizwan.claude-dev/settings")
                    .resolve("cline_mcp_settings.json");
            default -> throw LokiException.badInput("Unknown client '" + client + "': use claude, codex or cline");
        };
    }

    /** The entry for this client, as it would appear in its file. */
    public static Plan plan(String client, Path file, String command, Path workTree) {
        List<String> args = client.equals("claude") ? List.of("mcp") : List.of("-C", workTree.toString(), "mcp");
        String snippet;
        if (client.equals("codex")) {
            StringBuilder sb = new StringBuilder("[mcp_servers.loki]\ncommand = ").append(toml(command))
                    .append("\nargs = [");
            for (int i = 0; i < args.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(toml(args.get(i)));
            }
            snippet = sb.append("]\n").toString();
        } else {
            ObjectNode root = Json.object();
            ObjectNode entry = root.putObject("mcpServers").putObject("loki");
            entry.put("command", command);
            args.forEach(entry.putArray("args")::add);
            if (client.equals("cline")) {
                entry.put("disabled", false);
                entry.putArray("autoApprove");
            }
            snippet = Json.pretty(root) + "\n";
        }
        return new Plan(client, file, snippet, Files.exists(file));
    }

    /** Merges the loki entry into the file, backing the old one up first. */
    public static Written write(Plan p) {
        try {
            String old = Files.exists(p.file()) ? Files.readString(p.file(), StandardCharsets.UTF_8) : "";
            String merged = p.client().equals("codex") ? mergeToml(old, p.snippet()) : mergeJson(old, p.snippet(),
                    p.file());
            Optional<Path> backup = Optional.empty();
            if (Files.exists(p.file())) {
                Path b = p.file().resolveSibling(p.file().getFileName() + ".bak-" + Instant.now().getEpochSecond());
                Files.copy(p.file(), b, StandardCopyOption.COPY_ATTRIBUTES);
                backup = Optional.of(b);
            } else if (p.file().getParent() != null) {
                Files.createDirectories(p.file().getParent());
            }
            AtomicFiles.writeString(p.file(), merged);
            return new Written(p.file(), backup);
        } catch (IOException e) {
            throw LokiException.failed("Could not write " + p.file() + ": " + e.getMessage());
        }
    }

    static String mergeJson(String old, String snippet, Path file) throws IOException {
        ObjectNode root;
        if (old.isBlank()) {
            root = Json.object();
        } else {
            JsonNode n;
            try {
                n = Json.parse(old);
            } catch (IOException e) {
                throw LokiException.failed(file + " is not valid JSON, so it was left alone; fix it or add the entry"
                        + " by hand (run without --write to print it)");
            }
            if (!(n instanceof ObjectNode o) || (o.has("mcpServers") && !o.get("mcpServers").isObject())) {
                throw LokiException.failed(file + " does not hold a JSON object with an 'mcpServers' object, so it"
                        + " was left alone; add the entry by hand (run without --write to print it)");
            }
            root = o;
        }
        JsonNode entry = Json.parse(snippet).path("mcpServers").path("loki");
        ObjectNode servers = root.has("mcpServers") ? (ObjectNode) root.get("mcpServers") : root.putObject("mcpServers");
        servers.set("loki", entry);
        return Json.pretty(root) + "\n";
    }

    /** Replaces only the {@code [mcp_servers.loki]} table (and its sub-tables); everything else stays. */
    static String mergeToml(String old, String snippet) {
        List<String> out = new ArrayList<>();
        boolean skipping = false;
        for (String line : old.split("\n", -1)) {
            String t = line.strip();
            if (t.startsWith("[")) {
                skipping = t.equals("[mcp_servers.loki]") || t.startsWith("[mcp_servers.loki.");
            }
            if (!skipping) {
                out.add(line);
            }
        }
        String kept = String.join("\n", out).stripTrailing();
        return (kept.isEmpty() ? "" : kept + "\n\n") + snippet;
    }

    private static String toml(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
