package dev.loki.proof;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import dev.loki.store.RunRecord;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When a run's base snapshot is gone (its checkpoint deleted), the proof falls back to the base
 * HEAD and says so in its files_changed section and on its page, not only in a warning: the list
 * then includes edits the user made before the run.
 */
class MissingBaseTest {
    @TempDir
    Path tmp;

    @Test
    void a_proof_against_the_base_head_says_pre_run_edits_may_be_listed() throws Exception {
        TestRepo repo = TestRepo.create(tmp);
        repo.write("README.md", "# test\nuser's unfinished edit\n");
        repo.write("agent.txt", "written by the agent\n");
        Map<String, String> env = repo.env();
        LokiDir dir = LokiDir.locate(Optional.empty(), env, repo.dir()).ensureExists();
        String gone = "0123456789abcdef0123456789abcdef01234567";
        new RunRecord("run-gone", Instant.now().toString(), "", "stopped", "command", "", repo.head(), gone, 1, 5,
                List.of(), "").save(dir);

        ProofResult r = ProofService.generate(dir, env, "run-gone", false);
        assertThat(r.written()).as(r.warnings().toString()).isTrue();
        JsonNode files = Json.parse(Files.readString(dir.resolve("proofs/run-gone/proof.json"))).path("files_changed");
        assertThat(files.path("base").asText()).isEqualTo("base_head");
        assertThat(files.path("base_note").asText()).contains(gone + " is gone")
                .contains("edits made before the run are listed");
        List<String> paths = new ArrayList<>();
        files.path("files").forEach(f -> paths.add(f.path("path").asText()));
        assertThat(paths).containsExactlyInAnyOrder("README.md", "agent.txt");
        assertThat(Files.readString(dir.resolve("proofs/run-gone/index.html")))
                .contains("compared against the base HEAD: may include edits made before the run");
        assertThat(r.warnings()).anyMatch(w -> w.contains("edits made before the run"));
    }
}
