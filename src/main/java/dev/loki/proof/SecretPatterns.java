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
            kind("SLACK_WEBHOOK", "https://hooks\\.slack\\.com/services/[A-Za-z0-9_/-]{20,}", "hooks.slack.com"),
            kind("AWS_KEY", "(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?![0-9A-Z])", "AKIA", "ASIA", "ABIA", "ACCA"),
            kind("GOOGLE_KEY", "AIza[0-9A-Za-z_-]{35}", "AIza"),
            kind("GOOGLE_OAUTH", "(?:ya29\\.[0-9A-Za-z_-]{20,}|GOCSPX-[0-9A-Za-z_-]{20,})", "ya29.", "GOCSPX-"),
            kind("XAI_KEY", "xai-[A-Za-z0-9]{20,}", "xai-"),
            kind("GROQ_KEY", "gsk_[A-Za-z0-9]{20,}", "gsk_"),
            kind("HUGGINGFACE_TOKEN", "hf_[A-Za-z0-9]{30,}", "hf_"),
            kind("STRIPE_KEY", "(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}", "_live_", "_test_"),
            kind("NPM_TOKEN", "npm_[A-Za-z0-9]{36}", "npm_"),
            kind("JWT", "eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}", "eyJ"));

    /** {@code scheme://user:password@host}; the password may hold '/' (upstream's tests). */
    static final Pattern URI_CREDENTIALS = Pattern.compile(
            "\\b([A-Za-z][A-Za-z0-9+.-]{1,20}://)([^\\s:/@\"'<>]*):([^\\s@\"'<>]+)@");

    static final Pattern BEARER = Pattern.compile("(?i)\\b(bearer|basic)(\\s+)([A-Za-z0-9._~+/-]{16,}=*)");

    private SecretPatterns() {
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
