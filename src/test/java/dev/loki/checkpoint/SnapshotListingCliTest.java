package dev.loki.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 8, reproduction 7 through the CLI: what a snapshot leaves out or cannot restore is in its record. */
class SnapshotListingCliTest {
    @TempDir
    Path tmp;

    @Test
    void nested_repos_large_files_empty_dirs_and_read_only_files_are_listed_in_the_checkpoint() throws Exception {
        TestRepo repo = TestRepo.create(tmp);
        repo.write("nest/inner.txt", "nested\n");
        repo.git("-C", "nest", "init", "-q");
        repo.writeBytes("big.bin", new byte[2 * 1024 * 1024]);
        Files.createDirectories(repo.path("empty"));
        repo.write("ro.txt", "read only\n");
        Files.setPosixFilePermissions(repo.path("ro.txt"), PosixFilePermissions.fromString("r--r--r--"));
        Map<String, String> env = new java.util.HashMap<>(repo.env());
        env.put("LOKI_CHECKPOINT_MAX_FILE_MB", "1");

        Loki.Result r = Loki.run(repo.dir(), env, "checkpoint", "create", "listing", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode snap = r.json().path("snapshot");
        assertThat(snap.path("status").asText()).isEqualTo("captured");
        assertThat(paths(snap.path("skipped"))).contains("nest/", "big.bin");
        JsonNode meta = dev.loki.store.Json.parse(Files.readString(repo.path(".loki/state/checkpoints/"
                + r.json().path("id").asText() + "/metadata.json")));
        assertThat(paths(meta.path("snapshot").path("skipped"))).contains("nest/", "big.bin");
        assertThat(paths(meta.path("snapshot").path("not_restored"))).contains("empty/", "ro.txt");
        assertThat(repo.path(".git/loki/store/HEAD")).exists();
        assertThat(repo.refs()).as("no ref in the user's repository").doesNotContain("refs/loki");
    }

    private static List<String> paths(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.isObject() ? n.path("path").asText() : n.asText()));
        return out;
    }
}
