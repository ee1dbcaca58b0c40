package dev.loki.work;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Acceptance criteria from an issue body: every task-list checkbox ({@code - [ ] ...}), and
 * every list item under a heading or bold line called "Acceptance criteria" (up to the next
 * heading). Duplicates are kept once, in the order they appear.
 */
public final class AcceptanceCriteria {
    private static final Pattern CHECKBOX = Pattern.compile("^\\s*(?:[-*+]|\\d+[.)])\\s+\\[([ xX])\\]\\s+(.+?)\\s*$");
    private static final Pattern ITEM = Pattern.compile("^\\s*(?:[-*+]|\\d+[.)])\\s+(.+?)\\s*$");
    private static final Pattern HEADING = Pattern.compile("^\\s{0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern BOLD_TITLE = Pattern.compile("^\\s*(\\*\\*|__)(.+?)(\\*\\*|__)\\s*:?\\s*$");
    private static final Pattern AC_TITLE = Pattern.compile("(?i)^acceptance[ _-]criteria\\s*:?$");

    private AcceptanceCriteria() {
    }

    public static List<Criterion> extract(String body) {
        Map<String, Criterion> found = new LinkedHashMap<>();
        boolean inSection = false;
        boolean inFence = false;
        for (String line : body.split("\\R")) {
            if (line.strip().startsWith("```")) {
                inFence = !inFence;
                continue;
            }
            if (inFence) {
                continue;
            }
            Matcher h = HEADING.matcher(line);
            Matcher b = BOLD_TITLE.matcher(line);
            if (h.matches()) {
                inSection = AC_TITLE.matcher(h.group(2).strip()).matches();
                continue;
            }
            if (b.matches()) {
                inSection = AC_TITLE.matcher(b.group(2).strip()).matches();
                continue;
            }
            if (AC_TITLE.matcher(line.strip()).matches()) {
                inSection = true;
                continue;
            }
            Matcher c = CHECKBOX.matcher(line);
            if (c.matches()) {
                String text = c.group(2);
                found.putIfAbsent(text, new Criterion(text, !" ".equals(c.group(1))));
                continue;
            }
            Matcher i = ITEM.matcher(line);
            if (inSection && i.matches()) {
                found.putIfAbsent(i.group(1), new Criterion(i.group(1), false));
            }
        }
        return new ArrayList<>(found.values());
    }
}
