package dev.loki.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index path digest agrees with git's own listing, and ignores what a refresh changes. */
class IndexPathsTest {
    @TempDir
    Path tmp;

    private static String expected(TestRepo repo) throws Exception {
        byte[] listed = GitCli.in(repo.dir(), repo.env()).run("ls-files", "-z", "--cached").stdout();
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(listed));
    }

    @Test
    void digest_is_that_of_the_listed_paths_in_every_index_version() throws Exception {
        TestRepo repo = TestRepo.create(tmp);
        repo.write("a.txt", "a\n").write("dir/sub/b.txt", "b\n").write("dir/c.txt", "c\n")
                .write("long-directory-name/".repeat(12) + "x.txt", "l\n").commitAll("base");
        Path index = repo.dir().resolve(".git/index");
        for (String v : new String[] {"2", "3", "4", "2"}) {
            repo.git("update-index", "--index-version", v);
            assertThat(IndexPaths.digest(index)).as("version " + v).isEqualTo(expected(repo));
        }
        String before = IndexPaths.digest(index);
        byte[] raw = Files.readAllBytes(index);
        repo.write("a.txt", "A\n"); // stat data changes, paths do not
        repo.git("status", "--porcelain");
        repo.git("update-index", "--assume-unchanged", "dir/c.txt");
        assertThat(IndexPaths.digest(index)).isEqualTo(before);

        repo.write("new.txt", "n\n");
        repo.git("add", "-N", "new.txt"); // intent-to-add: an extended flag (version 3)
        assertThat(IndexPaths.digest(index)).isNotEqualTo(before).isEqualTo(expected(repo));
        repo.git("update-index", "--index-version", "4");
        assertThat(IndexPaths.digest(index)).isEqualTo(expected(repo));
        repo.git("rm", "-q", "--cached", "dir/sub/b.txt");
        assertThat(IndexPaths.digest(index)).isEqualTo(expected(repo));

        raw[raw.length - 30] ^= 1;
        raw[5] = 9; // an unknown version
        assertThat(IndexPaths.digest(raw)).isNull();
    }

    @Test
    void a_split_index_is_not_read_here() throws Exception {
        TestRepo repo = TestRepo.create(tmp);
        repo.write("a.txt", "a\n").commitAll("base");
        repo.git("update-index", "--split-index");
        assertThat(IndexPaths.digest(repo.dir().resolve(".git/index"))).isNull();
    }
}
