package dev.loki.proof;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The redactor against a corpus of secrets in env files, JSON, YAML, logs, URLs and prose
 * (positive.txt) and of look-alikes that must survive unchanged (negative.txt). Prints precision
 * and recall, and fails below 100% on either.
 */
class RedactorCorpusTest {
    /** Fake tokens in each provider's shape, built by concatenation so no literal looks like a key. */
    static final Map<String, String> FAKES = new LinkedHashMap<>();

    static {
        FAKES.put("ANTHROPIC", "sk-" + "ant-api03-" + "FAKE" + "x0".repeat(20));
        FAKES.put("OPENAI", "sk-" + "proj-" + "FAKEfake" + "A1".repeat(16));
        FAKES.put("OPENAI_LEGACY", "sk-" + "T3stFake".repeat(4));
        FAKES.put("GHP", "ghp_" + "F4ke".repeat(9));
        FAKES.put("GHO", "gho_" + "N0tReal".repeat(5) + "x");
        FAKES.put("GITHUB_PAT", "github_pat_" + "11FAKE0000" + "_" + "x".repeat(59));
        FAKES.put("GLPAT", "glpat-" + "Fake1".repeat(4));
        FAKES.put("SLACK", "xoxb-" + "000000000-" + "FAKEfakeFAKE");
        FAKES.put("SLACK_WEBHOOK", "https://hooks." + "slack.com/services/" + "T0000FAKE/B0000FAKE/" + "x".repeat(24));
        FAKES.put("AWS_KEY", "AKIA" + "FAKEFAKE" + "00000000");
        FAKES.put("AWS_SECRET", "fAkE/sEcReT+".repeat(3) + "abcd");
        FAKES.put("GOOGLE", "AIza" + "Sy" + "Fake_".repeat(6) + "abc");
        FAKES.put("YA29", "ya29." + "FakeAccess".repeat(3));
        FAKES.put("XAI", "xai-" + "FakeKey0".repeat(6));
        FAKES.put("JWT", "eyJ" + "hbGciOiJIUzI1NiJ9" + "." + "eyJ" + "zdWIiOiJmYWtlIn0" + "." + "c2lnbmF0dXJlZmFrZQ");
        FAKES.put("BEARER", "fAkEbEaReR" + "tOkEn1234567890");
        FAKES.put("BASIC", "ZmFrZXVzZXI6" + "ZmFrZXBhc3M=");
        FAKES.put("STRIPE", "sk_" + "live_" + "FAKE".repeat(6));
        FAKES.put("HF", "hf_" + "FakeToken".repeat(4));
        FAKES.put("NPM", "npm_" + "F".repeat(36));
        FAKES.put("GROQ", "gsk_" + "fake".repeat(6));
        String body = "MIIEowIBAAKCAQEAfake" + "0".repeat(40);
        FAKES.put("PEM", "-----BEGIN " + "RSA PRIVATE KEY-----\n" + body + "\n" + body + "\n-----END RSA PRIVATE KEY-----");
        FAKES.put("PEM_JSON", "-----BEGIN " + "PRIVATE KEY-----\\n" + body + "\\n-----END PRIVATE KEY-----\\n");
    }

    private static final Pattern MARKED = Pattern.compile("\\[\\[(.+?)]]", Pattern.DOTALL);
    private static final Pattern FAKE = Pattern.compile("\\{\\{([A-Z_0-9]+)}}");

    private final Redactor redactor = new Redactor("/work/somewhere/repo-root", "/home/tester");

    @Test
    void corpus_is_redacted_with_full_precision_and_recall() throws IOException {
        List<String> positives = samples("positive.txt");
        List<String> negatives = samples("negative.txt");
        assertThat(positives).hasSizeGreaterThanOrEqualTo(60);
        assertThat(negatives).hasSizeGreaterThanOrEqualTo(60);

        int truePositives = 0;
        int falseNegatives = 0;
        List<String> missed = new ArrayList<>();
        for (String line : positives) {
            String expanded = expandFakes(line.replace("\\n", "\n"));
            List<String> secrets = new ArrayList<>();
            Matcher m = MARKED.matcher(expanded);
            while (m.find()) {
                secrets.add(m.group(1));
            }
            assertThat(secrets).as("a positive sample marks its secret: %s", line).isNotEmpty();
            String input = MARKED.matcher(expanded).replaceAll(r -> Matcher.quoteReplacement(r.group(1)));
            Redactor.Text out = redactor.redact(input);
            for (String s : secrets) {
                if (out.text().contains(s) || out.counts().secrets() == 0) {
                    falseNegatives++;
                    missed.add(line + "  =>  " + out.text());
                } else {
                    truePositives++;
                }
            }
        }
        int falsePositives = 0;
        List<String> mangled = new ArrayList<>();
        for (String line : negatives) {
            Redactor.Text out = redactor.redact(line);
            if (!out.text().equals(line) || out.counts().secrets() != 0) {
                falsePositives++;
                mangled.add(line + "  =>  " + out.text());
            }
        }
        double precision = truePositives / (double) Math.max(1, truePositives + falsePositives);
        double recall = truePositives / (double) Math.max(1, truePositives + falseNegatives);
        System.out.printf("redaction corpus: %d positive samples (%d secrets), %d negative samples; "
                + "precision %.1f%%, recall %.1f%%%n", positives.size(), truePositives + falseNegatives,
                negatives.size(), precision * 100, recall * 100);
        assertThat(missed).as("secrets that survived").isEmpty();
        assertThat(mangled).as("look-alikes that were changed").isEmpty();
        assertThat(precision).isEqualTo(1.0);
        assertThat(recall).isEqualTo(1.0);
    }

    static String expandFakes(String s) {
        Matcher m = FAKE.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = FAKES.get(m.group(1));
            if (v == null) {
                throw new AssertionError("unknown fake " + m.group(1));
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        return m.appendTail(sb).toString();
    }

    private static List<String> samples(String name) throws IOException {
        try (InputStream in = RedactorCorpusTest.class.getResourceAsStream("/proof/redaction/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        }
    }
}
