package dev.loki.proof;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets and personal paths from every string of a proof, keys and values alike,
 * before anything is serialised. Secrets and path rewrites are counted apart, so
 * {@code redactions_count} says how many secrets were found, not how many paths were shortened.
 */
public final class Redactor {
    public static final String RULES_VERSION = "3.1";
    static final String MARK = "[REDACTED";

    /** {@code --password hunter2}, {@code --api-key=...}. */
    private static final Pattern FLAG = Pattern.compile(
            "(?i)(?<![A-Za-z0-9_-])(?<key>--?(?:[a-z0-9]+-)*(?:password|passwd|passphrase|token|secret|api-key|apikey))(?<sep>[ =])"
                    + "(?<val>[^\\s\"'-][^\\s\"']*)");

    /**
     * Prose: "the password is hunter2". The value runs to the end of the word, however long (a
     * bounded run left the tail of a long token in the clear); one character class then one
     * character, so a miss costs at most one pass back over the word.
     */
    private static final Pattern PROSE = Pattern.compile(
            "(?i)\\b(?<key>password|passwd|passphrase)(?<sep>\\s+(?:is|was|of)\\s*:?\\s+)(?<val>[^\\s,;'\"]{2,}[^\\s,;'\".!?])");

    /**
     * {@code curl -u user:password}, {@code --user=user:password}, {@code --proxy-user ...}: the
     * part after the first colon. A value of digits only is a uid:gid ({@code docker run -u 1000:1000}); a
     * URL ({@code -u https://host}) is not a user.
     */
    private static final Pattern USER_FLAG = Pattern.compile(
            "(?<![A-Za-z0-9_-])(?:-u|--user|--proxy-user)(?:\\s+|=)['\"]?[^\\s:'\"/]*:(?<val>(?!//)[^\\s'\"]+)");

    /**
     * The MySQL/MariaDB clients' password glued to its flag: {@code mysql -u root -phunter2}
     * ({@code -p} alone prompts; {@code -P3306} is the port).
     */
    private static final Pattern MYSQL_P = Pattern.compile(
            "\\b(?i:mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mariadb|mariadb-dump)\\b[^\\n|;&]*?"
                    + "\\s-p(?<val>[^\\s'\"]+)");

    /** A netrc entry, one line or many: {@code machine h login bob password hunter2}. */
    private static final Pattern NETRC = Pattern.compile("(?i)\\blogin\\s+\\S+\\s+password\\s+(?<val>[^\\s'\"]+)");

    /**
     * A {@code Cookie:} header's values (every pair) and a {@code Set-Cookie:} header's value (its
     * first pair; the rest are attributes), up to the end of the line or a quote: cookies are
     * sessions, whatever they are called ({@code sessionid}, {@code _gh_sess}).
     */
    private static final Pattern COOKIE = Pattern.compile("(?i)\\b(?<set>set-)?cookie\\s*:\\s*(?<pairs>[^\\r\\n\"']+)");
    private static final Pattern COOKIE_PAIR = Pattern.compile("(?<name>[^\\s=;,]+)=(?<val>[^;\\s]*)");

    /** Fragments one of which every secret key name holds (lower case), for the pre-check. */
    private static final List<String> ASSIGNMENT_HINTS = List.of("pass", "pw", "pat", "psk", "key", "secret", "token",
            "auth", "credential");
    private static final List<String> FLAG_HINTS = List.of("pass", "token", "secret", "key");

    private static final Set<String> NOT_SECRETS = Set.of("true", "false", "null", "none", "nil", "yes", "no", "empty",
            "required", "optional", "unset", "set", "missing", "invalid", "valid", "correct", "incorrect", "wrong",
            "expired", "changed", "reset", "not", "the", "a", "an", "too", "being", "now", "still", "also", "here",
            "stored", "hashed", "masked", "hidden", "redacted", "undefined", "n/a", "string", "str", "int", "bool");

    private static final Pattern GENERIC_HOME = Pattern.compile("(?<![A-Za-z0-9_.~-])/(?:Users|home)/[A-Za-z0-9._-]+");
    private static final Pattern WINDOWS_HOME = Pattern.compile("(?i)\\b[A-Z]:\\\\{1,2}Users\\\\{1,2}[^\\\\/\\s\"']+");

