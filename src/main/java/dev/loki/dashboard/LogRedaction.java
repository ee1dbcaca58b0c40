package dev.loki.dashboard;

import dev.loki.dashboard.auth.LoginTickets;
import dev.loki.dashboard.auth.SessionStore;
import dev.loki.dashboard.auth.TokenStore;
import dev.loki.proof.Redactor;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What every dashboard answer that carries log or file text passes through: loki's own
 * credentials (one-time login tickets {@code lt_...}, API tokens {@code loki_...}, bearer
 * headers, the session cookie, {@code ?token=} in a URL) are masked here first, then the
 * shared {@link Redactor} removes the secrets it knows. The local rules stay even once the
 * redactor learns loki's formats: a login link in a log must never reach a read-scoped client.
 */
public final class LogRedaction {
    public static final String MASK = "[REDACTED]";

    /**
     * loki's own secret formats, from the prefixes that mint them: prefix kept (it says what was
     * there), secret part masked. Looser than the proof's shapes on purpose (a cut or URL-encoded
     * ticket is still a ticket), and they keep the prefix, so they are not {@link Redactor}'s.
     */
    private static final List<Pattern> OWN = List.of(
            Pattern.compile("(?<![A-Za-z0-9])(?<keep>" + Pattern.quote(LoginTickets.PREFIX) + ")[A-Za-z0-9_%-]{6,}"),
            Pattern.compile("(?<![A-Za-z0-9])(?<keep>" + Pattern.quote(TokenStore.PREFIX) + ")[A-Za-z0-9_%-]{20,}"),
            Pattern.compile("(?i)(?<keep>\\bbearer\\s+)[A-Za-z0-9._~+/%=-]{8,}"),
            Pattern.compile("(?i)(?<keep>\\b" + Pattern.quote(SessionStore.COOKIE) + "\\s*[=:]\\s*\"?)[A-Za-z0-9_%-]{8,}"),
            Pattern.compile("(?i)(?<keep>[?&](?:token|ticket|access_token|code)=)[^&\\s\"'<>]{4,}"));

    private final Redactor redactor;

    public LogRedaction(String workTree, String home) {
        this(workTree, home, Map.of());
    }

    /** Also masks the values of {@code env}'s secret-named variables, as the proof's redactor does. */
    public LogRedaction(String workTree, String home, Map<String, String> env) {
        this.redactor = new Redactor(workTree, home, env);
    }

    /** The dashboard's redaction: its environment's secret values are what a run's agent sees too. */
    public static LogRedaction forBackend(Backend b) {
        Map<String, String> env = b.env();
        String home = env.getOrDefault("HOME", System.getProperty("user.home", ""));
        return new LogRedaction(b.loki().workTree().toString(), home, env);
    }

    /** The redactor behind this (its second-look scan: {@link Redactor#survivorsIn}). */
    public Redactor scanner() {
        return redactor;
    }

    /** One line (or any text) as a read-scoped client may see it. */
    public String apply(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        return redactor.redact(maskOwn(text)).text();
    }

