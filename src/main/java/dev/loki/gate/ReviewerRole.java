package dev.loki.gate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The blind code reviewers and how three are picked for a diff: the architecture strategist
 * always, plus the two specialists whose keywords the diff and file names hit most (ties in
 * pool order; no hits at all picks security and test coverage), as upstream.
 */
record ReviewerRole(String name, String focus, String checks, List<String> keywords) {
    static final ReviewerRole ARCHITECTURE = new ReviewerRole("architecture-strategist",
            "architecture, design and correctness of the change",
            "design flaws, wrong abstractions, broken contracts, logic errors, missing error handling",
            List.of());

    static final List<ReviewerRole> POOL = List.of(
            new ReviewerRole("security-sentinel", "security vulnerabilities",
                    "injection, authentication and authorization flaws, secrets in code, unsafe input handling",
                    List.of("auth", "password", "token", "secret", "crypt", "sql", "exec", "eval", "session",
                            "cookie", "permission", "sanitize", "shell", "api_key")),
            new ReviewerRole("test-coverage-auditor", "test coverage and test quality",
                    "untested code paths, tests that cannot fail, missing edge cases, broken tests",
                    List.of("test", "spec", "assert", "expect", "mock", "fixture", "coverage")),
            new ReviewerRole("performance-oracle", "performance",
                    "quadratic loops, unbounded memory, blocking I/O on hot paths, missing indexes or caching",
                    List.of("loop", "cache", "query", "index", "async", "await", "thread", "parallel", "batch",
                            "memory", "perf", "stream")),
            new ReviewerRole("dependency-analyst", "dependencies",
                    "new or changed dependencies, version pinning, licences, known-vulnerable packages",
                    List.of("package.json", "pom.xml", "build.gradle", "requirements", "go.mod", "cargo.toml",
                            "dependency", "dependencies", "version", "import", "require(")));

    static List<ReviewerRole> select(List<String> files, String diff) {
        String hay = (String.join("\n", files) + "\n" + diff).toLowerCase(Locale.ROOT);
        List<int[]> scored = new ArrayList<>();
        for (int i = 0; i < POOL.size(); i++) {
            int hits = 0;
            for (String k : POOL.get(i).keywords()) {
                for (int at = hay.indexOf(k); at >= 0; at = hay.indexOf(k, at + k.length())) {
                    hits++;
                }
            }
            scored.add(new int[] {i, hits});
        }
        List<ReviewerRole> out = new ArrayList<>();
        out.add(ARCHITECTURE);
        if (scored.stream().allMatch(s -> s[1] == 0)) {
            out.add(POOL.get(0));
            out.add(POOL.get(1));
            return out;
        }
        scored.sort(Comparator.<int[]>comparingInt(s -> -s[1]).thenComparingInt(s -> s[0]));
        out.add(POOL.get(scored.get(0)[0]));
        out.add(POOL.get(scored.get(1)[0]));
        return out;
    }

    /** Upstream's prompt shape, so a provider tuned on it answers the same way. */
    String prompt(List<String> files, String diff, boolean truncated) {
        return "You are " + name + ". Your SOLE focus is: " + focus + ".\n\n"
                + "Review ONLY for: " + checks + ".\n\n"
                + "You are one of three blind reviewers; you do not see the others' reviews.\n\n"
                + "Files changed:\n" + String.join("\n", files) + "\n\n"
                + "Diff" + (truncated ? " (truncated)" : "") + ":\n" + diff + "\n\n"
                + "Answer in exactly this format:\n"
                + "VERDICT: PASS or FAIL\n"
                + "FINDINGS:\n"
                + "- [severity] description (file:line)\n"
                + "Severity levels: Critical, High, Medium, Low\n";
    }
}
