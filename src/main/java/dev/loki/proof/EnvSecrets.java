package dev.loki.proof;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The literal values of loki's own secret-named environment variables ({@code DB_PASSWORD},
 * {@code SENDGRID_API_KEY}, {@code ANTHROPIC_API_KEY}...), masked wherever they appear, the way CI
 * systems mask registered secrets: an agent that echoes its environment, a spec that quotes a key,
 * a diff of a {@code .env} file all lose the value, whatever its shape.
 *
 * <p>The name decides (any word of it is a secret word: KEY, TOKEN, SECRET, PASSWORD, PASS, PWD,
 * CREDENTIAL, AUTH, PRIVATE...), except the shell's {@code PWD}/{@code OLDPWD} directories and names
 * that end in a word about the secret rather than the secret ({@code _FILE}, {@code _PATH},
 * {@code _SOCK}, {@code _URL}, {@code _ID}...). The value must be worth masking: at least
 * {@link #MIN_LENGTH} characters, not a number, not a word of one character class
 * ({@code disabled}), not a path that exists.
 */
final class EnvSecrets {
    static final int MIN_LENGTH = 8;

    private static final Set<String> SECRET_WORDS = Set.of("KEY", "KEYS", "APIKEY", "SECRETKEY", "ACCESSKEY",
            "PRIVATEKEY", "TOKEN", "TOKENS", "AUTHTOKEN", "SECRET", "SECRETS", "PASSWORD", "PASSWORDS", "PASSWD",
            "PASS", "PASSPHRASE", "PWD", "PW", "CREDENTIAL", "CREDENTIALS", "CREDS", "AUTH", "PRIVATE", "PAT", "PSK");

    /** Substrings that make a name secret even inside a longer word ({@code DBPASSWORD}, {@code MYSECRET}). */
    private static final List<String> SECRET_PARTS = List.of("PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY",
            "CREDENTIAL", "PRIVATEKEY");

    /** The shell's working directories: named like a password, holding a path. */
    private static final Set<String> NOT_SECRET_NAMES = Set.of("PWD", "OLDPWD");

    /** Last words that say the value is about a secret (where it is, who owns it), not the secret. */
    private static final Set<String> ABOUT_A_SECRET = Set.of("FILE", "FILES", "PATH", "DIR", "SOCK", "SOCKET",
            "URL", "URI", "HOST", "PORT", "USER", "USERNAME", "ID", "TYPE", "MODE", "METHOD", "TIMEOUT", "TTL",
            "ENABLED", "DISABLED", "PROVIDER", "DOMAIN", "ISSUER", "ENDPOINT", "REGION", "COUNT", "LIMIT", "EXPIRY",
            "NAME", "HEADER", "SCOPE", "SCOPES", "VERSION");

    /** A masked value: the variable's name goes into the label, never its value. */
    record Value(String name, String value) {
        String label() {
            return "[REDACTED:ENV:" + name + "]";
        }
    }

    private EnvSecrets() {
    }

    /** The values to mask, longest first (so a value that contains another is masked whole). */
    static List<Value> of(Map<String, String> env) {
        List<Value> out = new ArrayList<>();
        if (env == null) {
            return out;
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (e.getKey() != null && e.getValue() != null && isSecretName(e.getKey())
                    && worthMasking(e.getValue())) {
                out.add(new Value(e.getKey(), e.getValue()));
            }
        }
        out.sort(Comparator.comparingInt((Value v) -> -v.value().length()).thenComparing(Value::name));
        return out;
    }

    static boolean isSecretName(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        if (NOT_SECRET_NAMES.contains(upper)) {
            return false;
        }
        List<String> words = SecretKeys.words(name);
        if (words.isEmpty() || ABOUT_A_SECRET.contains(words.get(words.size() - 1))) {
            return false;
        }
        for (String w : words) {
            if (SECRET_WORDS.contains(w)) {
                return true;
            }
        }
        for (String part : SECRET_PARTS) {
            if (upper.contains(part)) {
                return true;
            }
        }
        return false;
    }

    static boolean worthMasking(String value) {
        String v = value.strip();
        if (v.length() < MIN_LENGTH || v.chars().allMatch(Character::isDigit)) {
            return false;
        }
        int classes = 0;
        classes += v.chars().anyMatch(Character::isLowerCase) ? 1 : 0;
        classes += v.chars().anyMatch(Character::isUpperCase) ? 1 : 0;
        classes += v.chars().anyMatch(Character::isDigit) ? 1 : 0;
        classes += v.chars().anyMatch(c -> !Character.isLetterOrDigit(c)) ? 1 : 0;
        if (classes < 2 && v.length() < 16) {
            return false;
        }
        if (v.startsWith("/") || v.startsWith("~") || v.startsWith(".")) {
            try {
                if (Files.exists(Path.of(v))) {
                    return false;
                }
            } catch (InvalidPathException | SecurityException e) {
                // not a path: a value like any other
            }
        }
        return true;
    }

    /** The forms a value takes once serialised: as is, JSON-escaped, HTML-escaped. */
    static List<String> serialisedForms(String value) {
        List<String> forms = new ArrayList<>();
        forms.add(value);
        String json = value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\t", "\\t");
        if (!forms.contains(json)) {
            forms.add(json);
        }
        String html = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&#34;")
                .replace("'", "&#39;");
        if (!forms.contains(html)) {
            forms.add(html);
        }
        return forms;
    }
}
