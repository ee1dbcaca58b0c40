package dev.loki.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.proof.Redactor;
import dev.loki.store.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place every answer under {@code /api/} passes before it leaves: whatever file a route
 * read (council transcripts, legacy proofs written by hand or by upstream, state, queues,
 * checkpoints, logs, events), the body goes through {@link LogRedaction} - loki's own credentials,
 * then the proof redactor's secret patterns, the dashboard environment's secret values and path
 * rewriting. Routes do not call it (one that forgot was how the transcript list served tokens
 * raw while the single transcript masked them); a route whose answer is the caller's own
 * credential (the session's CSRF token) names that field with {@link #ownCredentials}.
 *
 * <p>JSON is redacted as a tree (string by string, keys included, secret-named keys' values
 * masked) and written back compact, as the JSON mapper writes it. HTML (proof pages) is
 * redacted as text: a pattern replaces only the secret's own characters with a label free of
 * markup characters ({@code [REDACTED:GITHUB_TOKEN]}), so the page keeps its structure, and it
 * runs sandboxed without scripts anyway. A second look then scans the redacted page and its
 * rendered text (tags removed, character references decoded): a secret only a browser would
 * assemble (written as {@code &#103;hp_...} or split by tags) cannot be masked in place, so such a
 * page is refused (422 {@code unredactable}) instead of served. Server-sent events are redacted
 * by the {@link dev.loki.dashboard.live.LiveHub}, which sends them.
 */
public final class AnswerRedaction {
    /** The context attribute a handler sets when its answer is the caller's own credential. */
    static final String OWN_CREDENTIALS = "loki.answer.own-credentials";
    static final String REDACTED_FIELDS = "loki.answer.redacted-fields";

    private static final Pattern TAG = Pattern.compile("<[^>]*>");
    private static final Pattern CHAR_REF = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,6});");

    private final LogRedaction redaction;

    public AnswerRedaction(LogRedaction redaction) {
        this.redaction = redaction;
    }

    /**
     * Marks top-level fields of this request's JSON answer as the caller's own credential (a
     * login's or a session's CSRF token), which the secret-named-key rule would otherwise mask:
     * the rest of the answer is redacted as usual, those fields are put back as written.
     */
    public static void ownCredentials(Context ctx, String... fields) {
        ctx.attribute(OWN_CREDENTIALS, List.of(fields));
    }

    /**
     * Marks top-level fields of this request's JSON answer as redacted already by the route, with
     * the same {@link LogRedaction} (a log tail, redacted line by line so that a private key's inner
     * lines are masked too): the rest of the answer is redacted as usual, those fields are not
     * redacted a second time.
     */
    public static void alreadyRedacted(Context ctx, String... fields) {
        ctx.attribute(REDACTED_FIELDS, List.of(fields));
    }

    /** The after-filter on {@code /api/*}. */
    void apply(Context ctx) throws IOException {
        String type = ctx.res().getContentType();
        String lower = type == null ? "" : type.toLowerCase(Locale.ROOT);
        if (lower.startsWith("text/event-stream")) {
            return;
        }
        InputStream in = ctx.resultInputStream();
        if (in == null) {
            return;
        }
        byte[] bytes = in.readAllBytes();
        String body = new String(bytes, StandardCharsets.UTF_8);
        String out;
        if (lower.startsWith("application/json") || lower.isEmpty() && looksLikeJson(body)) {
            out = json(body, ctx.attribute(OWN_CREDENTIALS), ctx.attribute(REDACTED_FIELDS));
        } else if (lower.startsWith("text/html")) {
            List<String> left = new ArrayList<>();
            out = html(body, left);
            if (!left.isEmpty()) {
                refuseHtml(ctx, left);
                return;
            }
        } else if (lower.startsWith("text/") || isUtf8(bytes)) {
            out = redaction.apply(body);
        } else {
            // binary (no route serves any today): rewriting it as text would corrupt it
            ctx.result(bytes);
            return;
        }
        ctx.result(out.equals(body) ? bytes : out.getBytes(StandardCharsets.UTF_8));
    }

    private String json(String body, List<String> own, List<String> redacted) {
        if (body.isBlank()) {
            return body;
        }
        try {
            JsonNode tree = Json.parse(body);
            if (tree == null) {
                return redaction.apply(body);
            }
            JsonNode out = redaction.applyExcept(tree, redacted == null ? List.of() : redacted);
            if (own != null && tree.isObject() && out.isObject()) {
                for (String f : own) {
                    if (tree.has(f)) {
                        // the caller's own credential, as written, and still free of loki's token formats
                        ((ObjectNode) out).put(f, LogRedaction.maskOwn(tree.get(f).asText()));
                    }
                }
            }
            return Json.compact(out);
        } catch (IOException e) {
            // not JSON after all (a handler set the type and wrote text): redacted as text
            return redaction.apply(body);
        }
    }

    /** The page redacted as text; {@code left} gets the labels of anything secret-shaped still in it. */
    String html(String page, List<String> left) {
        String out = redaction.apply(page);
        Redactor scanner = redaction.scanner();
        List<String> found = scanner.survivorsIn(out);
        for (String s : scanner.survivorsIn(rendered(out))) {
            if (!found.contains(s)) {
                found.add(s);
            }
        }
        left.addAll(found);
        return out;
    }

    /** What a browser would show of {@code html}: tags removed, character references decoded. */
    static String rendered(String html) {
        String text = TAG.matcher(html).replaceAll("");
        Matcher m = CHAR_REF.matcher(text);
        StringBuilder sb = new StringBuilder(text.length());
        while (m.find()) {
            String ref = m.group(1);
            String ch;
            try {
                if (ref.startsWith("#x") || ref.startsWith("#X")) {
                    ch = Character.toString(Integer.parseInt(ref.substring(2), 16));
                } else if (ref.startsWith("#")) {
                    ch = Character.toString(Integer.parseInt(ref.substring(1)));
                } else {
                    ch = switch (ref) {
                        case "amp" -> "&";
                        case "lt" -> "<";
                        case "gt" -> ">";
                        case "quot" -> "\"";
                        case "apos" -> "'";
                        case "nbsp" -> " ";
                        default -> m.group();
                    };
                }
            } catch (IllegalArgumentException e) {
                ch = m.group();
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(ch));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static void refuseHtml(Context ctx, List<String> left) {
        ObjectNode o = Json.object();
        o.put("error", "unredactable");
        o.put("message", "this page holds secret-shaped text (" + String.join(", ", left) + ") that cannot be masked"
                + " in its HTML (written with character references or split by tags), so it is not served;"
                + " its proof.json is served redacted, and 'loki proof generate' writes a new redacted report");
        ctx.status(422).contentType("application/json").result(Json.compact(o));
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    private static boolean looksLikeJson(String body) {
        String s = body.stripLeading();
        return s.startsWith("{") || s.startsWith("[");
    }
}
