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
        // gitleaks' families and loki's own tokens (SecretPatterns.TOKENS)
        FAKES.put("SENDGRID", "SG." + "Fake".repeat(5) + "x1" + "." + "F4keSendGrid".repeat(3) + "abcdefg");
        FAKES.put("SENDINBLUE", "xkeysib-" + "0a".repeat(32) + "-" + "FakeKey012345678");
        FAKES.put("MAILGUN", "key-" + "0f".repeat(16));
        FAKES.put("MAILCHIMP", "ab".repeat(16) + "-us21");
        FAKES.put("DISCORD_WEBHOOK", "https://discord.com/api/" + "webhooks/123456789012345678/" + "FakeWebhookToken_".repeat(4));
        FAKES.put("SLACK_WORKFLOW", "https://hooks." + "slack.com/workflows/" + "T0000FAKE/A0000FAKE/" + "1".repeat(10) + "/" + "x".repeat(24));
        FAKES.put("SLACK_APP", "xapp-" + "1-A0FAKE00-1234567890-" + "ab12".repeat(8));
        FAKES.put("TWILIO", "SK" + "0123456789abcdef".repeat(2));
        FAKES.put("TELEGRAM", "123456789:" + "A" + "F4ke_Tg-".repeat(4) + "zz");
        FAKES.put("PYPI", "pypi-" + "AgEIcHlwaS5vcmc" + "FakePyPI".repeat(7));
        FAKES.put("RUBYGEMS", "rubygems_" + "0123456789abcdef".repeat(3));
        FAKES.put("CLOJARS", "CLOJARS_" + "fake0".repeat(12));
        FAKES.put("DOCKERHUB", "dckr_pat_" + "FakeDockerHub_Token-0123456");
        FAKES.put("DIGITALOCEAN", "dop_v1_" + "0123456789abcdef".repeat(4));
        FAKES.put("SHOPIFY", "shpat_" + "0123456789abcdef".repeat(2));
        FAKES.put("POSTMAN", "PMAK-" + "0123456789abcdef01234567" + "-" + "0123456789abcdef".repeat(2) + "ab");
        FAKES.put("HEROKU", "HRKU-AA" + "FakeHerokuKey0".repeat(4) + "ab");
        FAKES.put("DATABRICKS", "dapi" + "0123456789abcdef".repeat(2));
        FAKES.put("LINEAR", "lin_api_" + "FakeLinear".repeat(4));
        FAKES.put("NOTION", "ntn_" + "12345678901" + "FakeNotionToken".repeat(2) + "abcde");
        FAKES.put("NOTION_LEGACY", "secret_" + "FakeNotionSecret".repeat(2) + "abcdefghijk");
        FAKES.put("VAULT", "hvs." + "CAESIFake".repeat(11));
        FAKES.put("AGE", "AGE-SECRET-KEY-1" + "QPZRY9X8GF".repeat(5) + "2TVDW0S3");
        FAKES.put("ATLASSIAN", "ATATT3" + "Fa".repeat(93));
        FAKES.put("ARTIFACTORY", "AKCp" + "Fake0".repeat(13) + "abcd");
        FAKES.put("ALIBABA", "LTAI" + "FakeAlibabaKey012345");
        FAKES.put("DOPPLER", "dp.pt." + "FakeDoppler0".repeat(3) + "abcdefg");
        FAKES.put("DYNATRACE", "dt0c01." + "FAKEDYNATRACE00000000000" + "." + "Fake".repeat(16));
        FAKES.put("EASYPOST", "EZAK" + "fake01".repeat(9));
        FAKES.put("FLUTTERWAVE", "FLWSECK_TEST-" + "abcdef0123456789".repeat(2) + "-X");
        FAKES.put("GITLAB_DEPLOY", "gldt-" + "FakeDeployToken12345");
        FAKES.put("GRAFANA", "glsa_" + "FakeGrafana0".repeat(2) + "abcdefgh" + "_" + "0123abcd");
        FAKES.put("TERRAFORM", "FakeTfToken123" + ".atlasv1." + "FakeTerraform".repeat(5));
        FAKES.put("NEWRELIC", "NRAK-" + "FAKENEWRELIC0000000000000AB");
        FAKES.put("PLANETSCALE", "pscale_tkn_" + "FakePlanetScale_".repeat(3));
        FAKES.put("PREFECT", "pnu_" + "FakePrefect0".repeat(3));
        FAKES.put("PULUMI", "pul-" + "0123456789abcdef".repeat(2) + "01234567");
        FAKES.put("README", "rdme_" + "fake0".repeat(14));
        FAKES.put("SHIPPO", "shippo_live_" + "0123456789abcdef".repeat(2) + "01234567");
        FAKES.put("SENTRY", "sntryu_" + "0123456789abcdef".repeat(4));
        FAKES.put("SQUARE", "sq0atp-" + "FakeSquareToken_012345");
        FAKES.put("TYPEFORM", "tfp_" + "FakeTypeform".repeat(5).substring(0, 59));
        FAKES.put("FLYIO", "fo1_" + "FakeFlyToken_".repeat(3) + "abcd");
        FAKES.put("PERPLEXITY", "pplx-" + "FakePerplexity".repeat(3) + "abcdef");
        FAKES.put("HF_ORG", "api_org_" + "FakeHuggingOrg".repeat(2) + "abcdef");
        FAKES.put("MAPBOX", "sk.eyJ" + "1IjoiZmFrZSIsImEiOiJmYWtlIn0" + "FakeMapbox".repeat(3) + "." + "FakeMapboxSig_012345abc");
        FAKES.put("FACEBOOK", "EAAC" + "FakeFacebook".repeat(9));
        FAKES.put("AZURE_AD", "abc" + "8Q~" + "FakeAzureSecret_".repeat(2));
        FAKES.put("ADOBE", "p8e-" + "FakeAdobe012".repeat(2) + "abcdefgh");
        FAKES.put("ONEPASSWORD", "ops_eyJ" + "Fake1Password".repeat(20));
        FAKES.put("CLOUDFLARE_CA", "v1.0-" + "0123456789abcdef01234567" + "-" + "0123456789abcdef".repeat(9) + "01");
        FAKES.put("SETTLEMINT", "sm_pat_" + "FakeSettleMint16");
        FAKES.put("INFRACOST", "ico-" + "FakeInfracost".repeat(2) + "abcdef");
        FAKES.put("HARNESS", "pat." + "FakeHarnessAccount0123" + "." + "0123456789abcdef01234567" + "." + "FakeHarness012345678");
        FAKES.put("OCTOPUS", "API-" + "FAKEOCTOPUS000000000000000");
        FAKES.put("DUFFEL", "duffel_test_" + "FakeDuffelToken_".repeat(2) + "abcdefghijk");
        FAKES.put("FRAMEIO", "fio-u-" + "FakeFrameio01".repeat(5).substring(0, 64));
        FAKES.put("PLAID", "access-sandbox-" + "01234567-89ab-cdef-0123-456789abcdef");
        FAKES.put("LOKI_TICKET", "lt_" + "Fk3" + "aB_-x".repeat(8));
        FAKES.put("LOKI_TOKEN", "loki_" + "Tk9" + "zY-_q".repeat(8));
        FAKES.put("LOKI_SESSION_ID", "Ss1" + "pQ_-r".repeat(8));
        FAKES.put("PEM_JSON", "-----BEGIN " + "PRIVATE KEY-----\\n" + body + "\\n-----END PRIVATE KEY-----\\n");
    }

    /**
     * The redactor's environment: secret-named variables whose values are masked wherever they
     * appear ({{ENV_NAME}} in positive.txt), and values that must stay (negative.txt).
     */
    static final Map<String, String> ENV = new LinkedHashMap<>();

    static {
        ENV.put("DB_PASSWORD", "Db-Pa55-" + "envvalue1");
        ENV.put("SENDGRID_API_KEY", "sendgrid-env-" + "V4lue");
        ENV.put("STRIPE_SECRET_KEY", "stripe-env-" + "S3cret");
        ENV.put("MY_PRIVATE_PHRASE", "purple monkey " + "dishwasher 42");
        ENV.put("GH_AUTH", "gh-auth-" + "Xy7pq");
        ENV.put("DEPLOY_CREDS", "deploy" + "Creds99");
        // not masked: a name that is not secret, the shell's directories, a socket path, too short or too plain
        ENV.put("LOKI_PROVIDER", "claude-opus-4-5");
        ENV.put("PWD", "/srv/app-data-7");
        ENV.put("OLDPWD", "/tmp/old-place-9");
        ENV.put("SSH_AUTH_SOCK", "/tmp/ssh-agent-sock-42");
        ENV.put("AUTH_SETTING", "disabled");
        ENV.put("DB_PIN_PASSWORD", "abc1");
    }

    private static final Pattern MARKED = Pattern.compile("\\[\\[(.+?)]]", Pattern.DOTALL);
    private static final Pattern FAKE = Pattern.compile("\\{\\{([A-Z_0-9]+)}}");

    private final Redactor redactor = new Redactor("/work/somewhere/repo-root", "/home/tester", ENV);

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
            String v = m.group(1).startsWith("ENV_") ? ENV.get(m.group(1).substring(4)) : FAKES.get(m.group(1));
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
