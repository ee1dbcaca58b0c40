package dev.loki.council;

import dev.loki.council.CouncilSettings.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One member's parsed answer. Accepts {@code VOTE: APPROVE|REJECT|CANNOT_VALIDATE},
 * {@code REASON: ...} and issue lines ({@code - HIGH: ...}, {@code SEV:HIGH ...},
 * {@code [high] ...}), with markdown decoration. Anything unclear is a REJECT: an empty or
 * unparseable answer, CANNOT_VALIDATE, or two VOTE lines that disagree.
 */
record Ballot(String member, String rawVote, String vote, String reason, List<Issue> issues, String raw) {
    record Issue(Severity severity, String description) {
    }

    private static final Pattern VOTE = Pattern.compile(
            "^[\\s>#*_`-]*vote[\\s*_`]*[:=\\-]?[\\s*_`]*(approve|approved|reject|rejected|cannot[_ ]validate)\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern REASON = Pattern.compile("^[\\s>#*_`-]*reason[\\s*_`]*[:=\\-][\\s*_`]*(.+)$",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern ISSUE = Pattern.compile(
            "^[\\s>*_`-]*(?:issues\\s*:\\s*)?(?:\\d+[.)]\\s*)?(?:sev(?:erity)?\\s*[:=]\\s*)?(critical|high|medium|low)[\\s*_`]*:\\s*(.+)$",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern BRACKET_ISSUE = Pattern.compile(
            "^[\\s>*_`-]*(?:issues\\s*:\\s*)?\\[\\s*(critical|high|medium|low)\\s*]\\s*:?\\s*(.+)$", Pattern.CASE_INSENSITIVE);

    static Ballot parse(String member, String answer) {
        String text = answer == null ? "" : answer;
        String vote = null;
        boolean conflicting = false;
        String reason = "";
        List<Issue> issues = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            Matcher v = VOTE.matcher(line);
            if (v.find()) {
                String word = normalise(v.group(1));
                if (vote != null && !vote.equals(word)) {
                    conflicting = true;
                }
                vote = vote == null ? word : vote;
                continue;
            }
            Matcher r = REASON.matcher(line);
            if (reason.isEmpty() && r.find()) {
                reason = r.group(1).strip();
                continue;
            }
            Matcher i = ISSUE.matcher(line);
            if (!i.find()) {
                i = BRACKET_ISSUE.matcher(line);
                if (!i.find()) {
                    continue;
                }
            }
            Optional<Severity> sev = Severity.parse(i.group(1));
            if (sev.isPresent()) {
                issues.add(new Issue(sev.get(), i.group(2).strip()));
            }
        }
        if (text.isBlank()) {
            return rejected(member, "NO_OUTPUT", "no answer from the reviewer", text);
        }
        if (vote == null) {
            return new Ballot(member, "UNPARSED", Vote.REJECT, "answer had no VOTE line (counted as REJECT)"
                    + (reason.isEmpty() ? "" : "; reason given: " + reason), List.copyOf(issues), text);
        }
        if (conflicting) {
            return new Ballot(member, "CONFLICTING", Vote.REJECT, "answer had contradicting VOTE lines (counted as REJECT)",
                    List.copyOf(issues), text);
        }
        if (vote.equals("CANNOT_VALIDATE")) {
            return new Ballot(member, vote, Vote.REJECT, "could not validate" + (reason.isEmpty() ? "" : ": " + reason),
                    List.copyOf(issues), text);
        }
        return new Ballot(member, vote, vote, reason, List.copyOf(issues), text);
    }

    static Ballot rejected(String member, String rawVote, String why, String raw) {
        return new Ballot(member, rawVote, Vote.REJECT, why, List.of(), raw);
    }

    /**
     * Upstream's severity budget: an issue at or above the threshold makes the vote a REJECT;
     * a REJECT whose issues are all below it becomes an APPROVE. Fixed here: a REJECT that lists
     * no issue at all stays a REJECT (upstream flipped it, every issue being vacuously minor).
     */
    Ballot withSeverityThreshold(Severity threshold) {
        if (!rawVote.equals(Vote.APPROVE) && !rawVote.equals(Vote.REJECT)) {
            return this;
        }
        boolean serious = issues.stream().anyMatch(i -> i.severity().compareTo(threshold) >= 0);
        if (serious && vote.equals(Vote.APPROVE)) {
            return new Ballot(member, rawVote, Vote.REJECT, reason + " (issues at or above " + threshold
                    + " severity: counted as REJECT)", issues, raw);
        }
        if (!serious && !issues.isEmpty() && vote.equals(Vote.REJECT)) {
            return new Ballot(member, rawVote, Vote.APPROVE, reason + " (all issues below " + threshold
                    + " severity: counted as APPROVE)", issues, raw);
        }
        return this;
    }

    Vote toVote() {
        return new Vote(member, vote, reason);
    }

    private static String normalise(String word) {
        String w = word.toUpperCase(Locale.ROOT).replace(' ', '_');
        if (w.startsWith("APPROVE")) {
            return Vote.APPROVE;
        }
        if (w.startsWith("REJECT")) {
            return Vote.REJECT;
        }
        return "CANNOT_VALIDATE";
    }
}
