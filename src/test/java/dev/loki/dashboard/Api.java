package dev.loki.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A small HTTP client for the API tests: real requests over loopback, answers as status + body. */
public final class Api {
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final Map<String, String> headers = new LinkedHashMap<>();

    /** One answer. */
    public record Answer(int status, String body, HttpResponse<String> raw) {
        public JsonNode json() {
            try {
                return Json.parse(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (" + status + "): " + body, e);
            }
        }

        public Optional<String> header(String name) {
            return raw == null ? Optional.empty() : raw.headers().firstValue(name);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    public Api(String base) {
        this.base = base;
    }

    /** A client that sends {@code Authorization: Bearer <token>}. */
    public static Api bearer(String base, String token) {
        return new Api(base).with("Authorization", "Bearer " + token);
    }

    public Api with(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public Api without(String name) {
        headers.remove(name);
        return this;
    }

    public Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    public Answer post(String path, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (json == null) {
            b.POST(HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        }
        return send(b);
    }

    public Answer post(String path, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    public Answer send(HttpRequest.Builder b) {
        headers.forEach(b::header);
        b.timeout(Duration.ofSeconds(60));
        HttpRequest req = b.build();
        try {
            HttpResponse<String> r;
            try {
                r = http.send(req, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                // a pooled keep-alive connection that the server had just closed (Jetty closes after
                // answering a malformed request with 400): nothing reached the server, so send once more
                if (!String.valueOf(e.getMessage()).contains("received no bytes")) {
                    throw e;
                }
                r = http.send(req, HttpResponse.BodyHandlers.ofString());
            }
            return new Answer(r.statusCode(), r.body(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A raw HTTP/1.1 request, for headers HttpClient will not let us forge (Host). Returns the status line. */
    public static String rawStatusLine(int port, String request) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                line.append((char) c);
            }
            return line.toString().strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
