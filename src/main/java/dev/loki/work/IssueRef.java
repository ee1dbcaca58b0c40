package dev.loki.work;

import dev.loki.LokiException;
import dev.loki.Quote;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A GitHub issue as the user names it: {@code #123} (the current repository),
 * {@code owner/repo#123}, or the issue's URL.
 */
public record IssueRef(Optional<String> repo, int number, Optional<String> url) {
    private static final Pattern LOCAL = Pattern.compile("^#(\\d{1,9})$");
    private static final Pattern QUALIFIED = Pattern.compile("^([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)#(\\d{1,9})$");
    // a Path-typed argument collapses "//" to "/", so both spellings are accepted
    private static final Pattern URL = Pattern.compile(
            "^(https?):/{1,2}([A-Za-z0-9.-]+)/([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)/issues/(\\d{1,9})/?$");

    /** True when the text is meant as an issue (it may still be malformed: see {@link #parse}). */
    public static boolean looksLikeIssue(String text) {
        String t = text.strip();
        return t.startsWith("#") || t.matches("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+#.*")
                || t.matches("^https?:/{1,2}[^\\s]*/issues/.*");
    }

    /** The reference, or a usage error (exit 2) saying what shape is expected. */
    public static IssueRef parse(String text) {
        String t = text.strip();
        Matcher m = LOCAL.matcher(t);
        if (m.matches()) {
            return checked(new IssueRef(Optional.empty(), Integer.parseInt(m.group(1)), Optional.empty()), text);
        }
        m = QUALIFIED.matcher(t);
        if (m.matches()) {
            return checked(new IssueRef(Optional.of(m.group(1)), Integer.parseInt(m.group(2)), Optional.empty()), text);
        }
        m = URL.matcher(t);
        if (m.matches()) {
            String url = m.group(1) + "://" + m.group(2) + "/" + m.group(3) + "/issues/" + m.group(4);
            return checked(new IssueRef(Optional.of(m.group(3)), Integer.parseInt(m.group(4)), Optional.of(url)), text);
        }
        throw LokiException.badInput("Not an issue reference: '" + Quote.excerpt(text, 80)
                + "'. Use #123, owner/repo#123 or https://github.com/owner/repo/issues/123");
    }

    private static IssueRef checked(IssueRef r, String text) {
        if (r.number() < 1) {
            throw LokiException.badInput("Issue numbers start at 1: '" + Quote.excerpt(text, 80) + "'");
        }
        return r;
    }

    /** The argument gh takes for the issue, plus {@code --repo} when named. */
    List<String> ghArgs() {
        List<String> a = new ArrayList<>();
        if (url.isPresent()) {
            a.add(url.get());
            return a;
        }
        a.add(Integer.toString(number));
        repo.ifPresent(r -> {
            a.add("--repo");
            a.add(r);
        });
        return a;
    }

    /** The branch and worktree name part: {@code issue-123}. */
    public String slug() {
        return "issue-" + number;
    }

    @Override
    public String toString() {
        return url.orElseGet(() -> repo.map(r -> r + "#" + number).orElse("#" + number));
    }

}
