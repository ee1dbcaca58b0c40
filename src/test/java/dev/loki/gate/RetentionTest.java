package dev.loki.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {
    @TempDir
    Path tmp;

    @Test
    void only_the_newest_artefacts_with_the_prefix_are_kept() throws Exception {
        for (int i = 1; i <= 5; i++) {
            Path d = Files.createDirectories(tmp.resolve("review-" + i));
            Files.writeString(d.resolve("diff.txt"), "x");
            Files.setLastModifiedTime(d, FileTime.fromMillis(1_000_000L * i));
        }
        Files.writeString(tmp.resolve("keep-me.txt"), "not ours to prune");
        Retention.keepNewest(tmp, "review-", 2);
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("keep-me.txt", "review-4", "review-5");
        }
    }
}
