package dev.loki.gate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One reviewer's answer, parsed. The verdict is the first {@code VERDICT:} line, tolerating
 * markdown decoration ({@code **VERDICT:** FAIL}, {@code ## Verdict - fail}). Findings are lines
 * carrying a bracketed severity. Upstream blocked on any {@code [Critical]} text anywhere in the
 * output, so a reviewer quoting the severity legend could block; here only finding lines count.
 */
record ReviewVerdict(String reviewer, Kind kind, List<Finding> findings, String raw) {
    enum Kind { PASS, FAIL, NO_OUTPUT, UNPARSED, ERROR }

    record Finding(String severity, String description, String file, int line) {
        boolean blocking() {
            return severity.equals("critical") || severity.equals("high");
        }
    }

    private static final Pattern VERDICT = Pattern.compile(
            "^[\\s>#*_`-]*verdict[\\s*_`]*[:=\\-]?[\\s*_`]*(pass|fail|passed|failed)\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern FINDING = Pattern.compile(
            "^[\\s>*_`-]*(?:\\d+[.)]\\s*)?\\[\\s*(critical|high|medium|low)\\s*]\\s*[:\\-]?\\s*(.*)$",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern LOCATION = Pattern.compile("\\(([^()\\s]+?)(?::(\\d+))?\\)\\s*$");

    static ReviewVerdict parse(String reviewer, String output) {
        String text = output == null ? "" : output;
        if (text.isBlank()) {
            return new ReviewVerdict(reviewer, Kind.NO_OUTPUT, List.of(), text);
        }
        Kind kind = null;
        List<Finding> findings = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            Matcher v = VERDICT.matcher(line);
            if (kind == null && v.find()) {
                kind = v.group(1).toLowerCase(Locale.ROOT).startsWith("pass") ? Kind.PASS : Kind.FAIL;
                continue;
            }
            Matcher f = FINDING.matcher(line);
            if (f.find()) {
                String desc = f.group(2).strip();
                String file = "";
                int lineNo = 0;
                Matcher loc = LOCATION.matcher(desc);
                if (loc.find()) {
                    file = loc.group(1);
                    lineNo = loc.group(2) == null ? 0 : Integer.parseInt(loc.group(2));
                }
                findings.add(new Finding(f.group(1).toLowerCase(Locale.ROOT), desc, file, lineNo));
            }
        }
        if (kind == null) {
            // no verdict line: a reviewer that reports a critical or high finding still means FAIL
            kind = findings.stream().anyMatch(Finding::blocking) ? Kind.FAIL : Kind.UNPARSED;
        }
        return new ReviewVerdict(reviewer, kind, List.copyOf(findings), text);
    }

    static ReviewVerdict error(String reviewer, String why) {
        return new ReviewVerdict(reviewer, Kind.ERROR, List.of(), why);
    }

    /** Upstream's rule: a FAIL verdict with at least one Critical or High finding. */
    boolean blocking() {
        return kind == Kind.FAIL && findings.stream().anyMatch(Finding::blocking);
    }

    boolean answered() {
        return kind == Kind.PASS || kind == Kind.FAIL;
    }
}
