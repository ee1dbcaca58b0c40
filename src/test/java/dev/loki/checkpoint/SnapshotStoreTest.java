package dev.loki.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The private snapshot store borrows the user's objects instead of copying them. */
class SnapshotStoreTest {
    @TempDir
    Path tmp;

    @Test
    void committed_content_is_borrowed_through_alternates_not_copied() throws Exception {
        TestRepo repo = TestRepo.create(tmp);
        for (int i = 0; i < 300; i++) {
            repo.write("src/f" + i + ".txt", "file number " + i + "\n".repeat(50));
        }
        try (Stream<Path> files = Files.walk(repo.path("src"))) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(120)));
            }
        }
        repo.commitAll("300 files");
        repo.write("untracked.txt", "new\n");

        Loki.Result r = Loki.run(repo, "checkpoint", "create", "borrow");
        assertThat(r.exit()).as(r.toString()).isZero();

        Path alternates = repo.path(".git/loki/store/objects/info/alternates");
        assertThat(Files.readString(alternates).strip()).isEqualTo(repo.path(".git/objects").toString());
        long own = ownObjects(repo, repo.path(".git/loki/store"));
        // the new blob, the trees for / and src/, and the commit: never the 300 committed blobs
        assertThat(own).isLessThan(10);
    }

    @Test
    void a_repository_without_commits_gets_a_parentless_snapshot() {
        TestRepo repo = TestRepo.createEmpty(tmp);
        repo.write("first.txt", "hello\n");
        Loki.Result r = Loki.run(repo, "checkpoint", "create", "no commits yet", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.json().path("snapshot").path("status").asText()).isEqualTo("captured");
        assertThat(r.json().path("git_sha").asText()).isEqualTo("no-commit");
        String id = r.json().path("id").asText();
        repo.write("first.txt", "changed\n");
        assertThat(Loki.run(repo, "rollback", "to", id).exit()).isZero();
        assertThat(repo.read("first.txt")).isEqualTo("hello\n");
    }

    /** Objects the store holds itself (loose and packed), not those it reads through alternates. */
    private static long ownObjects(TestRepo repo, Path store) {
        String out = TestRepo.run(List.of("git", "--git-dir", store.toString(), "count-objects", "-v"), repo.dir(),
                repo.env());
        long n = 0;
        for (String line : out.split("\n")) {
            if (line.startsWith("count:") || line.startsWith("in-pack:")) {
                n += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        return n;
    }
}
