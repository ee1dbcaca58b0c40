package dev.loki.proof;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The shapes of secrets that are recognisable on their own, without a key name next to them:
 * provider tokens, private keys, JWTs. Both the redactor and the scan of the serialised proof
 * use this one list, so the second scan looks for exactly what the first pass removes.
 */
final class SecretPatterns {
    /** A recognisable secret shape and the label its replacement carries. */
    record Kind(String label, Pattern pattern, List<String> hints) {
        /** Whether the text holds one of the literal prefixes every match starts with (a cheap pre-check). */
        boolean mayMatch(String text) {
            for (String h : hints) {
                if (text.contains(h)) {
                    return true;
                }
            }
            return false;
        }
    }

    // A token never starts in the middle of a word: "(?<![A-Za-z0-9_-])" keeps "mask-" or
    // "risk-assessment-..." from being read as an OpenAI "sk-" key.
    private static final String START = "(?<![A-Za-z0-9_-])";
    /** A token does not end in the middle of a word either (for shapes of a fixed length). */
    private static final String END = "(?![A-Za-z0-9_-])";
    /** 43 base64url characters (32 random bytes), at least one of them a digit or a capital letter. */
    private static final String LOKI_SECRET = "(?=[A-Za-z0-9_-]{0,42}[A-Z0-9])[A-Za-z0-9_-]{43}" + END;

    static final Pattern PRIVATE_KEY_BLOCK = Pattern.compile(
            "-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY( BLOCK)?-----[\\s\\S]*?-----END[A-Z0-9 ]{0,40} PRIVATE KEY( BLOCK)?-----");

    /** A key whose END line was cut off (a truncated log): everything base64-ish after BEGIN. */
    static final Pattern PRIVATE_KEY_OPEN = Pattern.compile(
            "-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY( BLOCK)?-----[A-Za-z0-9+/=:\\s\\\\-]*");

