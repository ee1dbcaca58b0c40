package dev.loki.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.loki.LokiException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Settings from YAML: {@code .loki/config.yaml} (or {@code .yml}) of the project, then {@code
 * ~/.config/loki-mode/config.yaml}. Keys become {@code LOKI_*} names: {@code max_iterations: 5}
 * and {@code LOKI_MAX_ITERATIONS: 5} are the same setting, and nesting joins with '_'
 * ({@code council: {enabled: false}} is {@code LOKI_COUNCIL_ENABLED}). The environment wins over
 * both files. A symlinked project config is refused (upstream's rule: a checked-out repository
 * must not point loki at a file elsewhere).
 */
public final class ConfigFile {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigFile() {
    }

    /** The environment with config-file values filled in where the environment has none. */
    public static Map<String, String> merge(Map<String, String> env, Path lokiDir) {
        Map<String, String> out = new HashMap<>();
        String home = env.get("HOME");
        if (home != null && !home.isBlank()) {
            out.putAll(read(Path.of(home, ".config", "loki-mode", "config.yaml"), false));
        }
        for (String name : List.of("config.yaml", "config.yml")) {
            Path p = lokiDir.resolve(name);
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                out.putAll(read(p, true));
                break;
            }
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (e.getValue() != null && !e.getValue().isBlank()) {
                out.put(e.getKey(), e.getValue());
            } else {
                out.putIfAbsent(e.getKey(), e.getValue() == null ? "" : e.getValue());
            }
        }
        return out;
    }

    static Map<String, String> read(Path file, boolean refuseSymlink) {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return Map.of();
        }
        if (refuseSymlink && Files.isSymbolicLink(file)) {
            throw LokiException.failed(file + " is a symlink; loki only reads a real config file there."
                    + " Replace it with a copy.");
        }
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw LokiException.badInput("Cannot parse " + file + ": " + msg + ". Fix the YAML or remove the file.");
        }
        Map<String, String> out = new HashMap<>();
        if (root != null && root.isObject()) {
            flatten("", root, out);
        } else if (root != null && !root.isNull() && !root.isMissingNode()) {
            throw LokiException.badInput(file + " must be a YAML mapping of settings (key: value).");
        }
        return out;
    }

    /**
     * The project config's content as a hash ("" when there is none): the loop compares it to see
     * whether the agent rewrote the settings the next run would read.
     */
    public static String fingerprint(Path lokiDir) {
        for (String name : List.of("config.yaml", "config.yml")) {
            Path p = lokiDir.resolve(name);
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    return name + ":" + dev.loki.proof.CanonicalJson.sha256(Files.readAllBytes(p));
                } catch (IOException | RuntimeException e) {
                    return name + ":unreadable";
                }
            }
        }
        return "";
    }

    /** Where the loop notes that its agent left the project config as it is now. */
    static final String AGENT_WROTE = "state/config-written-by-agent.json";

    /**
     * At start: when the project config is still exactly what an earlier run's agent left (the
     * person did not touch it since), says so, because its settings (a test command, the council
     * switched off) were chosen by the agent, not by the person. Forgets the note once the file
     * changed or went.
     */
    static java.util.Optional<String> agentWritten(dev.loki.store.LokiDir dir) {
        Path note = dir.resolve(AGENT_WROTE);
        java.util.Optional<JsonNode> n = dev.loki.store.JsonFiles.peek(note);
        if (n.isEmpty()) {
            return java.util.Optional.empty();
        }
        String now = fingerprint(dir.path());
        if (now.isEmpty() || !now.equals(n.get().path("fingerprint").asText())) {
            try {
                Files.deleteIfExists(note);
            } catch (IOException e) {
                // a stale note only costs a warning next time
            }
            return java.util.Optional.empty();
        }
        Map<String, String> keys = read(dir.resolve(now.substring(0, now.indexOf(':'))), true);
        return java.util.Optional.of("The settings in .loki/" + now.substring(0, now.indexOf(':'))
                + " were written by the agent of " + n.get().path("run_id").asText("an earlier run") + " (iteration "
                + n.get().path("iteration").asInt() + "), not by you, and apply to this run: "
                + String.join(", ", new java.util.TreeSet<>(keys.keySet()))
                + ". Review the file; edit or remove it to stop this warning.");
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = (prefix.isEmpty() ? "" : prefix + "_")
                    + e.getKey().toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
            JsonNode v = e.getValue();
            if (v.isObject()) {
                flatten(key, v, out);
            } else if (v.isArray()) {
                StringBuilder sb = new StringBuilder();
                v.forEach(x -> sb.append(sb.length() == 0 ? "" : ",").append(x.asText()));
                out.put(envName(key), sb.toString());
            } else if (!v.isNull()) {
                out.put(envName(key), v.asText());
            }
        }
    }

    private static String envName(String key) {
        return key.startsWith("LOKI_") ? key : "LOKI_" + key;
    }
}
