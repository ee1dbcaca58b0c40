package dev.loki.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.testing.FakeAgents;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every run leaves behind through its hooks: a proof of that very run. */
class RunHooksTest {
    @TempDir
    Path base;

    private static final String AGENT = """
            cat > /dev/null
            echo "token=$LOKI_ITERATION" >> work.txt
            echo "sk-ant-api03-$(printf 'A%.0s' $(seq 1 40)) leaked into the log"
            echo "done" > .loki/signals/COMPLETION_REQUESTED
            exit 0""";

    @Test
    void a_finished_run_leaves_a_verifiable_redacted_proof_of_itself() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        // the spec is copied into the proof: a key in it is what the proof must redact
        String key = "sk-ant-api03-" + "A".repeat(40);
        repo.write("PRD.md", repo.read("PRD.md") + "\nDeploy with " + key + "\n").commitAll("spec with a key");
        Path agent = FakeAgents.script(base, "agent", AGENT);
        Map<String, String> env = FakeAgents.command(FakeAgents.env(repo, base), agent);

        Loki.Result r = Loki.run(repo.dir(), env, "start");
        assertThat(r.exit()).as(r.toString()).isZero();

        String runId = Json.parse(Files.readString(repo.path(".loki/state/run.json"))).path("run_id").asText();
        Path proof = repo.path(".loki/proofs/" + runId + "/proof.json");
        assertThat(proof).exists();
        assertThat(repo.path(".loki/proofs/" + runId + "/index.html")).exists();
        JsonNode p = Json.parse(Files.readString(proof));
        assertThat(p.path("run_id").asText()).isEqualTo(runId);
        assertThat(p.path("files_changed").toString()).contains("work.txt");
        assertThat(Files.readString(proof)).doesNotContain("sk-ant-api03-AAAA").doesNotContain(key);
        assertThat(p.path("spec").path("brief").asText()).contains("add(a, b)", "Deploy with [REDACTED");
        assertThat(r.err()).contains("Proof of run: ");

        Loki.Result verify = Loki.run(repo.dir(), env, "proof", "verify", runId);
        assertThat(verify.exit()).as(verify.toString()).isZero();
    }

    @Test
    void loki_proof_0_leaves_no_proof() throws Exception {
        TestRepo repo = FakeAgents.repoWithSpec(base);
        Path agent = FakeAgents.script(base, "agent", AGENT);
        Map<String, String> env = new HashMap<>(FakeAgents.command(FakeAgents.env(repo, base), agent));
        env.put("LOKI_PROOF", "0");

        assertThat(Loki.run(repo.dir(), env, "start").exit()).isZero();
        assertThat(repo.path(".loki/proofs")).satisfiesAnyOf(
                d -> assertThat(d).doesNotExist(),
                d -> assertThat(Files.list(d).count()).isZero());
    }
}
