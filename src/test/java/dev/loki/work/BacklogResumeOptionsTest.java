package dev.loki.work;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.testing.Leftovers;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code loki backlog run} with no items resumes the last backlog with the options it was started with. */
class BacklogResumeOptionsTest {
    @TempDir
    Path base;

    @RegisterExtension
    final Leftovers.Marker marker = new Leftovers.Marker();

    @AfterEach
    void no_process_is_left_behind() {
        WorkFixture.assertNoProcessLeft(base, marker);
    }

    @Test
    void a_resumed_backlog_still_opens_the_pull_requests_and_keeps_its_options() throws Exception {
        WorkFixture f = WorkFixture.create(base).issue(1, "One", "- [ ] a").issue(2, "Two", "- [ ] b");
        Map<String, String> env = marker.mark(f.withAgent(""));
        env.put("LOKI_BACKLOG_POLL_MS", "50");
        env.put("FAIL_ON", "issue-2");
        Loki.Result first = Loki.run(f.repo.dir(), env, "backlog", "run", "#1", "#2", "--pr", "--draft",
                "--parallel", "1", "--max-iterations", "4", "--json");
        assertThat(first.exit()).as(first.toString()).isEqualTo(1);
        assertThat(f.ghCalls()).filteredOn(l -> l.startsWith("pr create")).hasSize(1)
                .allMatch(l -> l.contains("--head loki/issue-1") && l.contains("--draft"));

        // what the README says to do after a failure or a crash: the same command, no arguments
        env.remove("FAIL_ON");
        Loki.Result again = Loki.run(f.repo.dir(), env, "backlog", "run", "--json");

        assertThat(again.exit()).as(again.toString()).isZero();
        List<String> prs = f.ghCalls().stream().filter(l -> l.startsWith("pr create")).toList();
        assertThat(prs).hasSize(2);
        assertThat(prs.get(1)).contains("--head loki/issue-2", "--draft");
        JsonNode two = again.json().path("runs").get(1);
        assertThat(two.path("run").asText()).isEqualTo("issue-2");
        assertThat(two.path("pr_url").asText()).startsWith("https://github.com/acme/app/pull/");
        assertThat(TestRepo.run(List.of("git", "--git-dir", f.origin.toString(), "branch"), base, f.env))
                .contains("loki/issue-2");
        JsonNode options = dev.loki.store.Json.parse(java.nio.file.Files.readString(
                f.repo.path(".git/loki/work/backlog.json"))).path("options");
        assertThat(options.path("parallel").asInt()).isEqualTo(1);
        assertThat(options.path("max_iterations").asInt()).isEqualTo(4);
        assertThat(options.path("pr").asBoolean()).isTrue();
    }
}
