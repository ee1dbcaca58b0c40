package dev.loki.dashboard;

import dev.loki.checkpoint.CheckpointRequest;
import dev.loki.checkpoint.CheckpointService;
import dev.loki.dashboard.auth.Scope;
import dev.loki.store.LokiDir;
import dev.loki.testing.TestRepo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loopback load benchmark of the dashboard (bench/dashboard/run.sh): requests per second and
 * latency percentiles for /health (baseline: no auth, no files), /api/status and
 * /api/checkpoints?limit=50 over 1,000 checkpoints, and the time until 100 SSE subscribers all
 * receive one status change. Bounded in request count and time.
 */
public final class DashboardBench {
    private static final int CLIENTS = 8;

    private DashboardBench() {
    }

    record Result(String name, int requests, double seconds, double[] latMs, int errors) {
        double rps() {
            return requests / seconds;
        }

        double pct(double p) {
            return latMs[Math.min(latMs.length - 1, (int) Math.ceil(p / 100 * latMs.length) - 1)];
        }
    }

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 4000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path tmp = Files.createTempDirectory("loki-dash-bench");
        TestRepo repo = TestRepo.create(tmp);
        Map<String, String> env = new HashMap<>(repo.env());
        env.put("LOKI_CHECKPOINT_RETENTION", "5000");
        env.put("LOKI_DASHBOARD_RATE_READ", "100000000");
        env.put("LOKI_DASHBOARD_MAX_SSE", "500");
        LokiDir loki = LokiDir.locate(Optional.empty(), env, repo.dir()).ensureExists();
        long t0 = System.nanoTime();
        CheckpointService svc = CheckpointService.open(loki, env);
        for (int i = 0; i < 1000; i++) {
            svc.create(CheckpointRequest.dashboard("bench checkpoint " + i).withoutCode());
        }
        System.out.printf("setup: 1000 state-only checkpoints in %.1f s%n", (System.nanoTime() - t0) / 1e9);

        try (DashboardServer server = DashboardServer.start(DashboardConfig.ephemeral(loki, env))) {
            String token = server.tokens().create("bench", Scope.READ, Optional.empty());
            String base = server.baseUrl();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newFixedThreadPool(CLIENTS)).build();
            long c0 = System.nanoTime();
            HttpResponse<String> cold = http.send(HttpRequest.newBuilder(URI.create(base + "/api/checkpoints?limit=50"))
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
            System.out.printf("first /api/checkpoints?limit=50 (cold: reads all 1000 checkpoints): %.0f ms, HTTP %d%n",
                    (System.nanoTime() - c0) / 1e6, cold.statusCode());
            load(http, base + "/health", token, 500);
            load(http, base + "/api/status", token, 500);
            load(http, base + "/api/checkpoints?limit=50", token, 500);
            Map<String, List<Result>> all = new HashMap<>();
            for (int r = 0; r < rounds; r++) {
                for (String path : List.of("/health", "/api/status", "/api/checkpoints?limit=50")) {
                    Result res = load(http, base + path, token, requests);
                    all.computeIfAbsent(path, k -> new ArrayList<>()).add(res);
                    System.out.printf("round %d %-26s %6.0f req/s  p50 %5.2f ms  p99 %5.2f ms  errors %d%n", r + 1,
                            path, res.rps(), res.pct(50), res.pct(99), res.errors());
                }
            }
            System.out.println();
            double baseline = median(all.get("/health").stream().mapToDouble(Result::rps).toArray());
            for (String path : List.of("/health", "/api/status", "/api/checkpoints?limit=50")) {
                List<Result> rs = all.get(path);
                double rps = median(rs.stream().mapToDouble(Result::rps).toArray());
                System.out.printf("median %-26s %6.0f req/s  p50 %5.2f ms  p99 %5.2f ms  (%.2fx of /health)%n", path,
                        rps, median(rs.stream().mapToDouble(x -> x.pct(50)).toArray()),
                        median(rs.stream().mapToDouble(x -> x.pct(99)).toArray()), rps / baseline);
            }
            fanOut(server, loki, token, 100, 5);
        }
        System.exit(0);
    }

    static Result load(HttpClient http, String url, String token, int n) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10)).GET().build();
        double[] lat = new double[n];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        long start = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            fs.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < n && System.nanoTime() < deadline) {
                    long s = System.nanoTime();
                    try {
                        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    lat[i] = (System.nanoTime() - s) / 1e6;
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        int done = Math.min(n, next.get());
        double[] sorted = Arrays.copyOf(lat, done);
        Arrays.sort(sorted);
        return new Result(url, done, secs, sorted, errors.get());
    }

    static void fanOut(DashboardServer server, LokiDir loki, String token, int clients, int rounds) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<SseClient> subs = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            subs.add(new SseClient(http, server.baseUrl() + "/api/events/stream", token));
        }
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (subs.stream().anyMatch(s -> s.events.isEmpty()) && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        System.out.printf("%nSSE: %d of %d subscribers connected (server sees %d)%n",
                subs.stream().filter(s -> !s.events.isEmpty()).count(), clients, server.liveSubscribers());
        double[] all = new double[rounds];
        double[] first = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            boolean pause = r % 2 == 0;
            String want = "\"pause_requested\":" + pause;
            int[] before = subs.stream().mapToInt(s -> s.events.size()).toArray();
            long t = System.nanoTime();
            if (pause) {
                new dev.loki.store.Signals(loki).requestPause();
            } else {
                new dev.loki.store.Signals(loki).requestResume();
            }
            long deadline = t + Duration.ofSeconds(20).toNanos();
            long lastArrival = 0;
            long firstArrival = Long.MAX_VALUE;
            for (int i = 0; i < subs.size(); i++) {
                SseClient s = subs.get(i);
                Optional<SseClient.Event> got = Optional.empty();
                while (got.isEmpty() && System.nanoTime() < deadline) {
                    got = s.events.subList(before[i], s.events.size()).stream()
                            .filter(e -> e.name().equals("status") && e.data().contains(want)).findFirst();
                    if (got.isEmpty()) {
                        Thread.sleep(2);
                    }
                }
                if (got.isEmpty()) {
                    throw new IllegalStateException("subscriber " + i + " never got the event");
                }
                lastArrival = Math.max(lastArrival, got.get().receivedNanos());
                firstArrival = Math.min(firstArrival, got.get().receivedNanos());
            }
            all[r] = (lastArrival - t) / 1e6;
            first[r] = (lastArrival - firstArrival) / 1e6;
            System.out.printf("SSE round %d: all %d received the status change %.1f ms after the file write"
                    + " (spread first-to-last %.1f ms)%n", r + 1, clients, all[r], first[r]);
        }
        System.out.printf("SSE median: %.1f ms to all %d (spread %.1f ms); watch interval 500 ms%n", median(all),
                clients, median(first));
        subs.forEach(SseClient::close);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