    /** A JSON document (events, gate output, council text) as a read-scoped client may see it. */
    public com.fasterxml.jackson.databind.JsonNode apply(com.fasterxml.jackson.databind.JsonNode tree) {
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            return tree;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode masked = dev.loki.store.Json.parse(maskOwn(
                    dev.loki.store.Json.compact(tree)));
            return redactor.redact(masked).tree();
        } catch (java.io.IOException e) {
            return tree;
        }
    }

    /**
     * {@code tree} as {@link #apply(com.fasterxml.jackson.databind.JsonNode)} gives it, except its
     * top-level fields named in {@code redacted}: the caller passed those through this redaction
     * already, line by line with what only it knows (a private key block across lines), so they are
     * kept as they are, in their place, instead of being redacted a second time.
     */
    public com.fasterxml.jackson.databind.JsonNode applyExcept(com.fasterxml.jackson.databind.JsonNode tree,
            java.util.Collection<String> redacted) {
        if (redacted.isEmpty() || tree == null || !tree.isObject()) {
            return apply(tree);
        }
        com.fasterxml.jackson.databind.node.ObjectNode rest = dev.loki.store.Json.object();
        tree.fields().forEachRemaining(e -> {
            if (!redacted.contains(e.getKey())) {
                rest.set(e.getKey(), e.getValue());
            }
        });
        com.fasterxml.jackson.databind.JsonNode done = apply(rest);
        com.fasterxml.jackson.databind.node.ObjectNode out = dev.loki.store.Json.object();
        tree.fields().forEachRemaining(e -> {
            if (redacted.contains(e.getKey())) {
                out.set(e.getKey(), e.getValue());
            } else if (done.has(e.getKey())) {
                out.set(e.getKey(), done.get(e.getKey()));
            }
        });
        // a key the redaction rewrote (it held a secret) comes last, as rewritten
        done.fields().forEachRemaining(e -> {
            if (!out.has(e.getKey())) {
                out.set(e.getKey(), e.getValue());
            }
        });
        return out;
    }

    /**
     * Where a private key block stands across lines: a log is served line by line, and the lines
     * between a {@code BEGIN ... PRIVATE KEY} line and its {@code END} line hold no marker of
     * their own. One per reader of a log (the live stream keeps one across its polls).
     */
    public static final class KeyBlock {
        /** A key is a few dozen lines; a missing END line must not mask the rest of a log. */
        static final int MAX_LINES = 200;
        private int inside = -1;
    }

    private static final Pattern KEY_BEGIN = Pattern.compile("-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY( BLOCK)?-----");
    private static final Pattern KEY_END = Pattern.compile("-----END[A-Z0-9 ]{0,40} PRIVATE KEY( BLOCK)?-----");
    /** A line of a PEM body (base64, or the headers of an encrypted key), as a tail may start inside one. */
    private static final Pattern KEY_LINE = Pattern.compile("^\\s*(?:[A-Za-z0-9+/=]{16,}|Proc-Type:.*|DEK-Info:.*)\\s*$");
    private static final String KEY_MASK = "[REDACTED:PRIVATE_KEY]";

    /** One line of a log, {@code block} carrying whether an earlier line opened a private key. */
    public String apply(String line, KeyBlock block) {
        if (block.inside >= 0) {
            Matcher end = KEY_END.matcher(line);
            if (end.find()) {
                block.inside = -1;
                String rest = line.substring(end.end());
                return KEY_MASK + (rest.isBlank() ? "" : apply(rest, block));
            }
            if (++block.inside <= KeyBlock.MAX_LINES) {
                return KEY_MASK;
            }
            block.inside = -1;
        }
        Matcher begin = KEY_BEGIN.matcher(line);
        if (begin.find() && !KEY_END.matcher(line).region(begin.end(), line.length()).find()) {
            block.inside = 0;
        }
        return apply(line);
    }

    /**
     * The lines of a log tail as a read-scoped client may see them: each redacted, the inner lines
     * of a private key block masked too, also when the tail starts inside a key (body lines before
     * an END line with no BEGIN before it).
     */
    public List<String> applyLines(List<String> lines) {
        List<String> out = new java.util.ArrayList<>(lines.size());
        int firstEnd = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (KEY_BEGIN.matcher(lines.get(i)).find()) {
                break;
            }
            if (KEY_END.matcher(lines.get(i)).find()) {
                firstEnd = i;
                break;
            }
        }
        KeyBlock block = new KeyBlock();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (i < firstEnd && KEY_LINE.matcher(l).matches()) {
                out.add(KEY_MASK);
            } else if (i == firstEnd) {
                Matcher end = KEY_END.matcher(l);
                end.find();
                String rest = l.substring(end.end());
                out.add(KEY_MASK + (rest.isBlank() ? "" : apply(rest, block)));
            } else {
                out.add(apply(l, block));
            }
        }
        return out;
    }

    /** Only loki's own secret formats (no path rewriting): for answers that are not log text. */
    public static String maskOwn(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (Pattern p : OWN) {
            Matcher m = p.matcher(out);
            if (m.find()) {
                out = m.replaceAll("${keep}" + Matcher.quoteReplacement(MASK));
            }
        }
        return out;
    }

    /** True when {@code text} still holds one of loki's own secret formats (tests and guards). */
    public static boolean holdsOwnSecret(String text) {
        return !maskOwn(text).equals(text);
    }
}
