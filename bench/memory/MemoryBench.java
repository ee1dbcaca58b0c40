import dev.loki.memory.Memory;
import dev.loki.memory.MemoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Memory search over N generated episodes: index time, index size on disk, and search latency
 * (p50/p95/p99 of top-3 searches, as the prompt asks) against a baseline in the same run: a
 * linear scan that counts query-word hits over the same texts held in memory.
 * Usage: java -cp ... bench/memory/MemoryBench.java [episodes] [queries]
 */
public class MemoryBench {
    static final String[] WORDS = ("parser lexer test gate coverage failed passed fixed build maven gradle npm "
            + "lint static analysis review council objection timeout flaky retry rollback checkpoint snapshot "
            + "database migration schema api endpoint auth token session cookie cache redis queue worker "
            + "calculator add subtract divide zero overflow unicode encoding json yaml config env docker compose "
            + "frontend react button form validation css layout dashboard chart latency memory leak thread lock "
            + "deadlock race condition file upload download stream csv export import report pdf email notify")
            .split(" ");

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int queries = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        Random rnd = new Random(42);
        Path dir = Files.createTempDirectory("loki-memory-bench");
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        List<Memory> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String task = sentence(rnd, 12);
            String body = "Outcome: " + (i % 3 == 0 ? "failure" : "success") + ". Fixed: gate '" + WORDS[rnd.nextInt(WORDS.length)]
                    + "' failed in iteration 1 (" + sentence(rnd, 10) + ") and passed again in iteration 2. "
                    + sentence(rnd, 40) + "\nFiles touched: src/" + WORDS[rnd.nextInt(WORDS.length)] + ".java";
            all.add(new Memory("ep-bench-" + i, Memory.EPISODE, "Run " + i + ": " + sentence(rnd, 8), body, task,
                    i % 3 == 0 ? "failure" : "success", "run-" + i, t0.plusSeconds(3600L * i), List.of("src/a.java"),
                    List.of(), 0.02, "bench"));
        }
        Map<String, String> env = Map.of("LOKI_MEMORY_MAX", Integer.toString(n * 2));
        long idx0 = System.nanoTime();
        try (MemoryStore store = MemoryStore.at(dir, env)) {
            for (int i = 0; i < n; i += 1000) {
                store.addAll(all.subList(i, Math.min(n, i + 1000)));
            }
        }
        double indexMs = (System.nanoTime() - idx0) / 1e6;

        List<String> qs = new ArrayList<>();
        for (int i = 0; i < queries; i++) {
            qs.add(sentence(rnd, 3 + rnd.nextInt(4)));
        }
        List<String> longQs = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            longQs.add(sentence(rnd, 40));
        }
        double[] prompt = new double[longQs.size()];
        double[] lucene = new double[queries];
        double[] scan = new double[queries];
        long open0 = System.nanoTime();
        try (MemoryStore store = MemoryStore.at(dir, env)) {
            store.search("warm up", 3, Optional.empty());
            double firstMs = (System.nanoTime() - open0) / 1e6;
            for (int w = 0; w < 500; w++) {
                store.search(qs.get(w % queries), 3, Optional.empty());
            }
            for (int i = 0; i < queries; i++) {
                long s = System.nanoTime();
                store.search(qs.get(i), 3, Optional.empty());
                lucene[i] = (System.nanoTime() - s) / 1e6;
            }
            for (int i = 0; i < longQs.size(); i++) {
                long s = System.nanoTime();
                store.search(longQs.get(i), 3, Optional.empty());
                prompt[i] = (System.nanoTime() - s) / 1e6;
            }
            String[] texts = all.stream().map(m -> m.text().toLowerCase(Locale.ROOT)).toArray(String[]::new);
            for (int w = 0; w < 50; w++) {
                scanTop3(texts, qs.get(w % queries));
            }
            for (int i = 0; i < queries; i++) {
                long s = System.nanoTime();
                scanTop3(texts, qs.get(i));
                scan[i] = (System.nanoTime() - s) / 1e6;
            }
            System.out.printf(Locale.ROOT, "episodes %d, queries %d, JDK %s%n", n, queries, Runtime.version());
            System.out.printf(Locale.ROOT, "index: %.0f ms for %d episodes (%.2f ms each, redaction included), %.1f MB on disk%n",
                    indexMs, n, indexMs / n, store.sizeBytes() / 1048576.0);
            System.out.printf(Locale.ROOT, "open + first search: %.1f ms%n", firstMs);
        }
        Arrays.sort(lucene);
        Arrays.sort(scan);
        Arrays.sort(prompt);
        System.out.println("| search (top 3) | p50 ms | p95 ms | p99 ms |");
        System.out.println("|---|---|---|---|");
        row("MemoryStore.search (BM25 + boosts)", lucene);
        row("baseline: linear scan of the texts", scan);
        row("MemoryStore.search, prompt-style 40-word query (500 runs)", prompt);
        System.out.printf(Locale.ROOT, "p99 ratio search / scan: %.3f%n", pct(lucene, 99) / pct(scan, 99));
    }

    static void row(String name, double[] v) {
        System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f |%n", name, pct(v, 50), pct(v, 95), pct(v, 99));
    }

    static double pct(double[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    static int[] scanTop3(String[] texts, String query) {
        String[] words = query.toLowerCase(Locale.ROOT).split(" ");
        int[] best = {-1, -1, -1};
        int[] score = {0, 0, 0};
        for (int i = 0; i < texts.length; i++) {
            int s = 0;
            for (String w : words) {
                if (texts[i].contains(w)) {
                    s++;
                }
            }
            for (int k = 0; k < 3; k++) {
                if (s > score[k]) {
                    for (int j = 2; j > k; j--) {
                        score[j] = score[j - 1];
                        best[j] = best[j - 1];
                    }
                    score[k] = s;
                    best[k] = i;
                    break;
                }
            }
        }
        return best;
    }

    static String sentence(Random rnd, int words) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            sb.append(i == 0 ? "" : " ").append(WORDS[rnd.nextInt(WORDS.length)]);
        }
        return sb.toString();
    }
}
