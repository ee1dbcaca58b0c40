package dev.loki.dashboard;

import java.io.InputStream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A minimal EventSource for tests and the benchmark: collects {@code (event, data)} pairs on a thread. */
public final class SseClient implements AutoCloseable {
    /** One received event. */
    public record Event(String name, String data, long receivedNanos) {
    }

    public final List<Event> events = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile InputStream stream;
    private volatile int status;

    public SseClient(HttpClient http, String url, String bearer) {
        reader = new Thread(() -> run(http, url, bearer), "test-sse");
        reader.setDaemon(true);
        reader.start();
    }

    private void run(HttpClient http, String url, String bearer) {
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Accept", "text/event-stream").header("Authorization", "Bearer " + bearer)
                    .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            status = r.statusCode();
            stream = r.body();
            BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
            String name = "message";
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        events.add(new Event(name, data.toString(), System.nanoTime()));
                    }
                    name = "message";
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).strip());
                }
            }
        } catch (Exception e) {
            // closed
        }
    }

    public int status() {
        return status;
    }

    public boolean has(String name, String fragment) {
        return events.stream().anyMatch(e -> e.name().equals(name) && e.data().contains(fragment));
    }

    public static HttpClient newHttp() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Override
    public void close() {
        try {
            InputStream s = stream;
            if (s != null) {
                s.close();
            }
        } catch (Exception e) {
            // closing
        }
        reader.interrupt();
    }
}
