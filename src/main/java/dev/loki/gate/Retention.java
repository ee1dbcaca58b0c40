package dev.loki.gate;

import dev.loki.store.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the gates' own per-iteration artefacts (review folders, test logs) from filling the
 * disk over a long run: only the newest few are kept. Touches nothing but loki's own files.
 */
final class Retention {
    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

    private Retention() {
    }

    /** Deletes all but the {@code keep} most recently modified entries of {@code dir} named {@code prefix*}. */
    static void keepNewest(Path dir, String prefix, int keep) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.filter(p -> p.getFileName().toString().startsWith(prefix))
                    .sorted(Comparator.comparing(Retention::modified).reversed()
                            .thenComparing(Comparator.<Path>naturalOrder().reversed()))
                    .toList();
        } catch (IOException e) {
            return;
        }
        for (Path old : entries.subList(Math.min(keep, entries.size()), entries.size())) {
            deleteTree(old);
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static void deleteTree(Path root) {
        try {
            FileTrees.delete(root);
        } catch (IOException e) {
            LOG.warn("could not prune {}: {}", root, e.getMessage());
        }
    }
}
