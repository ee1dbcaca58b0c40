package dev.loki.gate;

import dev.loki.git.SnapshotCheckout.FileDiff;
import java.util.ArrayList;
import java.util.List;

/**
 * Exactly what one iteration changed: the diff between the previous checkpoint's snapshot and
 * this iteration's, so work the user did before the run is never reviewed as the agent's. Cut
 * by whole files, never in the middle of one: files are taken in path order while they fit in
 * {@code maxChars}; each file left out is named, with its size, at the end of the diff text.
 *
 * @param files   every changed path (deleted ones too), in path order
 * @param deleted the paths the iteration deleted
 * @param omitted the paths whose patch was left out of {@code diff}, each with its size
 */
public record IterationDiff(String from, String to, List<String> files, List<String> deleted, String diff,
        List<String> omitted) {
    /**
     * Claude, codex, cline and aider get a review prompt, diff included, as one argument, which
     * Linux caps at 128 KiB: a larger diff made every reviewer fail to start.
     */
    public static final int MAX_CHARS = 100_000;

    public IterationDiff {
        files = List.copyOf(files);
        deleted = List.copyOf(deleted);
        omitted = List.copyOf(omitted);
    }

    public static IterationDiff of(String from, String to, List<FileDiff> diffs, int maxChars) {
        List<String> files = new ArrayList<>();
        List<String> deleted = new ArrayList<>();
        List<String> omitted = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        // room for the note that names what was left out
        int budget = Math.max(0, maxChars - Math.min(maxChars / 5, 20_000));
        boolean all = diffs.stream().mapToLong(d -> d.patch().length()).sum() <= maxChars;
        for (FileDiff d : diffs) {
            files.add(d.path());
            if (d.status() == 'D') {
                deleted.add(d.path());
            }
            if (all || text.length() + d.patch().length() <= budget) {
                text.append(d.patch());
            } else {
                omitted.add(d.path() + " (" + d.patch().length() + " characters of diff)");
            }
        }
        if (!omitted.isEmpty()) {
            text.append("\n[loki] ").append(omitted.size()).append(" of ").append(diffs.size())
                    .append(" changed file(s) left out of this diff to keep it under ").append(maxChars)
                    .append(" characters; read them in the working directory:\n");
            omitted.forEach(o -> text.append("- ").append(o).append('\n'));
        }
        return new IterationDiff(from, to, files, deleted, text.toString(), omitted);
    }

    /** The gates' view: changed files that still exist, the diff, whether it was cut. */
    ChangedFiles changedFiles() {
        List<String> present = files.stream().filter(f -> !deleted.contains(f)).toList();
        return new ChangedFiles(to, present, diff, !omitted.isEmpty(),
                omitted.isEmpty() ? "" : omitted.size() + " file(s) left out of the diff");
    }
}