    static final List<Kind> TOKENS = List.of(
            kind("ANTHROPIC_KEY", "sk-ant-[A-Za-z0-9_-]{20,}", "sk-ant-"),
            kind("OPENAI_KEY", "sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}", "sk-"),
            kind("GITHUB_TOKEN", "gh[pousr]_[A-Za-z0-9]{30,}", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
            kind("GITHUB_TOKEN", "github_pat_[A-Za-z0-9_]{22,}", "github_pat_"),
            kind("GITLAB_TOKEN", "glpat-[A-Za-z0-9_-]{20,}", "glpat-"),
            kind("SLACK_TOKEN", "xox[abposre]-[A-Za-z0-9-]{10,}", "xox"),
            kind("AWS_KEY", "(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?![0-9A-Z])", "AKIA", "ASIA", "ABIA", "ACCA"),
            kind("GOOGLE_KEY", "AIza[0-9A-Za-z_-]{35}", "AIza"),
            kind("GOOGLE_OAUTH", "(?:ya29\\.[0-9A-Za-z_-]{20,}|GOCSPX-[0-9A-Za-z_-]{20,})", "ya29.", "GOCSPX-"),
            kind("XAI_KEY", "xai-[A-Za-z0-9]{20,}", "xai-"),
            kind("GROQ_KEY", "gsk_[A-Za-z0-9]{20,}", "gsk_"),
            kind("HUGGINGFACE_TOKEN", "hf_[A-Za-z0-9]{30,}", "hf_"),
            kind("STRIPE_KEY", "(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}", "_live_", "_test_"),
            kind("NPM_TOKEN", "npm_[A-Za-z0-9]{36}", "npm_"),
            kind("JWT", "eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}", "eyJ"),
            // loki's own secrets (dev.loki.dashboard.auth): login tickets, API tokens, the session cookie.
            // Each is a prefix and 43 base64url characters; a random one holds a digit or capital.
            kind("LOKI_LOGIN_TICKET", "lt_" + LOKI_SECRET, "lt_"),
            kind("LOKI_API_TOKEN", "loki_" + LOKI_SECRET, "loki_"),
            kind("LOKI_SESSION", "(?<=loki_session=)" + LOKI_SECRET, "loki_session="),
            // gitleaks' families (config/gitleaks.toml), written again as their token shapes
            kind("SENDGRID_KEY", "SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}", "SG."),
            kind("SENDINBLUE_KEY", "xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}", "xkeysib-"),
            kind("MAILGUN_KEY", "(?:pub)?key-[a-f0-9]{32}" + END, "key-"),
            kind("MAILCHIMP_KEY", "[0-9a-f]{32}-us[0-9]{1,2}" + END, "-us"),
            kind("DISCORD_WEBHOOK", "https://(?:ptb\\.|canary\\.)?discord(?:app)?\\.com/api/webhooks/[0-9]{17,20}/"
                    + "[A-Za-z0-9_-]{60,68}", "discord"),
            kind("SLACK_WEBHOOK", "https://hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,}",
                    "hooks.slack.com"),
            kind("SLACK_TOKEN", "xapp-[0-9]-[A-Z0-9]+-[0-9]+-[A-Za-z0-9]+", "xapp-"),
            kind("TWILIO_KEY", "SK[0-9a-fA-F]{32}" + END, "SK"),
            // also inside the Bot API's URLs: https://api.telegram.org/bot<token>/getMe
            new Kind("TELEGRAM_BOT_TOKEN", Pattern.compile("(?:(?<=/bot)|" + START + ")[0-9]{5,16}:A[A-Za-z0-9_-]{34}"
                    + END), List.of(":A")),
            kind("PYPI_TOKEN", "pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}", "pypi-AgEIcHlwaS5vcmc"),
            kind("RUBYGEMS_KEY", "rubygems_[a-f0-9]{48}", "rubygems_"),
            kind("CLOJARS_TOKEN", "CLOJARS_[A-Za-z0-9]{60}", "CLOJARS_"),
            kind("DOCKERHUB_TOKEN", "dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,}", "dckr_"),
            kind("DIGITALOCEAN_TOKEN", "do[opr]_v1_[a-f0-9]{64}", "_v1_"),
            kind("SHOPIFY_TOKEN", "shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}", "shp"),
            kind("POSTMAN_KEY", "PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}", "PMAK-"),
            kind("HEROKU_KEY", "HRKU-AA[0-9A-Za-z_-]{58}", "HRKU-"),
            kind("DATABRICKS_TOKEN", "dapi[a-f0-9]{32}(?:-[0-9]+)?" + END, "dapi"),
            kind("LINEAR_KEY", "lin_(?:api|oauth)_[A-Za-z0-9]{40}", "lin_"),
            kind("NOTION_TOKEN", "(?:ntn_[0-9]{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})" + END, "ntn_", "secret_"),
            kind("VAULT_TOKEN", "hv[sb]\\.[A-Za-z0-9_-]{90,}", "hvs.", "hvb."),
            kind("AGE_SECRET_KEY", "AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}", "AGE-SECRET-KEY-1"),
            kind("ATLASSIAN_TOKEN", "ATATT3[A-Za-z0-9_=-]{186}", "ATATT3"),
            kind("ARTIFACTORY_KEY", "AKCp[A-Za-z0-9]{69}", "AKCp"),
            kind("ALIBABA_KEY", "LTAI[A-Za-z0-9]{20}" + END, "LTAI"),
            kind("DOPPLER_TOKEN", "dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,44}", "dp."),
            kind("DYNATRACE_TOKEN", "dt0c01\\.[A-Za-z0-9]{24}\\.[A-Za-z0-9]{64}", "dt0c01."),
            kind("EASYPOST_KEY", "EZ[AT]K[A-Za-z0-9]{54}", "EZAK", "EZTK"),
            kind("FLUTTERWAVE_KEY", "FLW(?:SECK|PUBK)_TEST-[a-hA-H0-9]{32}-X", "FLW"),
            kind("GITLAB_TOKEN", "(?:gl(?:dt|rt|ptt|cbt|imt|ft|soat|oas)-[A-Za-z0-9_-]{20,}|GR1348941[A-Za-z0-9_-]{20,})",
                    "gl", "GR1348941"),
            kind("GRAFANA_TOKEN", "(?:glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})", "glc_", "glsa_"),
            kind("TERRAFORM_TOKEN", "[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,70}", ".atlasv1."),
            kind("NEWRELIC_KEY", "NR(?:AK|II|JS|AA)-[A-Za-z0-9]{19,32}" + END, "NRAK-", "NRII-", "NRJS-", "NRAA-"),
            kind("PLANETSCALE_TOKEN", "pscale_(?:tkn|pw|oauth)_[A-Za-z0-9=._-]{32,64}", "pscale_"),
            kind("PREFECT_KEY", "pnu_[A-Za-z0-9]{36}", "pnu_"),
            kind("PULUMI_TOKEN", "pul-[a-f0-9]{40}", "pul-"),
            kind("README_KEY", "rdme_[a-z0-9]{70}", "rdme_"),
            kind("SHIPPO_TOKEN", "shippo_(?:live|test)_[a-fA-F0-9]{40}", "shippo_"),
            kind("SENTRY_TOKEN", "sntry[us]_[A-Za-z0-9+/=_]{40,}", "sntry"),
            kind("SQUARE_TOKEN", "(?:EAAA[A-Za-z0-9_-]{60}|sq0(?:atp|csp)-[A-Za-z0-9_-]{22,43})", "EAAA", "sq0"),
            kind("TYPEFORM_TOKEN", "tfp_[A-Za-z0-9_.=-]{59}", "tfp_"),
            kind("FLYIO_TOKEN", "(?:fo1_[A-Za-z0-9_-]{43}|fm2_[A-Za-z0-9+/=_-]{100,})", "fo1_", "fm2_"),
            kind("PERPLEXITY_KEY", "pplx-[A-Za-z0-9]{48}", "pplx-"),
            kind("HUGGINGFACE_TOKEN", "api_org_[A-Za-z0-9]{34}", "api_org_"),
            kind("MAPBOX_TOKEN", "sk\\.eyJ[A-Za-z0-9_-]{50,}\\.[A-Za-z0-9_-]{20,}", "sk.eyJ"),
            kind("FACEBOOK_TOKEN", "EAA[MC][A-Za-z0-9]{100,}", "EAAM", "EAAC"),
            kind("AZURE_AD_SECRET", "[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}", "Q~"),
            kind("ADOBE_SECRET", "p8e-[A-Za-z0-9]{32}" + END, "p8e-"),
            kind("ONEPASSWORD_TOKEN", "ops_eyJ[A-Za-z0-9+/]{250,}={0,3}", "ops_eyJ"),
            kind("CLOUDFLARE_ORIGIN_KEY", "v1\\.0-[a-f0-9]{24}-[a-f0-9]{146}", "v1.0-"),
            kind("SETTLEMINT_TOKEN", "sm_(?:pat|aat|sat)_[A-Za-z0-9]{16}" + END, "sm_"),
            kind("INFRACOST_KEY", "ico-[A-Za-z0-9]{32}" + END, "ico-"),
            kind("HARNESS_TOKEN", "(?:pat|sat)\\.[A-Za-z0-9_-]{22}\\.[a-f0-9]{24}\\.[A-Za-z0-9]{20}", "pat.", "sat."),
            kind("OCTOPUS_KEY", "API-[A-Z0-9]{26}" + END, "API-"),
            kind("DUFFEL_TOKEN", "duffel_(?:test|live)_[A-Za-z0-9_=-]{43}", "duffel_"),
            kind("FRAMEIO_TOKEN", "fio-u-[A-Za-z0-9_=-]{64}", "fio-u-"),
            kind("PLAID_TOKEN", "access-(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}"
                    + "-[0-9a-f]{4}-[0-9a-f]{12}", "access-"));

    /** {@code scheme://user:password@host}; the password may hold '/' (upstream's tests). */
    static final Pattern URI_CREDENTIALS = Pattern.compile(
            "\\b([A-Za-z][A-Za-z0-9+.-]{1,20}://)([^\\s:/@\"'<>]*):([^\\s@\"'<>]+)@");

    static final Pattern BEARER = Pattern.compile("(?i)\\b(bearer|basic)(\\s+)([A-Za-z0-9._~+/-]{16,}=*)");

    /**
     * GitHub's other scheme, {@code Authorization: token <t>}: a classic 40-hex token has no
     * prefix to recognise it by. Only after the header name, since "token" is an ordinary word.
     */
    static final Pattern AUTH_TOKEN = Pattern.compile("(?i)\\b(authorization\\s*[:=]\\s*[\"']?token)(\\s+)([A-Za-z0-9._~+/-]{16,}=*)");

    /** Every hint, by its first character: one pass over a text finds the kinds that may match it. */
    @SuppressWarnings("unchecked")
    private static final List<int[]>[] BY_FIRST_CHAR = new List[128];
    private static final List<String> HINTS = new java.util.ArrayList<>();

    static {
        for (int k = 0; k < TOKENS.size(); k++) {
            for (String h : TOKENS.get(k).hints()) {
                HINTS.add(h);
                char c = h.charAt(0);
                if (c >= 128) {
                    throw new IllegalStateException("hints are ASCII: " + h);
                }
                if (BY_FIRST_CHAR[c] == null) {
                    BY_FIRST_CHAR[c] = new java.util.ArrayList<>();
                }
                BY_FIRST_CHAR[c].add(new int[] {k, HINTS.size() - 1});
            }
        }
    }

    private SecretPatterns() {
    }

    /**
     * The indexes (into {@link #TOKENS}) of the kinds whose hints occur in {@code text}: the same
     * answer as asking each kind's {@link Kind#mayMatch}, in one pass instead of one per hint.
     */
    static java.util.BitSet candidates(String text) {
        java.util.BitSet out = new java.util.BitSet(TOKENS.size());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            List<int[]> hs = c < 128 ? BY_FIRST_CHAR[c] : null;
            if (hs == null) {
                continue;
            }
            for (int[] h : hs) {
                if (!out.get(h[0]) && text.startsWith(HINTS.get(h[1]), i)) {
                    out.set(h[0]);
                }
            }
        }
        return out;
    }

    private static Kind kind(String label, String regex, String... hints) {
        return new Kind(label, Pattern.compile(START + regex), List.of(hints));
    }

    /**
     * Whether what follows {@code user:} is a port and a path ({@code host:8080/x@y}), not a
     * password: a URL without credentials must come out unchanged.
     */
    static boolean looksLikePort(String password) {
        int i = 0;
        while (i < password.length() && Character.isDigit(password.charAt(i))) {
            i++;
        }
        return i > 0 && i <= 5 && (i == password.length() || password.charAt(i) == '/');
    }
}