    private final List<String> repoRoots;
    private final List<String> homes;
    private final List<EnvSecrets.Value> envSecrets;
    private final boolean paths;

    private static volatile Redactor processWide;

    /**
     * @param repoRoot the work tree root, written as {@code .}
     * @param home     the user's home directory, written as {@code ~}
     */
    public Redactor(String repoRoot, String home) {
        this(repoRoot, home, Map.of());
    }

    /**
     * A redactor that also masks the literal values of {@code env}'s secret-named variables
     * (see {@link EnvSecrets}), wherever they appear and whatever their shape.
     */
    public Redactor(String repoRoot, String home, Map<String, String> env) {
        this(variants(repoRoot), variants(home), EnvSecrets.of(env), true);
    }

    private Redactor(List<String> repoRoots, List<String> homes, List<EnvSecrets.Value> envSecrets, boolean paths) {
        this.repoRoots = repoRoots;
        this.homes = homes;
        this.envSecrets = List.copyOf(envSecrets);
        this.paths = paths;
    }

    /**
     * For log writers and APIs that serve logs: masks secrets (patterns, loki's own login tickets,
     * API tokens and session cookies, and {@code env}'s secret values) and leaves paths alone.
     */
    public static Redactor secretsOnly(Map<String, String> env) {
        return new Redactor(List.of(), List.of(), EnvSecrets.of(env), false);
    }

    /** {@link #secretsOnly} over this process's own environment, built once. */
    public static Redactor forProcess() {
        Redactor r = processWide;
        if (r == null) {
            r = secretsOnly(System.getenv());
            processWide = r;
        }
        return r;
    }

    /** One log line with its secrets masked (this process's environment included); null stays null. */
    public static String line(String s) {
        return s == null ? null : forProcess().redact(s).text();
    }

    /** The names of the environment variables whose values this redactor masks (never the values). */
    public List<String> maskedVariables() {
        return envSecrets.stream().map(EnvSecrets.Value::name).sorted().toList();
    }

    /** What one pass found. */
    public record Counts(int secrets, int pathRewrites) {
    }

    /** A redacted tree and what was removed from it. */
    public record Result(JsonNode tree, Counts counts) {
    }

    /** A redacted string and what was removed from it. */
    public record Text(String text, Counts counts) {
    }

    public Result redact(JsonNode tree) {
        int[] n = new int[2];
        JsonNode out = walk(tree, n);
        return new Result(out, new Counts(n[0], n[1]));
    }

    public Text redact(String s) {
        int[] n = new int[2];
        String out = redactString(s, n);
        return new Text(out, new Counts(n[0], n[1]));
    }

