package dev.loki.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.git.SnapshotStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A path a rollback left as it is because a snapshot could not hold it (over the size cap, a
 * nested repository, a fifo), with what is known about it, so that what is printed claims no
 * match that was not checked. Leaving it is what keeps the user's bytes: the current file is in
 * no snapshot, so writing the checkpoint's version over it (or removing it) could not be undone.
 *
 * @param inCheckpoint the checkpoint's snapshot holds a version of it (small then, too big now)
 * @param differs      for a path the checkpoint holds: its size now is not the checkpoint's, so it
 *                     surely differs; false when the sizes are equal (the bytes were not compared)
 * @param reasonNow    why the current file is in no snapshot; empty when the last snapshot holds it
 * @param reasonThen   why the checkpoint left it out; empty when it did not
 */
public record KeptPath(String path, boolean inCheckpoint, boolean differs, String reasonNow, String reasonThen) {
    /**
     * Why the checkpoint holds no version of a file its own ignore rules ignore: a snapshot never
     * holds an ignored file, so its absence says nothing and the rollback does not remove it.
     */
    static final String IGNORED_THEN = "ignored by its .gitignore";
    /**
     * Why no snapshot holds a file that is ignored now: the pre-rollback snapshot could not save it,
     * so writing the checkpoint's version over it would lose its bytes for good.
     */
    static final String IGNORED_NOW = "it is ignored now";

    /**
     * Why a rollback leaves a path as it is, claiming only what was checked: a file the
     * checkpoint holds that is too big to snapshot now differs (or may), it does not match.
     */
    public String describe(boolean dryRun) {
        String left = dryRun ? "it would be left as is" : "it was left as is";
        String now = reasonNow.startsWith("larger than ") ? "is over the size cap now (" + reasonNow + ")"
                : "cannot be snapshotted now (" + dev.loki.Quote.line(reasonNow) + ")";
        String then = "was left out of the checkpoint (" + dev.loki.Quote.line(reasonThen) + ")";
        if (inCheckpoint && !reasonNow.isEmpty()) {
            return (differs ? "differs from the checkpoint" : "may differ from the checkpoint (same size, not"
                    + " compared)") + " but " + now + ", so " + left + (IGNORED_NOW.equals(reasonNow)
                            ? " (for the checkpoint's version, move the file away and roll back again)" : "");
        }
        if (!reasonNow.isEmpty() && reasonThen.isEmpty()) {
            return "is not in the checkpoint and " + now + ", so no snapshot holds it: "
                    + (dryRun ? "it would not be removed" : "it was not removed");
        }
        if (!reasonNow.isEmpty() && reasonNow.equals(reasonThen)) {
            return "was left out of the checkpoint and of every snapshot since (" + dev.loki.Quote.line(reasonNow)
                    + "), so " + left;
        }
        if (!reasonNow.isEmpty()) {
            return then + " and " + now + ": no snapshot holds it, so " + left;
        }
        if (!reasonThen.isEmpty()) {
            return then + ", so there is no version of it to restore: " + left;
        }
        return (inCheckpoint ? "may differ from the checkpoint; " : "") + "no snapshot could hold it, so " + left;
    }

    /** Why each path (or directory, ending in '/') was left out, from a checkpoint's {@code snapshot.skipped}. */
    static Map<String, String> reasons(JsonNode skipped) {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode n : skipped) {
            out.put(n.isObject() ? n.path("path").asText() : n.asText(), n.path("reason").asText(""));
        }
        return out;
    }

    static Map<String, String> reasons(List<SnapshotStore.Skipped> skipped) {
        Map<String, String> out = new LinkedHashMap<>();
        skipped.forEach(k -> out.put(k.path(), k.reason()));
        return out;
    }

    /**
     * What each kept path is: whether the checkpoint's snapshot {@code targetCommit} holds it (and
     * whether its size differs from the file in {@code workTree}), and why it was left out now
     * and then. Never fails: what cannot be read is reported as "may differ".
     */
    static List<KeptPath> classify(java.util.Collection<String> paths, Optional<SnapshotStore> store, Optional<String> targetCommit,
            Map<String, String> then, Map<String, String> now, Path workTree) {
        List<KeptPath> out = new ArrayList<>();
        for (String p : paths) {
            boolean held = false;
            boolean differs = false;
            // a file the checkpoint's rules ignore is one its snapshot lacks: no lookup (there may be thousands)
            if (store.isPresent() && targetCommit.isPresent() && !p.endsWith("/")
                    && !IGNORED_THEN.equals(then.get(p))) {
                try {
                    Optional<SnapshotStore.Blob> b = store.get().blob(targetCommit.get(), p, 0);
                    held = b.isPresent();
                    differs = held && b.get().size() != sizeNow(workTree.resolve(p));
                } catch (IOException | RuntimeException e) {
                    held = true; // unknown: worded as "may differ", never as a match
                }
            }
            out.add(new KeptPath(p, held, differs, reason(now, p), reason(then, p)));
        }
        return List.copyOf(out);
    }

    /** The reason {@code path} itself, or the directory holding it, was left out; empty when it was not. */
    private static String reason(Map<String, String> skipped, String path) {
        String r = skipped.get(path);
        if (r != null) {
            return r.isEmpty() ? "left out" : r;
        }
        for (Map.Entry<String, String> e : skipped.entrySet()) {
            if (e.getKey().endsWith("/") && path.startsWith(e.getKey())) {
                return e.getValue().isEmpty() ? "left out" : e.getValue();
            }
        }
        return "";
    }

    private static long sizeNow(Path file) throws IOException {
        return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Files.size(file) : -1;
    }
}
