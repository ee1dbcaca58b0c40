package dev.loki;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Text that loki prints for a person, made safe to read and to paste. A command the user is told
 * to run ({@code loki start ... --pr}) carries task texts, ids and paths that an agent or an issue
 * author chose: unquoted, a {@code ;} or {@code $(...)} in them would run when pasted, a {@code #}
 * would cut the command, a space would split an argument. A path printed on its own line could
 * hold a newline and fake a line of loki's output ("Undo this rollback with: ..."). Every such
 * value goes through here: {@link #command} for commands, {@link #path} for paths, {@link #line}
 * for free text that names them.
 */
public final class Quote {
    /**
     * Words that mean the same to every POSIX shell (and zsh) unquoted, and read well: {@code cp-123},
     * {@code --pr}, {@code /tmp/x}. Not starting with '=', which zsh expands to a command's path.
     */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+:,./-][A-Za-z0-9_@%+=:,./-]*");

    private Quote() {
    }

    /**
     * One POSIX shell word: as is when it is plain, else in single quotes, an embedded quote
     * written {@code '\''}. Pasted into sh, bash or zsh, it is exactly {@code s} again.
     */
    public static String shell(String s) {
        if (!s.isEmpty() && PLAIN.matcher(s).matches()) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** A command line to paste: each word quoted as {@link #shell} says, joined by spaces. */
    public static String command(String... words) {
        return command(List.of(words));
    }

    public static String command(List<String> words) {
        StringBuilder b = new StringBuilder();
        for (String w : words) {
            b.append(b.length() == 0 ? "" : " ").append(shell(w));
        }
        return b.toString();
    }

    /**
     * A path as git prints it: as is, unless it holds a control character, {@code "} or
     * {@code \}; then in double quotes with C escapes ({@code \n}, {@code \t}, {@code \"},
     * {@code \\}, other bytes as {@code \ooo} octal). Other UTF-8 stays readable, except what
     * a terminal shows as a line break or uses to reorder text (C1 controls, U+2028/U+2029, the
     * bidirectional overrides): those are escaped too, as git does with {@code core.quotepath}.
     */
    public static String path(String p) {
        if (!needsQuoting(p)) {
            return p;
        }
        return escape(p, true, new StringBuilder(p.length() + 8).append('"')).append('"').toString();
    }

    /**
     * Free text that must stay one line (a note or a message that names paths or ids an agent
     * chose): control characters and line separators escaped as in {@link #path}, nothing else
     * changed, no quotes added.
     */
    public static String line(String text) {
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (unsafe(c)) {
                return escape(text, false, new StringBuilder(text.length() + 8)).toString();
            }
        }
        return text;
    }

    /**
     * A value a user or a client typed, echoed in an error message: cut to {@code max} characters
     * (then "...") and kept to one line as {@link #line} does; null is empty.
     */
    public static String excerpt(String text, int max) {
        if (text == null) {
            return "";
        }
        if (text.length() > max) {
            int cut = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
            text = text.substring(0, cut) + "...";
        }
        return line(text);
    }

    private static StringBuilder escape(String p, boolean quotes, StringBuilder b) {
        for (int i = 0; i < p.length(); ) {
            int c = p.codePointAt(i);
            i += Character.charCount(c);
            switch (c) {
                case 0x07 -> b.append("\\a");
                case '\b' -> b.append("\\b");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case 0x0b -> b.append("\\v");
                case '\f' -> b.append("\\f");
                case '\r' -> b.append("\\r");
                case '"' -> b.append(quotes ? "\\\"" : "\"");
                case '\\' -> b.append(quotes ? "\\\\" : "\\");
                default -> {
                    if (unsafe(c)) {
                        for (byte x : new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8)) {
                            b.append('\\').append(String.format("%03o", x & 0xff));
                        }
                    } else {
                        b.appendCodePoint(c);
                    }
                }
            }
        }
        return b;
    }

    private static boolean needsQuoting(String p) {
        for (int i = 0; i < p.length(); ) {
            int c = p.codePointAt(i);
            i += Character.charCount(c);
            if (c == '"' || c == '\\' || unsafe(c)) {
                return true;
            }
        }
        return false;
    }

    /** Characters a terminal does not simply show: controls, line separators, bidi overrides, lone surrogates. */
    private static boolean unsafe(int c) {
        return c < 0x20 || c >= 0x7f && c <= 0x9f || c == 0x2028 || c == 0x2029
                || c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069 || c == 0x200e || c == 0x200f
                || c == 0x061c || Character.getType(c) == Character.SURROGATE;
    }
}
