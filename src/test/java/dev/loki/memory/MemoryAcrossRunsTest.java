package dev.loki.memory;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What one run learns reaches the next run's prompt and proof; forgetting removes it everywhere. */
class MemoryAcrossRunsTest {
    /** Iteration 1 writes a broken add (the test gate fails), iteration 2 fixes it and claims completion. */
    private static final String FIXING_AGENT = """
            echo "iteration $LOKI_ITERATION"
            case "$LOKI_ITERATION" in
              1) printf 'add() { echo $(( $1 - $2 )); }\\n' > calc.sh ;;
              *) printf 'add() { echo $(( $1 + $2 )); }\\n' > calc.sh
                 echo "add works" > .loki/signals/COMPLETION_REQUESTED ;;
            esac
            printf '. ./calc.sh\\n[ "$(add 2 3)" = 5 ]\\n' > test.sh
            """;

    private static final String QUICK_AGENT = """
            echo "writing sub"
            printf 'sub() { echo $(( $1 - $2 )); }\\n' > sub.sh
            printf '. ./sub.sh\\n[ "$(sub 5 3)" = 2 ]\\n' > test.sh
            echo "sub works" > .loki/signals/COMPLETION_REQUESTED
            """;

    @TempDir
    Path base;

    @Test
    void a_gate_failure_fixed_in_one_run_is_in_the_next_runs_prompt_and_proof_until_forgotten() throws Exception {
        TestRepo repo = TestRepo.create(base);
        repo.write("PRD.md", "# Calculator in bash\n\n- add(a, b) in calc.sh returns the sum of a and b\n");
        repo.commitAll("spec");
        Loki.Result run1 = Loki.run(repo.dir(), Runs.env(repo, base, FIXING_AGENT), "start", "PRD.md");
        assertThat(run1.exit()).as(run1.toString()).isZero();

        Loki.Result list = Loki.run(repo, "memory", "list", "--json");
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.json()).hasSize(1);
        JsonNode episode = list.json().get(0);
        String id = episode.path("id").asText();
        String run1Id = episode.path("run_id").asText();
        assertThat(episode.path("kind").asText()).isEqualTo("episode");
        assertThat(episode.path("outcome").asText()).isEqualTo("success");
        assertThat(episode.path("body").asText())
                .contains("Fixed: gate 'test_coverage' failed in iteration 1")
                .contains("passed again in iteration 2")
                .contains("calc.sh");

        Loki.Result found = Loki.run(repo, "memory", "search", "--json", "calculator", "subtraction");
        assertThat(found.json().get(0).path("id").asText()).isEqualTo(id);

        // run 2: a similar task
        repo.write("PRD.md", "# Calculator in bash\n\n- sub(a, b) in sub.sh returns a minus b, tested like add\n");
        repo.commitAll("spec 2");
        Path state = repo.path(".loki/autonomy-state.json");
        Files.deleteIfExists(state);
        Loki.Result run2 = Loki.run(repo.dir(), Runs.env(repo, base, QUICK_AGENT), "start", "PRD.md");
        assertThat(run2.exit()).as(run2.toString()).isZero();
        String prompt = Files.readString(repo.path(".loki/logs/iterations/iteration-1.prompt.md"));
        assertThat(prompt).contains(PromptMemories.HEADER).contains("[" + id + "]").contains("test_coverage");

        String run2Id = Json.parse(Files.readString(repo.path(".loki/state/run.json"))).path("run_id").asText();
        JsonNode proof = Json.parse(Files.readString(repo.path(".loki/proofs/" + run2Id + "/proof.json")));
        assertThat(proof.path("memories").findValuesAsText("id")).containsExactly(id);
        assertThat(Loki.run(repo, "proof", "verify", run2Id).exit()).isZero();

        Path index = MemoryStore.location(new dev.loki.store.LokiDir(repo.path(".loki"), repo.dir()), Map.of());
        assertThat(index).startsWith(repo.path(".git"));
        assertThat(Runs.bytesContain(index, run1Id)).as("the byte scan sees what is stored").isTrue();

        // forget it: gone from search, show, list, export, the record of use and the index files
        Loki.Result forget = Loki.run(repo, "memory", "forget", id);
        assertThat(forget.exit()).as(forget.toString()).isZero();
        assertThat(Loki.run(repo, "memory", "show", id).exit()).isEqualTo(1);
        assertThat(Loki.run(repo, "memory", "search", "--json", "calculator", "test_coverage").json()
                .findValuesAsText("id")).doesNotContain(id);
        assertThat(Loki.run(repo, "memory", "list", "--json").json().findValuesAsText("id")).doesNotContain(id);
        assertThat(Loki.run(repo, "memory", "export").out()).doesNotContain(id).contains("episode");
        assertThat(Files.readString(repo.path(".loki/memory/used.jsonl"))).doesNotContain(id);
        assertThat(Runs.bytesContain(index, run1Id)).as("run 1's id in the index files").isFalse();
        assertThat(Runs.bytesContain(index, run2Id)).as("run 2's episode is still there").isTrue();
    }
}
