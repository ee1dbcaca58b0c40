package dev.loki.proof;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code KEY=value}, {@code "key": "value"}, {@code key: value} and {@code key => value}, never
 * {@code key == x}. Found from each separator backwards to its key, so the key's rules
 * ({@link SecretKeys}) run once per separator instead of a regex trying a key at every position
 * of every line (this was most of the redactor's time on logs).
 */
final class KeyValues {
    private static final int MAX_KEY = 64;

    /**
     * A quoted value (escapes allowed) or a bare one up to a delimiter, however long (a bounded
     * value left the tail of a long secret in the clear, or a long quoted one unmasked); a quote
     * that is not closed (a line cut inside it) runs to the end of the line. Possessive: a miss
     * costs one pass, no backtracking.
     */
    private static final Pattern VALUE = Pattern.compile("\"(?:[^\"\\\\\\n]|\\\\.)*+\"|'[^'\\n]*+'"
            + "|[\"'][^\\n]++|[^\\s,;'\"}\\])(<>]++");

    private KeyValues() {
    }

    static String redact(String s, int[] n) {
        StringBuilder out = null;
        int last = 0;
        Matcher value = VALUE.matcher(s);
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c != ':' && c != '=') {
                continue;
            }
            int sepEnd = i + 1;
            if (c == '=') {
                char next = i + 1 < len ? s.charAt(i + 1) : 0;
                char prev = i > 0 ? s.charAt(i - 1) : 0;
                if (next == '=') {
                    i++;
                    continue;
                }
                if (prev == '=' || prev == '!' || prev == '<' || prev == '>') {
                    continue;
                }
                if (next == '>') {
                    sepEnd++;
                }
            }
            int keyEnd = i;
            while (keyEnd > 0 && (s.charAt(keyEnd - 1) == ' ' || s.charAt(keyEnd - 1) == '\t')) {
                keyEnd--;
            }
            char quote = 0;
            if (keyEnd > 0 && (s.charAt(keyEnd - 1) == '"' || s.charAt(keyEnd - 1) == '\'')) {
                quote = s.charAt(keyEnd - 1);
                keyEnd--;
            }
            int keyStart = keyEnd;
            while (keyStart > 0 && keyEnd - keyStart < MAX_KEY && isKeyChar(s.charAt(keyStart - 1))) {
                keyStart--;
            }
            // the key starts with a letter or '_' right after something that is not a word
            while (keyStart < keyEnd && !(isKeyStart(s.charAt(keyStart))
                    && (keyStart == 0 || !isWordChar(s.charAt(keyStart - 1))))) {
                keyStart++;
            }
            if (keyStart == keyEnd || quote != 0 && (keyStart == 0 || s.charAt(keyStart - 1) != quote)) {
                continue;
            }
            String key = s.substring(keyStart, keyEnd);
            if (!SecretKeys.isSecret(key)) {
                continue;
            }
            int v = sepEnd;
            while (v < len && (s.charAt(v) == ' ' || s.charAt(v) == '\t')) {
                v++;
            }
            value.region(v, len);
            if (!value.lookingAt()) {
                continue;
            }
            String replaced = Redactor.redactedValue(key, value.group(), s, value.end());
            if (replaced == null) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(len);
            }
            out.append(s, last, v).append(replaced);
            last = value.end();
            n[0]++;
            i = value.end() - 1;
        }
        return out == null ? s : out.append(s, last, len).toString();
    }

    private static boolean isKeyChar(char c) {
        return isWordChar(c) || c == '-';
    }

    private static boolean isWordChar(char c) {
        return c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '.');
    }

    private static boolean isKeyStart(char c) {
        return c < 128 && (Character.isLetter(c) || c == '_');
    }
}
