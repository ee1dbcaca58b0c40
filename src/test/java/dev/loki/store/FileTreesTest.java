package dev.loki.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {
    @TempDir
    Path tmp;

    @Test
    void deleting_a_tree_removes_links_but_never_what_they_point_to() throws Exception {
        Path outside = Files.writeString(tmp.resolve("keep.txt"), "user file\n");
        Path keepDir = Files.createDirectories(tmp.resolve("keep-dir"));
        Files.writeString(keepDir.resolve("inner.txt"), "also kept\n");
        Path tree = Files.createDirectories(tmp.resolve("tree/a/b"));
        Files.writeString(tree.resolve("f.txt"), "x");
        Files.createSymbolicLink(tmp.resolve("tree/link-file"), outside);
        Files.createSymbolicLink(tmp.resolve("tree/a/link-dir"), keepDir);

        FileTrees.delete(tmp.resolve("tree"));

        assertThat(tmp.resolve("tree")).doesNotExist();
        assertThat(outside).hasContent("user file");
        assertThat(keepDir.resolve("inner.txt")).hasContent("also kept");
        FileTrees.delete(tmp.resolve("tree"));   // already gone: no error
    }
}
