package dev.loki.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.AtomicFiles;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The record a running dashboard leaves in {@code .loki/dashboard/}: {@code dashboard.json}
 * (pid, host, port, instance id) plus upstream's {@code dashboard.pid} and {@code port} files.
 * "Is it ours?" is answered by asking the server: its {@code /health} must report the same
 * instance id and pid, so a recycled pid or another program on the port is never mistaken for
 * it (upstream killed whatever held the port).
 */
public record DashboardInstance(long pid, String host, int port, String instanceId, String startedAt) {

    static Path dir(LokiDir loki) {
        return loki.resolve("dashboard");
    }

    static Path file(LokiDir loki) {
        return dir(loki).resolve("dashboard.json");
    }

    /** The URL clients use (a bind-all address is reached through loopback). */
    public String baseUrl() {
        String h = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        return "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
    }

    public static Optional<DashboardInstance> read(LokiDir loki) {
        return JsonFiles.peek(file(loki)).filter(JsonNode::isObject).map(n -> new DashboardInstance(
                n.path("pid").asLong(-1), n.path("host").asText(DashboardConfig.DEFAULT_HOST), n.path("port").asInt(0),
                n.path("instance_id").asText(""), n.path("started_at").asText("")))
                .filter(i -> i.pid() > 0 && i.port() > 0);
    }

    void write(LokiDir loki) throws IOException {
        ObjectNode o = Json.object();
        o.put("pid", pid);
        o.put("host", host);
        o.put("port", port);
        o.put("instance_id", instanceId);
        o.put("started_at", startedAt);
        o.put("url", baseUrl());
        Files.createDirectories(dir(loki));
        JsonFiles.write(file(loki), o);
        AtomicFiles.writeString(dir(loki).resolve("dashboard.pid"), pid + "\n");
        AtomicFiles.writeString(dir(loki).resolve("port"), port + "\n");
    }

    /** Removes the record, but only while it still describes this instance. */
    void removeIfOurs(LokiDir loki) {
        Optional<DashboardInstance> cur = read(loki);
        if (cur.isPresent() && cur.get().instanceId().equals(instanceId)) {
            removeFiles(loki);
        }
    }

    static void removeFiles(LokiDir loki) {
        for (String f : new String[] {"dashboard.json", "dashboard.pid", "port"}) {
            try {
                Files.deleteIfExists(dir(loki).resolve(f));
            } catch (IOException e) {
                // a leftover file is re-checked against /health before anyone trusts it
            }
        }
    }

    public boolean processAlive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** True when the server on the recorded port answers /health with this instance id and pid. */
    public boolean answersHealth() {
        return health(baseUrl()).map(h -> h.path("instance_id").asText("").equals(instanceId)
                && h.path("pid").asLong(-2) == pid).orElse(false);
    }

    /** The /health document of whatever serves {@code baseUrl}, if it is a loki dashboard. */
    static Optional<JsonNode> health(String baseUrl) {
        try {
            HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(baseUrl + "/health"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return Optional.empty();
            }
            JsonNode n = Json.parse(r.body());
            return "loki-dashboard".equals(n.path("service").asText()) ? Optional.of(n) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
