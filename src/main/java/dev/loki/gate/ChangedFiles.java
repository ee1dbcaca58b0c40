package dev.loki.gate;

import dev.loki.git.GitCli;
import dev.loki.git.GitException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the iteration changed: the working tree (tracked and untracked, honouring .gitignore)
 * against the iteration's base commit. Upstream diffed {@code HEAD~1}, which misses untracked
 * files and looks at the wrong commit when the agent made none or several; this reads nothing
 * but the work tree and writes nothing to the repository.
 */
record ChangedFiles(String base, List<String> files, String diff, boolean diffTruncated, String note) {
    /** git's well-known empty tree, the base of a repository without commits. */
    static final String EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
    static final int MAX_DIFF_CHARS = IterationDiff.MAX_CHARS;
    private static final int MAX_UNTRACKED_DIFFS = 200;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    boolean isEmpty() {
        return files.isEmpty();
    }

    /** Lists the changes; never throws (a broken or missing repository is an empty change with a note). */
    static ChangedFiles since(Path workTree, Map<String, String> env, String baseSha, boolean withDiff) {
        GitCli git = GitCli.in(workTree, env).withTimeout(TIMEOUT);
        try {
            if (!git.exec("rev-parse", "--is-inside-work-tree").ok()) {
                return new ChangedFiles("", List.of(), "", false, "not a git work tree");
            }
            String note = "";
            String base = resolveBase(git, baseSha);
            if (!baseSha.isEmpty() && !base.equals(baseSha)) {
                note = "base " + baseSha + " is not a commit here; compared with " + base;
            }
            Set<String> files = new LinkedHashSet<>();
            files.addAll(git.run(List.of("diff", "--name-only", "-z", "--no-renames", "--diff-filter=d", base, "--"),
                    null, TIMEOUT).nulSeparated());
            List<String> untracked = git.run(List.of("ls-files", "-z", "--others", "--exclude-standard"),
                    null, TIMEOUT).nulSeparated();
            files.addAll(untracked);
            files.removeIf(f -> f.isEmpty() || f.startsWith(".loki/"));
            if (!withDiff) {
                return new ChangedFiles(base, List.copyOf(files), "", false, note);
            }
            StringBuilder diff = new StringBuilder(git.exec(List.of("diff", "--no-color", "--no-ext-diff", base,
                    "--", ".", ":(exclude).loki"), null, TIMEOUT).out());
            int shown = 0;
            for (String f : untracked) {
                if (f.startsWith(".loki/") || diff.length() > MAX_DIFF_CHARS) {
                    continue;
                }
                if (++shown > MAX_UNTRACKED_DIFFS) {
                    break;
                }
                // --no-index exits 1 when the files differ, which is the point here
                diff.append(git.exec(List.of("diff", "--no-color", "--no-index", "--", "/dev/null", f),
                        null, TIMEOUT).out());
            }
            boolean truncated = diff.length() > MAX_DIFF_CHARS;
            String text = truncated ? diff.substring(0, MAX_DIFF_CHARS) : diff.toString();
            return new ChangedFiles(base, List.copyOf(files), text, truncated, note);
        } catch (GitException e) {
            return new ChangedFiles("", List.of(), "", false, "git failed: " + e.getMessage());
        }
    }

    private static String resolveBase(GitCli git, String baseSha) {
        if (!baseSha.isEmpty() && git.exec("cat-file", "-e", baseSha + "^{commit}").ok()) {
            return baseSha;
        }
        if (git.exec("rev-parse", "--verify", "-q", "HEAD^{commit}").ok()) {
            return git.line("rev-parse", "HEAD");
        }
        return EMPTY_TREE;
    }

    static List<String> withExtension(List<String> files, String... exts) {
        List<String> out = new ArrayList<>();
        for (String f : files) {
            for (String e : exts) {
                if (f.endsWith(e)) {
                    out.add(f);
                    break;
                }
            }
        }
        return out;
    }
}