    private JsonNode walk(JsonNode node, int[] n) {
        if (node.isTextual()) {
            return JsonNodeFactory.instance.textNode(redactString(node.asText(), n));
        }
        if (node.isArray()) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            node.forEach(c -> a.add(walk(c, n)));
            return a;
        }
        if (node.isObject()) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                // {"DB_PASSWORD": "pw"}: the key names the secret, the value alone looks harmless
                boolean secretValue = (v.isTextual() || v.isNumber()) && SecretKeys.isSecret(e.getKey())
                        && isSecretValue(v.asText(), e.getKey());
                if (secretValue) {
                    n[0]++;
                    o.put(redactString(e.getKey(), n), "[REDACTED]");
                } else if (v.isArray() && SecretKeys.isSecret(e.getKey())) {
                    // {"passwords": ["pw1", "pw2"]}: each value the key names
                    ArrayNode a = JsonNodeFactory.instance.arrayNode();
                    for (JsonNode c : v) {
                        if ((c.isTextual() || c.isNumber()) && isSecretValue(c.asText(), e.getKey())) {
                            n[0]++;
                            a.add("[REDACTED]");
                        } else {
                            a.add(walk(c, n));
                        }
                    }
                    o.set(redactString(e.getKey(), n), a);
                } else {
                    o.set(redactString(e.getKey(), n), walk(v, n));
                }
            }
            return o;
        }
        return node;
    }

    String redactString(String s, int[] n) {
        if (s.length() < 4) {
            return s;
        }
        // the run's own secrets first, before a pattern can take part of one and leave the rest
        for (EnvSecrets.Value v : envSecrets) {
            if (s.contains(v.value())) {
                s = replaceAll(s, v.value(), v.label(), n);
            }
        }
        // Each rule runs only where a cheap literal check says it can match: most log lines
        // hold no secret, and the rules' leading look-behinds defeat the regex engine's own skip.
        String t = s;
        if (t.contains("PRIVATE KEY")) {
            t = replace(SecretPatterns.PRIVATE_KEY_BLOCK, t, n, m -> "[REDACTED:PRIVATE_KEY]");
            t = replace(SecretPatterns.PRIVATE_KEY_OPEN, t, n, m -> "[REDACTED:PRIVATE_KEY]");
        }
        java.util.BitSet candidates = SecretPatterns.candidates(t);
        for (int i = candidates.nextSetBit(0); i >= 0; i = candidates.nextSetBit(i + 1)) {
            SecretPatterns.Kind k = SecretPatterns.TOKENS.get(i);
            String label = "[REDACTED:" + k.label() + "]";
            t = replace(k.pattern(), t, n, m -> label);
        }
        String lower = t.toLowerCase(Locale.ROOT);
        for (SchemeRule r : SCHEMES) {
            if (r.mayMatch(lower)) {
                t = replace(r.pattern(), t, n, m -> r.redacted(m) ? null : m.group(1) + m.group(2) + "[REDACTED]");
            }
        }
        if (t.contains("://") && t.indexOf('@') >= 0) {
            t = replace(SecretPatterns.URI_CREDENTIALS, t, n, m -> m.group(3).startsWith(MARK)
                    || SecretPatterns.looksLikePort(m.group(3)) ? null
                    : m.group(1) + m.group(2) + ":[REDACTED]@");
        }
        if (containsAny(lower, ASSIGNMENT_HINTS)) {
            t = KeyValues.redact(t, n);
        }
        if (t.indexOf('-') >= 0 && containsAny(lower, FLAG_HINTS)) {
            String b = t;
            t = replace(FLAG, b, n, m -> assignment(m, false, b));
        }
        if (lower.contains("pass")) {
            String c = t;
            t = replace(PROSE, c, n, m -> assignment(m, false, c));
            if (lower.contains("login")) {
                t = replace(NETRC, t, n, Redactor::valueOnly);
            }
        }
        if (lower.contains("cookie")) {
            t = replace(COOKIE, t, n, Redactor::cookieValues);
        }
        if ((lower.contains("mysql") || lower.contains("mariadb")) && t.contains(" -p")) {
            t = replace(MYSQL_P, t, n, Redactor::valueOnly);
        }
        if (lower.contains("-u") && t.indexOf(':') >= 0) {
            t = replace(USER_FLAG, t, n, Redactor::valueOnly);
        }
        return paths ? rewritePaths(t, n) : t;
    }

    private static String replaceAll(String s, String literal, String with, int[] n) {
        StringBuilder sb = new StringBuilder(s.length());
        int from = 0;
        int i = s.indexOf(literal);
        while (i >= 0) {
            sb.append(s, from, i).append(with);
            n[0]++;
            from = i + literal.length();
            i = s.indexOf(literal, from);
        }
        return sb.append(s, from, s.length()).toString();
    }

    /** A cookie header with its values masked (all pairs of Cookie, the first of Set-Cookie); null when none is set. */
    private static String cookieValues(Matcher m) {
        String pairs = m.group("pairs");
        boolean firstOnly = m.group("set") != null;
        Matcher p = COOKIE_PAIR.matcher(pairs);
        StringBuilder sb = new StringBuilder();
        int last = 0;
        boolean changed = false;
        while (p.find()) {
            String v = p.group("val");
            if (!v.isEmpty() && !v.startsWith(MARK)) {
                sb.append(pairs, last, p.start("val")).append("[REDACTED]");
                last = p.end("val");
                changed = true;
            }
            if (firstOnly) {
                break;
            }
        }
        if (!changed) {
            return null;
        }
        sb.append(pairs, last, pairs.length());
        return m.group().substring(0, m.start("pairs") - m.start()) + sb;
    }

    /** The match with its {@code val} group masked; null (kept) for a marker, or for digits only (an id, not a secret). */
    private static String valueOnly(Matcher m) {
        String v = m.group("val");
        if (v.startsWith(MARK) || v.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return m.group().substring(0, m.start("val") - m.start()) + "[REDACTED]";
    }

    /** The assignment with its value replaced, or null to keep it as it is. */
    private static String assignment(Matcher m, boolean checkKey, String input) {
        String key = m.group("key");
        if (checkKey && !SecretKeys.isSecret(key)) {
            return null;
        }
        String replaced = redactedValue(key, m.group("val"), input, m.end());
        return replaced == null ? null : m.group().substring(0, m.start("val") - m.start()) + replaced;
    }

    /**
     * What a secret-named key's value {@code val} (ending at {@code end} in {@code input}) becomes,
     * quotes kept; null when it is not a secret (a reference, a placeholder, a call).
     */
    static String redactedValue(String key, String val, String input, int end) {
        char q = val.charAt(0);
        boolean quoted = (q == '"' || q == '\'') && val.length() >= 2;
        String inner = quoted ? val.substring(1, val.length() - 1) : val;
        if (!isSecretValue(inner, key)) {
            return null;
        }
        // a call, not a value: password = get_password()
        if (!quoted && end < input.length() && input.charAt(end) == '(') {
            return null;
        }
        return quoted ? q + "[REDACTED]" + q : "[REDACTED]";
    }

    private static boolean isSecretValue(String v, String key) {
        String s = v.strip();
        if (s.isEmpty() || s.startsWith(MARK) || NOT_SECRETS.contains(s.toLowerCase(Locale.ROOT))) {
            return false;
        }
        // references to a secret, not the secret: $TOKEN, ${{ secrets.X }}, process.env.X, <your-key>
        if (s.startsWith("$") || s.startsWith("%") || s.startsWith("<") || s.startsWith("{{")
                || s.startsWith("process.env") || s.startsWith("os.environ") || s.startsWith("env.")
                || s.startsWith("secrets.") || s.startsWith("***") || s.startsWith("[")) {
            return false;
        }
        if (SecretKeys.valueMayBePath(key) && (s.startsWith("/") || s.startsWith("~/") || s.startsWith("./"))) {
            return false;
        }
        return true;
    }

    private String rewritePaths(String s, int[] n) {
        String t = s;
        for (String root : repoRoots) {
            t = replaceLiteral(t, root, ".", n);
        }
        for (String home : homes) {
            t = replaceLiteral(t, home, "~", n);
        }
        if (t.indexOf("/Users/") >= 0 || t.indexOf("/home/") >= 0) {
            t = replace(GENERIC_HOME, t, null, m -> {
                n[1]++;
                return "~";
            });
        }
        if (t.indexOf("sers\\") >= 0) {
            t = replace(WINDOWS_HOME, t, null, m -> {
                n[1]++;
                return "~";
            });
        }
        return t;
    }

    /** Replaces {@code path} where it is a whole path component: never {@code /home/al} in {@code /home/alice}. */
    private static String replaceLiteral(String s, String path, String with, int[] n) {
        int i = s.indexOf(path);
        if (i < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        int from = 0;
        while (i >= 0) {
            int end = i + path.length();
            boolean whole = end == s.length() || !isPathChar(s.charAt(end));
            boolean startOk = i == 0 || !isPathChar(s.charAt(i - 1));
            if (whole && startOk) {
                sb.append(s, from, i).append(with);
                n[1]++;
                from = end;
            }
            i = s.indexOf(path, end);
        }
        return sb.append(s, from, s.length()).toString();
    }

    private static boolean isPathChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.';
    }

    private static List<String> variants(String path) {
        List<String> out = new ArrayList<>();
        if (path == null) {
            return out;
        }
        String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        // "/" or a one-letter directory would rewrite every path
        if (p.length() >= 3) {
            out.add(p);
            try {
                String real = java.nio.file.Path.of(p).toRealPath().toString();
                if (!real.equals(p) && real.length() >= 3) {
                    out.add(real);
                }
            } catch (java.io.IOException | RuntimeException e) {
                // the path is gone or never existed: the literal form is all there is to remove
            }
        }
        out.sort((a, b) -> b.length() - a.length());
        return out;
    }

    /**
     * {@link #survivors(String)} plus any of this redactor's environment values still present, in
     * any serialised form (as is, JSON- or HTML-escaped). Names, never values.
     */
    public List<String> survivorsIn(String serialised) {
        List<String> found = survivors(serialised);
        for (EnvSecrets.Value v : envSecrets) {
            for (String form : EnvSecrets.serialisedForms(v.value())) {
                if (serialised.contains(form)) {
                    found.add("ENV:" + v.name());
                    break;
                }
            }
        }
        return found;
    }

    /**
     * The second look, over the serialised proof: anything secret-shaped that is still there
     * (a redactor bug, or a secret that only took shape when serialised). Labels, never values.
     */
    public static List<String> survivors(String serialised) {
        List<String> found = new ArrayList<>();
        if (SecretPatterns.PRIVATE_KEY_OPEN.matcher(serialised).find()) {
            found.add("PRIVATE_KEY");
        }
        java.util.BitSet candidates = SecretPatterns.candidates(serialised);
        for (int i = candidates.nextSetBit(0); i >= 0; i = candidates.nextSetBit(i + 1)) {
            SecretPatterns.Kind k = SecretPatterns.TOKENS.get(i);
            if (k.pattern().matcher(serialised).find() && !found.contains(k.label())) {
                found.add(k.label());
            }
        }
        for (SchemeRule r : SCHEMES) {
            Matcher m = r.pattern().matcher(serialised);
            while (m.find()) {
                if (!r.redacted(m)) {
                    found.add(r.label());
                    break;
                }
            }
        }
        Matcher u = SecretPatterns.URI_CREDENTIALS.matcher(serialised);
        while (u.find()) {
            if (!u.group(3).startsWith(MARK) && !SecretPatterns.looksLikePort(u.group(3))) {
                found.add("URI_CREDENTIALS");
                break;
            }
        }
        return found;
    }

    /**
     * A credential after an authorization scheme's name: {@code Bearer}/{@code Basic <t>}, and
     * GitHub's {@code Authorization: token <t>}. One rule for both: group 1 the scheme, group 2 the
     * space, group 3 the credential, which becomes {@code [REDACTED]} (the scheme stays, so the text
     * still reads); {@code hints} are the lower-case words without which it cannot match.
     */
    private record SchemeRule(String label, Pattern pattern, List<String> hints) {
        boolean mayMatch(String lower) {
            return containsAny(lower, hints);
        }

        boolean redacted(Matcher m) {
            return m.group(3).startsWith(MARK);
        }
    }

    private static final List<SchemeRule> SCHEMES = List.of(
            new SchemeRule("BEARER", SecretPatterns.BEARER, List.of("bearer", "basic")),
            new SchemeRule("AUTH_TOKEN", SecretPatterns.AUTH_TOKEN, List.of("authorization")));

    private static boolean containsAny(String s, List<String> parts) {
        for (String p : parts) {
            if (s.contains(p)) {
                return true;
            }
        }
        return false;
    }

    /** Replaces each match by {@code f(m)} (null keeps the match) and counts replacements in {@code n[0]}. */
    private static String replace(Pattern p, String s, int[] n, Function<Matcher, String> f) {
        Matcher m = p.matcher(s);
        if (!m.find()) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        int last = 0;
        boolean changed = false;
        do {
            String r = f.apply(m);
            if (r != null) {
                sb.append(s, last, m.start()).append(r);
                last = m.end();
                changed = true;
                if (n != null) {
                    n[0]++;
                }
            }
        } while (m.find());
        return changed ? sb.append(s, last, s.length()).toString() : s;
    }
}
