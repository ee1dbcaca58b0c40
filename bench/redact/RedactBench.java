import dev.loki.proof.Redactor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Redaction throughput on a generated 50 MB log corpus (deterministic, seed 42), against a
 * plain regex scan (one alternation of provider-token shapes, find only) over the same lines in
 * the same JVM. Run through bench/redact/run.sh.
 */
public final class RedactBench {
    private static final Pattern PLAIN = Pattern.compile(
            "sk-ant-[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{20,}|AKIA[0-9A-Z]{16}|eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");

    public static void main(String[] args) {
        int mb = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        List<String> lines = corpus(mb * 1024L * 1024L);
        long bytes = lines.stream().mapToLong(l -> l.length() + 1).sum();
        Redactor redactor = new Redactor("/work/projects/todo-app", "/home/alice");
        // what log writers use: no path rewrites, and six secret env values masked wherever they appear
        Redactor logs = Redactor.secretsOnly(java.util.Map.of("DB_PASSWORD", "correct-horse-9", "SENDGRID_API_KEY",
                "sg-env-value-123", "STRIPE_SECRET_KEY", "stripe-env-456x", "ANTHROPIC_API_KEY", "anthropic-env-789y",
                "MY_TOKEN", "my-token-000z", "GH_AUTH", "gh-auth-111w"));
        int runs = 5;
        double[] ours = new double[runs];
        double[] forLogs = new double[runs];
        double[] plain = new double[runs];
        long secrets = 0;
        for (int i = 0; i < 2; i++) {
            redactAll(redactor, lines);
            scanAll(lines);
        }
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            secrets = redactAll(redactor, lines);
            long t1 = System.nanoTime();
            scanAll(lines);
            long t2 = System.nanoTime();
            redactAll(logs, lines);
            long t3 = System.nanoTime();
            ours[i] = bytes / 1048576.0 / ((t1 - t0) / 1e9);
            plain[i] = bytes / 1048576.0 / ((t2 - t1) / 1e9);
            forLogs[i] = bytes / 1048576.0 / ((t3 - t2) / 1e9);
        }
        double o = median(ours);
        double p = median(plain);
        System.out.printf("corpus: %.1f MB, %d lines; secrets redacted per pass: %d%n", bytes / 1048576.0, lines.size(),
                secrets);
        System.out.printf("Redactor (all rules, replace):   median %.1f MB/s  runs %s%n", o, fmt(ours));
        System.out.printf("plain regex scan (find only):    median %.1f MB/s  runs %s%n", p, fmt(plain));
        System.out.printf("Redactor.secretsOnly(6 env values): median %.1f MB/s  runs %s%n", median(forLogs),
                fmt(forLogs));
        System.out.printf("ratio redactor / plain scan: %.2f; secretsOnly / plain scan: %.2f%n", o / p,
                median(forLogs) / p);
    }

    private static long redactAll(Redactor r, List<String> lines) {
        long n = 0;
        for (String l : lines) {
            n += r.redact(l).counts().secrets();
        }
        return n;
    }

    private static long scanAll(List<String> lines) {
        long n = 0;
        for (String l : lines) {
            if (PLAIN.matcher(l).find()) {
                n++;
            }
        }
        return n;
    }

    /** Log-shaped lines: timestamps, levels, paths, URLs, JSON, key=value pairs; about 1 in 150 holds a secret. */
    static List<String> corpus(long target) {
        Random rnd = new Random(42);
        String[] levels = {"INFO", "DEBUG", "WARN", "ERROR"};
        String[] words = {"iteration", "provider", "claude", "gate", "tests", "passed", "lint", "council", "vote",
            "checkpoint", "rollback", "snapshot", "queue", "task", "completed", "retry", "backoff", "tokens", "cost"};
        String[] secrets = {"GITHUB_TOKEN=ghp_" + "F4ke".repeat(9), "Authorization: Bearer fAkEbEaReR" + "tOkEn123456",
            "postgres://app:s3cr3t@db:5432/app", "DB_PASSWORD=correct-horse", "sk-" + "ant-api03-" + "x0".repeat(20),
            "{\"api_key\": \"sk-" + "T3stFake".repeat(4) + "\"}", "AKIA" + "FAKEFAKE00000000"};
        List<String> out = new ArrayList<>();
        long size = 0;
        int i = 0;
        while (size < target) {
            StringBuilder sb = new StringBuilder(160);
            sb.append("2026-12-02T01:").append(String.format("%02d:%02d", (i / 60) % 60, i % 60)).append("Z ")
                    .append(levels[rnd.nextInt(levels.length)]).append(' ');
            int k = 6 + rnd.nextInt(10);
            for (int w = 0; w < k; w++) {
                sb.append(words[rnd.nextInt(words.length)]).append(' ');
            }
            switch (rnd.nextInt(6)) {
                case 0 -> sb.append("file=/work/projects/todo-app/src/m").append(rnd.nextInt(500)).append(".js");
                case 1 -> sb.append("url=https://api.example.com/v1/items/").append(rnd.nextInt(100000));
                case 2 -> sb.append("{\"iteration\": ").append(i).append(", \"input_tokens\": ").append(rnd.nextInt(9000))
                        .append(", \"status\": \"ok\"}");
                case 3 -> sb.append("max_tokens=").append(rnd.nextInt(8192)).append(" author=jane");
                case 4 -> sb.append("sha=").append(Long.toHexString(rnd.nextLong())).append(Long.toHexString(rnd.nextLong()));
                default -> sb.append("duration_ms=").append(rnd.nextInt(100000));
            }
            if (rnd.nextInt(150) == 0) {
                sb.append(' ').append(secrets[rnd.nextInt(secrets.length)]);
            }
            String line = sb.toString();
            out.add(line);
            size += line.length() + 1;
            i++;
        }
        return out;
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private static String fmt(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (double d : v) {
            sb.append(String.format("%.1f ", d));
        }
        return sb.toString().strip() + "]";
    }
}
