package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.dashboard.auth.Scope;
import dev.loki.testing.Loki;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard answers about checkpoints and rollbacks with the objects the CLI prints
 * ({@code CheckpointJson}): a checkpoint is the item of {@code loki rollback list --json} (plus the
 * flat fields the web UI reads), and the kept paths of a rollback plan or rollback are those of
 * {@code loki rollback diff/to --json}.
 */
class CheckpointJsonAgreementTest {
    /** The dashboard's fields beside the shared shape: read by the web UI and older clients. */
    private static final List<String> FLAT = List.of("snapshot_sha", "snapshot_status");
    private static final List<String> DETAIL = List.of("snapshot_reason", "snapshot_skipped", "files_count");

    @TempDir
    Path tmp;

    @Test
    void the_dashboard_gives_the_cli_s_checkpoint_object_pinned_one_included() {
        try (ServerFixture f = ServerFixture.start(tmp)) {
            f.repo.write("a.txt", "one\n");
            String first = cli(f, "checkpoint", "create", "first", "--json").path("id").asText();
            f.repo.write("a.txt", "two\n");
            cli(f, "checkpoint", "create", "second", "--json");
            String pre = cli(f, "rollback", "to", first, "--json").path("pre_rollback_snapshot").asText();

            Map<String, JsonNode> byCli = new HashMap<>();
            cli(f, "rollback", "list", "--all", "--json").forEach(n -> byCli.put(n.path("id").asText(), n));
            assertThat(byCli).hasSize(3);
            assertThat(byCli.get(pre).path("pinned").asText()).as("the last rollback's undo is pinned")
                    .isEqualTo("undo of the last rollback");

            JsonNode items = f.as(Scope.READ).get("/api/checkpoints?limit=200").json().path("items");
            assertThat(items).hasSize(3);
            for (JsonNode item : items) {
                String id = item.path("id").asText();
                // the flat fields the web UI reads say what the shared snapshot object says
                assertThat(item.path("snapshot_status").asText()).isEqualTo(item.path("snapshot").path("status")
                        .asText());
                assertThat(item.path("snapshot_sha").asText()).isEqualTo(item.path("snapshot").path("commit")
                        .asText());
                assertThat(without(item, FLAT)).as(id).isEqualTo(byCli.get(id));

                JsonNode one = f.as(Scope.READ).get("/api/checkpoints/" + id).json();
                assertThat(one.path("files_count").asInt()).isEqualTo(one.path("state_files").size());
                assertThat(without(without(one, FLAT), DETAIL)).as(id).isEqualTo(byCli.get(id));
            }
        }
    }

    @Test
    void the_rollback_plan_and_the_rollback_keep_what_the_cli_keeps_ignored_files_included() {
        try (ServerFixture f = ServerFixture.start(tmp)) {
            f.repo.write(".gitignore", "*.log\n").write("secret.log", "DB_PASSWORD=hunter2\n").commitAll("base");
            String cp = cli(f, "checkpoint", "create", "before agent", "--json").path("id").asText();
            f.repo.write(".gitignore", "");

            JsonNode cliPlan = cli(f, "rollback", "diff", cp, "--json");
            Api control = f.as(Scope.CONTROL);
            JsonNode plan = control.get("/api/checkpoints/" + cp + "/rollback-plan").json();
            assertThat(plan.path("kept")).hasSize(1);
            assertThat(plan.path("kept").get(0).path("path").asText()).isEqualTo("secret.log");
            assertThat(plan.path("kept").get(0).path("reason_then").asText()).isEqualTo("ignored by its .gitignore");
            assertThat(plan.path("kept")).isEqualTo(cliPlan.path("kept"));
            assertThat(plan.path("protected_paths")).isEqualTo(cliPlan.path("protected"));

            Api.Answer rb = control.post("/api/checkpoints/" + cp + "/rollback", "{}");
            assertThat(rb.status()).as(rb.toString()).isEqualTo(200);
            assertThat(rb.json().path("kept").get(0).path("message").asText())
                    .isEqualTo("was left out of the checkpoint (ignored by its .gitignore), so there is no version of"
                            + " it to restore: it was left as is");
            assertThat(rb.json().path("protected_paths").get(0).asText()).isEqualTo("secret.log");
            assertThat(f.repo.read("secret.log")).isEqualTo("DB_PASSWORD=hunter2\n");
        }
    }

    private static JsonNode cli(ServerFixture f, String... args) {
        Loki.Result r = Loki.run(f.repo, args);
        assertThat(r.exit()).as(r.toString()).isZero();
        return r.json();
    }

    private static JsonNode without(JsonNode n, List<String> fields) {
        ObjectNode copy = ((ObjectNode) n).deepCopy();
        copy.remove(fields);
        return copy;
    }
}
