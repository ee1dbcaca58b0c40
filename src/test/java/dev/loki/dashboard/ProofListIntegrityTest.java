package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.dashboard.auth.Scope;
import dev.loki.proof.Verification;
import dev.loki.store.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof list says what 'loki proof verify' says: a proof.json edited after it was written
 * (its verdict turned to APPROVED) was listed exactly like an intact one.
 */
class ProofListIntegrityTest {
    @TempDir
    Path tmp;

    @Test
    void each_listed_proof_carries_the_verify_verdict_and_an_edit_shows_as_altered() throws Exception {
        try (ServerFixture f = ServerFixture.start(tmp)) {
            ObjectNode proof = (ObjectNode) Json.parse("{\"run_id\": \"run-2\", \"council\": {\"final_verdict\":"
                    + " \"REJECTED\"}, \"files_changed\": {\"count\": 1}}");
            proof.putObject("verification").put("hash", Verification.hashOf(proof)).put("algo", "sha256");
            Path dir = Files.createDirectories(f.loki.resolve("proofs/run-2"));
            Files.writeString(dir.resolve("proof.json"), Json.pretty(proof));
            Files.createDirectories(f.loki.resolve("proofs/run-1"));
            Files.writeString(f.loki.resolve("proofs/run-1/proof.json"), "{\"run_id\": \"run-1\"}");
            Api read = f.as(Scope.READ);

            JsonNode list = read.get("/api/proofs").json().path("proofs");
            assertThat(list.get(0).path("run_id").asText()).isEqualTo("run-2");
            assertThat(list.get(0).path("integrity").asText()).isEqualTo("INTEGRITY ONLY");
            assertThat(list.get(1).path("integrity").asText()).isEqualTo("NO HASH");

            Files.writeString(dir.resolve("proof.json"), Json.pretty(proof).replace("REJECTED", "APPROVED"));
            JsonNode edited = read.get("/api/proofs").json().path("proofs").get(0);
            assertThat(edited.path("final_verdict").asText()).isEqualTo("APPROVED");
            assertThat(edited.path("integrity").asText()).isEqualTo("ALTERED");
        }
    }
}
