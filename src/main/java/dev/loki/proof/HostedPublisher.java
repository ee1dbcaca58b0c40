package dev.loki.proof;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Publishes a proof to the user's own endpoint ({@code LOKI_HOSTED_ENDPOINT}): one POST of the
 * already-redacted page (or proof.json), with a timeout, and bounded retries with backoff on
 * 5xx and network errors. Redirects are not followed: a POST and its license header must not be
 * replayed to a host the user did not name. The URL printed is only ever the one the endpoint
 * returned.
 */
public final class HostedPublisher {
    /** What the endpoint said. {@code status} is 0 when no HTTP reply came at all. */
    public record Outcome(boolean ok, int status, Optional<String> url, String body, String error, int attempts) {
    }

    /** Settings from the environment; the timeout and retry knobs exist so tests stay fast. */
    public record Settings(URI endpoint, Optional<String> licenseKey, Duration timeout, int attempts, Duration backoff) {
        public static Optional<Settings> fromEnv(Map<String, String> env) {
            String ep = env.getOrDefault("LOKI_HOSTED_ENDPOINT", "").strip();
            if (ep.isEmpty()) {
                return Optional.empty();
            }
            URI uri;
            try {
                uri = new URI(ep);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("LOKI_HOSTED_ENDPOINT is not a URL: " + e.getMessage());
            }
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("LOKI_HOSTED_ENDPOINT must be an http:// or https:// URL");
            }
            String key = env.getOrDefault("LOKI_LICENSE_KEY", "").strip();
            return Optional.of(new Settings(uri, key.isEmpty() ? Optional.empty() : Optional.of(key),
                    Duration.ofMillis(number(env, "LOKI_HOSTED_TIMEOUT_MS", 30_000)),
                    (int) Math.max(1, Math.min(10, number(env, "LOKI_HOSTED_ATTEMPTS", 3))),
                    Duration.ofMillis(number(env, "LOKI_HOSTED_BACKOFF_MS", 500))));
        }

        private static long number(Map<String, String> env, String name, long dflt) {
            try {
                return Math.max(0, Long.parseLong(env.getOrDefault(name, String.valueOf(dflt)).strip()));
            } catch (NumberFormatException e) {
                return dflt;
            }
        }
    }

    private final Settings settings;
    private final HttpClient client;

    public HostedPublisher(Settings settings) {
        this.settings = settings;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public Outcome publish(String proofId, byte[] body, String contentType) {
        HttpRequest.Builder req = HttpRequest.newBuilder(settings.endpoint()).timeout(settings.timeout())
                .header("Content-Type", contentType).header("X-Loki-Proof-Id", proofId)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        settings.licenseKey().ifPresent(k -> req.header("Authorization", "Bearer " + k));
        HttpRequest request = req.build();
        String lastError = "";
        int lastStatus = 0;
        String lastBody = "";
        for (int attempt = 1; attempt <= settings.attempts(); attempt++) {
            if (attempt > 1 && !sleep(settings.backoff().multipliedBy(1L << (attempt - 2)))) {
                break;
            }
            try {
                HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                lastStatus = r.statusCode();
                lastBody = r.body() == null ? "" : r.body();
                if (lastStatus >= 200 && lastStatus < 300) {
                    return new Outcome(true, lastStatus, urlIn(lastBody), lastBody, "", attempt);
                }
                if (lastStatus >= 300 && lastStatus < 400) {
                    String loc = r.headers().firstValue("Location").orElse("(no Location header)");
                    return new Outcome(false, lastStatus, Optional.empty(), lastBody,
                            "the endpoint redirected to " + loc + "; redirects are not followed, set "
                                    + "LOKI_HOSTED_ENDPOINT to the final URL", attempt);
                }
                if (lastStatus < 500) {
                    return new Outcome(false, lastStatus, Optional.empty(), lastBody, "", attempt);
                }
                lastError = "";
            } catch (HttpTimeoutException e) {
                lastStatus = 0;
                lastError = "timed out after " + settings.timeout().toMillis() + " ms";
            } catch (ConnectException e) {
                lastStatus = 0;
                lastError = "connection refused or unreachable (" + settings.endpoint().getHost() + ":"
                        + port(settings.endpoint()) + ")";
            } catch (IOException e) {
                lastStatus = 0;
                lastError = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(false, 0, Optional.empty(), "", "interrupted", attempt);
            }
        }
        return new Outcome(false, lastStatus, Optional.empty(), lastBody, lastError, settings.attempts());
    }

    /** The endpoint's {@code url} (else {@code public_url}), when it is an http(s) URL string. */
    static Optional<String> urlIn(String body) {
        try {
            JsonNode n = Json.parse(body);
            for (String f : new String[] {"url", "public_url"}) {
                JsonNode v = n.path(f);
                if (v.isTextual() && (v.asText().startsWith("https://") || v.asText().startsWith("http://"))) {
                    return Optional.of(v.asText());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: the endpoint gave no URL
        }
        return Optional.empty();
    }

    private static int port(URI u) {
        return u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
    }

    private static boolean sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
