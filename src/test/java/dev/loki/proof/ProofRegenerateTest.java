package dev.loki.proof;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.store.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A proof made again after its run ended ({@code loki proof generate --run-id ID}, e.g. to add
 * diffs) snapshotted the work tree as it was then, so the user's edits since the run were listed
 * as files the run changed.
 */
class ProofRegenerateTest {
    @TempDir
    Path tmp;

    private static RunRecord ended(RunRecord r, String id, Instant end) {
        return new RunRecord(id, r.startedAt(), end.toString(), r.status(), r.provider(), r.specPath(), r.baseHead(),
                r.baseSnapshot(), r.iterations(), r.maxIterations(), r.checkpointIds(), r.exitReason());
    }

    private static JsonNode generate(RunFixture fx, String id, boolean diffs) throws Exception {
        ProofResult p = ProofService.generateNow(fx.dir, fx.repo.env(), id, diffs);
        assertThat(p.written()).as(p.warnings().toString()).isTrue();
        return Json.parse(Files.readString(fx.dir.resolve("proofs").resolve(id).resolve(ProofStore.JSON)));
    }

    private static List<String> paths(JsonNode proof) {
        List<String> out = new ArrayList<>();
        proof.path("files_changed").path("files").forEach(f -> out.add(f.path("path").asText()));
        return out;
    }

    @Test
    void a_proof_folder_that_is_a_link_is_not_written_through() throws Exception {
        RunFixture fx = RunFixture.create(tmp);
        Path elsewhere = Files.createDirectories(tmp.resolve("site"));
        Files.writeString(elsewhere.resolve(ProofStore.HTML), "the user's own page\n");
        Files.createDirectories(fx.dir.resolve("proofs"));
        Files.createSymbolicLink(fx.proofDir(), elsewhere);
        ProofResult p = ProofService.generateNow(fx.dir, fx.repo.env(), RunFixture.RUN_ID, false);
        assertThat(p.written()).isFalse();
        assertThat(String.join("\n", p.warnings())).contains("symbolic link");
        assertThat(Files.readString(elsewhere.resolve(ProofStore.HTML))).isEqualTo("the user's own page\n");
        assertThat(elsewhere.resolve(ProofStore.JSON)).doesNotExist();
        assertThat(elsewhere.resolve(Attestation.FILE)).doesNotExist();
    }

    @Test
    void a_proof_made_again_after_the_run_describes_the_run_not_the_edits_since() throws Exception {
        RunFixture fx = RunFixture.create(tmp);
        String id = RunFixture.RUN_ID + "-e";
        ended(fx.run, id, Instant.now().minusSeconds(1)).save(fx.dir);
        JsonNode atEnd = generate(fx, id, false);
        assertThat(paths(atEnd)).contains("src/new.txt").doesNotContain("after-the-run.txt");

        fx.repo.write("after-the-run.txt", "the user's own work\n");
        JsonNode again = generate(fx, id, true);
        assertThat(paths(again)).isEqualTo(paths(atEnd));
        assertThat(again.path("files_changed").path("end_snapshot").asText())
                .isEqualTo(atEnd.path("files_changed").path("end_snapshot").asText());
        assertThat(Json.compact(again.path("diffs"))).doesNotContain("the user's own work");
        assertThat(again.path("files_changed").has("end_note")).isFalse();

        // a resumed run that ended again later: its new end is what the proof describes
        ended(fx.run, id, Instant.now().plusSeconds(5)).save(fx.dir);
        assertThat(paths(generate(fx, id, false))).contains("after-the-run.txt");

        // no snapshot was kept at a long-past end: the proof says its list may hold later edits
        String old = RunFixture.RUN_ID + "-old";
        ended(fx.run, old, Instant.now().minusSeconds(3600)).save(fx.dir);
        JsonNode late = generate(fx, old, false);
        assertThat(paths(late)).contains("after-the-run.txt");
        assertThat(late.path("files_changed").path("end_note").asText())
                .contains("not when the run ended").contains("edits made since are listed as if the run made them");
    }
}
