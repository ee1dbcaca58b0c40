package dev.loki.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.testing.FakeAgents;
import dev.loki.testing.Leftovers;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run longer than the checkpoint retention keeps its run-start checkpoint: the "undo the whole
 * run" command it printed still works, its proof compares against the real start (pre-run dirty
 * work not counted), and {@code loki status} counts the checkpoints that exist.
 */
class RunStartRetentionTest {
    private static final Pattern UNDO = Pattern.compile("to undo the whole run: loki rollback to (\\S+)");

    @TempDir
    Path base;

    @RegisterExtension
    final Leftovers.Marker marker = new Leftovers.Marker();

    /** A repository with the user's uncommitted edit and an untracked spec, and a fast looping agent. */
    private Map<String, String> setUp(TestRepo repo, int retention) {
        repo.write("a.txt", "orig\n").commitAll("before the run");
        repo.write("a.txt", "orig\nuser dirty wip\n");
        repo.write("PRD.md", "# Spec\n\n- append a line per iteration\n");
        Path agent = FakeAgents.script(base, "agent", """
                cat > /dev/null
                echo "it $LOKI_ITERATION" >> work.txt
                echo ok""");
        Map<String, String> env = marker.mark(FakeAgents.command(FakeAgents.env(repo, base), agent));
        env.put("LOKI_CHECKPOINT_RETENTION", String.valueOf(retention));
        return env;
    }

    private static List<String> listed(TestRepo repo, Map<String, String> env) {
        Loki.Result r = Loki.run(repo.dir(), env, "rollback", "list", "--all", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        List<String> ids = new ArrayList<>();
        r.json().forEach(n -> ids.add(n.path("id").asText()));
        return ids;
    }

    private static int statusCount(TestRepo repo, Map<String, String> env) {
        Loki.Result r = Loki.run(repo.dir(), env, "status", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.json().path("checkpoints").isInt()).as(r.out()).isTrue();
        return r.json().path("checkpoints").asInt();
    }

    @Test
    void the_printed_undo_of_a_run_longer_than_retention_still_works() throws Exception {
        TestRepo repo = TestRepo.create(base);
        Map<String, String> env = setUp(repo, 2);

        Loki.Result run = Loki.run(repo.dir(), env, "start", "PRD.md", "--max-iterations", "4");
        assertThat(run.exit()).as(run.toString()).isEqualTo(LoopResult.MAX_ITERATIONS);
        Matcher m = UNDO.matcher(run.err() + run.out());
        assertThat(m.find()).as(run.toString()).isTrue();
        String start = m.group(1);

        // four iteration checkpoints went past the retention of 2: the start is kept beside the newest two
        List<String> ids = listed(repo, env);
        assertThat(ids).hasSize(3).startsWith(start);
        assertThat(ids.get(2)).startsWith("cp-4-");

        // the proof compared against the start: only the agent's file, not a.txt or PRD.md
        String runId = Json.parse(Files.readString(repo.path(".loki/state/run.json"))).path("run_id").asText();
        JsonNode files = Json.parse(Files.readString(repo.path(".loki/proofs/" + runId + "/proof.json")))
                .path("files_changed");
        assertThat(files.path("base").asText()).isEqualTo("base_snapshot");
        List<String> paths = new ArrayList<>();
        files.path("files").forEach(f -> paths.add(f.path("path").asText()));
        assertThat(paths).containsExactly("work.txt");
        assertThat(run.err()).doesNotContain("base snapshot").doesNotContain("base HEAD");

        // the list says why it is longer than the retention count
        Loki.Result list = Loki.run(repo.dir(), env, "rollback", "list");
        assertThat(list.out()).contains("Kept in addition to the newest 2 (LOKI_CHECKPOINT_RETENTION), whatever"
                + " their age: " + start + " (run-start checkpoint of " + runId + ")");
        JsonNode first = Loki.run(repo.dir(), env, "rollback", "list", "--json").json().get(0);
        assertThat(first.path("id").asText()).isEqualTo(start);
        assertThat(first.path("pinned").asText()).isEqualTo("run-start checkpoint of " + runId);

        // the printed undo: the user's dirty edit and untracked spec are back, the agent's file is gone
        Loki.Result undo = Loki.run(repo.dir(), env, "rollback", "to", start);
        assertThat(undo.exit()).as(undo.toString()).isZero();
        assertThat(repo.read("a.txt")).isEqualTo("orig\nuser dirty wip\n");
        assertThat(repo.exists("PRD.md")).isTrue();
        assertThat(repo.exists("work.txt")).isFalse();
        assertThat(marker.carrying()).isEmpty();
    }

    @Test
    void status_counts_the_checkpoints_rollback_list_shows() {
        TestRepo repo = TestRepo.create(base);
        Map<String, String> env = setUp(repo, 1);
        Loki.Result run = Loki.run(repo.dir(), env, "start", "PRD.md", "--max-iterations", "3");
        assertThat(run.exit()).as(run.toString()).isEqualTo(LoopResult.MAX_ITERATIONS);

        // the run recorded four ids (start + three iterations); status counts those that exist
        assertThat(statusCount(repo, env)).isEqualTo(listed(repo, env).size());
        assertThat(listed(repo, env)).hasSize(2);
        assertThat(Loki.run(repo.dir(), env, "status").out()).contains("Checkpoints: 2 (latest cp-3-");

        // a checkpoint outside the run counts too: status and list agree on the project's checkpoints
        Loki.Result manual = Loki.run(repo.dir(), env, "checkpoint", "create", "by hand");
        assertThat(manual.exit()).as(manual.toString()).isZero();
        assertThat(listed(repo, env)).hasSize(2);
        assertThat(statusCount(repo, env)).isEqualTo(listed(repo, env).size());
        assertThat(marker.carrying()).isEmpty();
    }
}
