package dev.loki.proof;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Whether a key name ({@code DB_PASSWORD}, {@code "apiKey"}, {@code X-Api-Key}) names a secret.
 *
 * <p>Upstream matched a keyword anywhere in the name, so {@code AUTHOR}, {@code OLDPWD},
 * {@code max_tokens} and {@code token_count} lost their values. Here the name is cut into words
 * (on {@code _ - .} and camelCase) and the <em>last</em> word decides: a name that ends in a
 * secret word is a secret; one that ends in {@code COUNT}, {@code FILE} or {@code URL} is about
 * a secret, not the secret itself.
 */
final class SecretKeys {
    /** Words that name a secret on their own. */
    private static final Set<String> ALONE = Set.of("PASSWORD", "PASSWORDS", "PASSWD", "PASSPHRASE", "SECRET",
            "TOKEN", "APIKEY", "CREDENTIAL", "CREDENTIALS", "AUTH", "PRIVATEKEY", "SECRETKEY", "ACCESSKEY");

    /** Words that name a secret only after a qualifier ({@code DB_PASS}, {@code GITHUB_PAT}). */
    private static final Set<String> QUALIFIED = Set.of("PASS", "PWD", "PW", "PAT", "PSK");

    /** What may come before {@code KEY} for it to be a secret ({@code API_KEY}, not {@code SORT_KEY}). */
    private static final Set<String> KEY_QUALIFIERS = Set.of("API", "ACCESS", "SECRET", "PRIVATE", "ENCRYPTION",
            "SIGNING", "MASTER", "LICENSE", "CLIENT", "AUTH", "SESSION", "APP", "ACCOUNT", "SERVICE", "CRYPT",
            "HMAC", "JWT", "WEBHOOK", "SUBSCRIPTION");

    /** Qualifiers after which {@code PASS} is a verdict, not a password ({@code TESTS_PASS: 12}). */
    private static final Set<String> NOT_PASSWORD = Set.of("TEST", "TESTS", "GATE", "GATES", "CHECK", "CHECKS", "ALL",
            "MUST", "SHOULD", "TO", "WILL", "DID", "CAN", "BY", "FIRST", "OLD", "ONE");

    /**
     * Secret words that also name a secret at the end of one glued word: {@code PGPASSWORD}
     * (libpq), {@code DBPASSWORD}, {@code CLIENTSECRET}, {@code ACCESSTOKEN}. Without this the
     * word list above only saw them after a separator, so {@code PGPASSWORD=x} kept its value.
     */
    private static final List<String> GLUED = List.of("PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY");

    /** Glued words that are a setting about a secret, not the secret ({@code NOPASSWD: ALL} in sudoers). */
    private static final List<String> GLUED_NOT = List.of("NO", "MAX", "MIN", "NUM");

    /** Whole names of well-known tools' secret variables that no rule above reads ({@code sshpass -e}). */
    private static final Set<String> KNOWN = Set.of("SSHPASS");

    /** Trailing words that still mean the secret itself ({@code SECRET_KEY_BASE}). */
    private static final Set<String> TRAILERS = Set.of("VALUE", "BASE", "RAW", "PLAIN", "STR", "STRING");

    private SecretKeys() {
    }

    static boolean isSecret(String key) {
        List<String> w = words(key);
        if (w.size() > 1 && TRAILERS.contains(w.get(w.size() - 1))) {
            w = w.subList(0, w.size() - 1);
        }
        if (w.isEmpty()) {
            return false;
        }
        String last = w.get(w.size() - 1);
        String prev = w.size() > 1 ? w.get(w.size() - 2) : "";
        if (ALONE.contains(last) || KNOWN.contains(last)) {
            return true;
        }
        for (String g : GLUED) {
            if (last.length() > g.length() && last.endsWith(g)) {
                String head = last.substring(0, last.length() - g.length());
                if (GLUED_NOT.stream().noneMatch(head::equals)) {
                    return true;
                }
            }
        }
        if (QUALIFIED.contains(last)) {
            return !prev.isEmpty() && !NOT_PASSWORD.contains(prev);
        }
        return "KEY".equals(last) && KEY_QUALIFIERS.contains(prev);
    }

    /** Keys whose value is usually a file path or a reference, not the secret. */
    static boolean valueMayBePath(String key) {
        List<String> w = words(key);
        String last = w.isEmpty() ? "" : w.get(w.size() - 1);
        return last.startsWith("CREDENTIAL") || "KEY".equals(last);
    }

    static List<String> words(String key) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean sep = c == '_' || c == '-' || c == '.' || c == ' ';
            boolean camel = Character.isUpperCase(c) && i > 0 && Character.isLowerCase(key.charAt(i - 1));
            if ((sep || camel) && cur.length() > 0) {
                out.add(cur.toString().toUpperCase(Locale.ROOT));
                cur.setLength(0);
            }
            if (!sep) {
                cur.append(c);
            }
        }
        if (cur.length() > 0) {
            out.add(cur.toString().toUpperCase(Locale.ROOT));
        }
        // "apiKey" and "API_KEY" are the same name; so are "privateKey" and "PRIVATE_KEY", "PASS_PHRASE" and "PASSPHRASE"
        if (out.size() >= 2) {
            String joined = out.get(out.size() - 2) + out.get(out.size() - 1);
            if (Set.of("APIKEY", "PRIVATEKEY", "SECRETKEY", "ACCESSKEY", "PASSPHRASE").contains(joined)) {
                out.set(out.size() - 2, joined);
                out.remove(out.size() - 1);
            }
        }
        return out;
    }
}
