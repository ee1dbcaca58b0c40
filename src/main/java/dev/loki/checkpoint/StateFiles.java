package dev.loki.checkpoint;

import dev.loki.store.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The agent state a checkpoint holds: copies of the run's files at their .loki-relative paths.
 * Never the checkpoint store itself, logs, proofs or events (copying the store into itself is
 * upstream's F6 defect).
 */
final class StateFiles {
    static final List<String> SINGLE_FILES = List.of("session.json", "dashboard-state.json", "autonomy-state.json",
            "state/orchestrator.json", "CONTINUITY.md");

    /** Files of a checkpoint directory that are bookkeeping, not state. */
    static final Set<String> BOOKKEEPING = Set.of("metadata.json", "worktree-snapshot.txt");

    private StateFiles() {
    }

    /** Whether a .loki-relative path belongs to the state a checkpoint of ours manages. */
    static boolean isManaged(String rel) {
        return SINGLE_FILES.contains(rel) || rel.matches("queue/[^/]+\\.json") || rel.startsWith("council/");
    }

    /** The managed state files that exist now, sorted. */
    static List<String> liveManaged(Path loki) {
        Set<String> out = new TreeSet<>();
        for (String f : SINGLE_FILES) {
            if (Files.isRegularFile(loki.resolve(f), LinkOption.NOFOLLOW_LINKS)) {
                out.add(f);
            }
        }
        out.addAll(listFiles(loki, "queue", false).stream().filter(StateFiles::isManaged).toList());
        out.addAll(listFiles(loki, "council", true));
        return new ArrayList<>(out);
    }

    /**
     * Copies the managed state, plus {@code extra} paths, into {@code cpDir}. Returns the
     * paths copied; {@code absent} receives the extra paths that did not exist.
     */
    static List<String> capture(Path loki, Path cpDir, Collection<String> extra, List<String> absent)
            throws IOException {
        Set<String> paths = new TreeSet<>(liveManaged(loki));
        for (String e : extra) {
            if (Files.isRegularFile(loki.resolve(e), LinkOption.NOFOLLOW_LINKS)) {
                paths.add(e);
            } else {
                absent.add(e);
            }
        }
        List<String> copied = new ArrayList<>();
        for (String rel : paths) {
            Path src = loki.resolve(rel);
            Path dst = cpDir.resolve(rel);
            Files.createDirectories(dst.getParent());
            Files.copy(src, dst, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            copied.add(rel);
        }
        return copied;
    }

    /**
     * The state files of a checkpoint upstream wrote: every file in its directory except the
     * bookkeeping and any nested copy of the checkpoint store (F6/F7).
     */
    static List<String> legacyFiles(Path cpDir) {
        List<String> out = new ArrayList<>();
        for (String rel : listFiles(cpDir, "", true)) {
            if (BOOKKEEPING.contains(rel) || rel.startsWith("state/checkpoints/") || rel.startsWith("logs/")
                    || rel.startsWith("proofs/") || rel.equals("events.jsonl")) {
                continue;
            }
            out.add(rel);
        }
        return out;
    }

    /**
     * Restores the state of {@code cp}. For ours the managed state becomes equal to the
     * checkpoint (files that appeared since are removed; they are in the pre-rollback
     * checkpoint); for upstream's the files it holds are copied over (it never recorded what
     * was absent, so nothing is removed). Each file is written atomically.
     */
    static List<String> restore(Path loki, Checkpoint cp, List<String> absent) throws IOException {
        List<String> restored = new ArrayList<>();
        List<String> source = cp.isOurs() ? cp.stateFiles() : legacyFiles(cp.dir());
        for (String rel : source) {
            Path src = cp.dir().resolve(rel);
            if (!Files.isRegularFile(src, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Path dst = loki.resolve(rel).normalize();
            if (!dst.startsWith(loki)) {
                continue;
            }
            AtomicFiles.write(dst, Files.readAllBytes(src));
            restored.add(rel);
        }
        if (cp.isOurs()) {
            Set<String> keep = new TreeSet<>(cp.stateFiles());
            for (String rel : liveManaged(loki)) {
                if (!keep.contains(rel)) {
                    Files.deleteIfExists(loki.resolve(rel));
                    restored.add(rel + " (removed)");
                }
            }
            for (String rel : absent) {
                if (Files.deleteIfExists(loki.resolve(rel))) {
                    restored.add(rel + " (removed)");
                }
            }
        }
        return restored;
    }

    private static List<String> listFiles(Path base, String sub, boolean recursive) {
        Path dir = sub.isEmpty() ? base : base.resolve(sub);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> s = recursive ? Files.walk(dir) : Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> base.relativize(p).toString().replace('\\', '/'))
                    .filter(rel -> !rel.contains(".tmp-") && !rel.endsWith(".lock"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
