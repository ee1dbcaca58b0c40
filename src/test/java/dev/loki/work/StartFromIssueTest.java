package dev.loki.work;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loki start} from a GitHub issue: import, isolation in a worktree, commit, PR on a verified proof. */
class StartFromIssueTest {
    private static final String BODY = """
            The calculator needs subtraction.

            - [ ] sub(a, b) returns a - b
            - [x] the README mentions sub

            ## Acceptance criteria
            1. negative results are allowed
            - sub is covered by a test

            ## Notes
            - not a criterion
            """;

    @TempDir
    Path base;

    @Test
    void acceptance_criteria_come_from_checkboxes_and_the_section() {
        List<Criterion> c = AcceptanceCriteria.extract(BODY);
        assertThat(c).containsExactly(new Criterion("sub(a, b) returns a - b", false),
                new Criterion("the README mentions sub", true), new Criterion("negative results are allowed", false),
                new Criterion("sub is covered by a test", false));
        assertThat(AcceptanceCriteria.extract("**Acceptance Criteria:**\n* works offline\n\nplain text\n"))
                .containsExactly(new Criterion("works offline", false));
    }

    @Test
    void issue_run_opens_a_pr_with_the_proof_and_commits_only_the_agents_work() throws Exception {
        WorkFixture f = WorkFixture.create(base).issue(12, "Add sub", BODY, "enhancement");
        Map<String, String> userBefore = f.userTree();
        Loki.Result r = Loki.run(f.repo.dir(), f.withAgent("cp \"$LOKI_PROMPT_FILE\" prompt-seen.md.txt 2>/dev/null;"
                + " cat \"$LOKI_PROMPT_FILE\" > /dev/null"), "start", "#12", "--pr");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Pull request: https://github.com/acme/app/pull/1");
        Path wt = Worktrees.of(f.repo.dir(), f.env).root().resolve("issue-12");
        // the imported issue is saved under the run, is the run's spec, and is in the proof
        JsonNode issue = Json.parse(Files.readString(wt.resolve(".loki/work/issue.json")));
        assertThat(issue.path("acceptance_criteria")).hasSize(4);
        assertThat(issue.path("labels").get(0).asText()).isEqualTo("enhancement");
        String runId = Json.parse(Files.readString(wt.resolve(".loki/state/run.json"))).path("run_id").asText();
        assertThat(wt.resolve(".loki/runs/" + runId + "/issue.json")).exists();
        assertThat(Files.readString(wt.resolve(".loki/work/spec/issue-12.md"))).contains("- [ ] sub(a, b) returns a - b");
        JsonNode proof = Json.parse(Files.readString(wt.resolve(".loki/proofs/" + runId + "/proof.json")));
        assertThat(proof.path("issue").path("title").asText()).isEqualTo("Add sub");
        assertThat(Files.readString(wt.resolve(".loki/proofs/" + runId + "/index.html")))
                .contains("<td>sub(a, b) returns a - b</td><td>open</td>");
        // the commit on the run's branch, pushed to the real bare origin: the agent's file only
        String files = TestRepo.run(List.of("git", "--git-dir", f.origin.toString(), "show", "--name-only",
                "--format=%an <%ae>%n%s", "refs/heads/loki/issue-12"), base, f.env);
        assertThat(files).contains("Test <test@example.com>", "Add sub (#12)", "result-issue-12.txt");
        assertThat(files).doesNotContain(".loki", "build/", "agent.log");
        // gh was asked for the issue and for the PR, with the proof summary as the body
        assertThat(f.ghCalls()).anyMatch(l -> l.startsWith("issue view 12 --json"));
        assertThat(f.ghCalls()).anyMatch(l -> l.startsWith("pr create --title Add sub --body-file")
                && l.contains("--base main --head loki/issue-12") && !l.contains("--draft"));
        String body = Files.readString(f.gh.resolve("pr-body.md"));
        assertThat(body).contains("Closes https://github.com/acme/app/issues/12", "Proof of run `" + runId + "`",
                "Verdict:** completed", "### Quality gates", "### Completion council", "result-issue-12.txt",
                "### Checkpoint chain", "loki verify ", "loki proof verify " + runId);
        assertThat(f.userTree()).isEqualTo(userBefore);
    }

    @Test
    void the_users_tree_is_byte_identical_after_two_isolated_runs() throws Exception {
        WorkFixture f = WorkFixture.create(base).issue(1, "One", "- [ ] a").issue(2, "Two", "- [ ] b");
        f.repo.write("notes-uncommitted.txt", "mine\n");
        f.repo.write("src/app.txt", "app v1 with my local edit\n");
        Map<String, String> before = f.userTree();
        String headBefore = f.repo.head();
        String statusBefore = f.repo.git("status", "--porcelain");
        Map<String, String> env = f.withAgent("");

        Loki.Result one = Loki.run(f.repo.dir(), env, "start", "#1");
        Loki.Result two = Loki.run(f.repo.dir(), env, "start", "#2", "--isolation", "worktree");

        assertThat(one.exit()).as(one.toString()).isZero();
        assertThat(two.exit()).as(two.toString()).isZero();
        assertThat(f.userTree()).isEqualTo(before);
        assertThat(f.repo.head()).isEqualTo(headBefore);
        assertThat(f.repo.git("status", "--porcelain")).isEqualTo(statusBefore);
        assertThat(f.repo.git("branch", "--list", "loki/*")).contains("loki/issue-1", "loki/issue-2");
        // without --pr: committed on the branch, nothing pushed, no PR
        assertThat(f.repo.git("log", "--format=%s", "loki/issue-2")).startsWith("Two (#2)");
        assertThat(f.ghCalls()).noneMatch(l -> l.startsWith("pr create"));
        assertThat(TestRepo.run(List.of("git", "--git-dir", f.origin.toString(), "branch"), base, f.env))
                .doesNotContain("loki/");
    }

    @Test
    void no_pr_and_no_push_when_the_run_does_not_complete() throws Exception {
        WorkFixture f = WorkFixture.create(base).issue(7, "Never done", "- [ ] x");
        f.env.put("FAIL_ON", "issue-7");
        Loki.Result r = Loki.run(f.repo.dir(), f.withAgent(""), "start", "#7", "--pr", "--draft");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("No pull request and nothing pushed: the run ended failed");
        assertThat(f.ghCalls()).noneMatch(l -> l.startsWith("pr create"));
        assertThat(TestRepo.run(List.of("git", "--git-dir", f.origin.toString(), "branch"), base, f.env))
                .doesNotContain("loki/");
    }

    @Test
    void a_worktree_left_without_its_record_by_a_crash_is_adopted() {
        WorkFixture f = WorkFixture.create(base).issue(9, "Nine", "- [ ] n");
        Path root = Worktrees.of(f.repo.dir(), f.env).root();
        f.repo.git("worktree", "add", "-q", "-b", "loki/issue-9", root.resolve("issue-9").toString());

        Loki.Result r = Loki.run(f.repo.dir(), f.withAgent(""), "start", "#9");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(f.repo.git("log", "--format=%s", "loki/issue-9")).startsWith("Nine (#9)");
        assertThat(f.repo.git("log", "--format=%s", "main")).doesNotContain("Nine");
    }

    @Test
    void no_pr_when_there_is_no_proof_to_verify() throws Exception {
        WorkFixture f = WorkFixture.create(base).issue(8, "Unproven", "- [ ] x");
        Map<String, String> env = f.withAgent("");
        env.put("LOKI_PROOF", "0");
        Loki.Result r = Loki.run(f.repo.dir(), env, "start", "#8", "--pr");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("No pull request and nothing pushed: no proof of run");
        assertThat(f.ghCalls()).noneMatch(l -> l.startsWith("pr create"));
        assertThat(f.repo.git("log", "--format=%s", "loki/issue-8")).doesNotContain("Unproven");
    }

    @Test
    void a_missing_issue_is_one_line_and_nothing_starts() {
        WorkFixture f = WorkFixture.create(base);
        Loki.Result r = Loki.run(f.repo.dir(), f.withAgent(""), "start", "acme/app#404");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("Error: Issue acme/app#404 was not found").doesNotContain("\n");
        assertThat(f.ghCalls()).containsExactly("issue view 404 --repo acme/app --json number,title,body,labels,url,state");
        assertThat(f.repo.git("branch", "--list", "loki/*")).isEmpty();
        assertThat(f.repo.exists(".loki")).isFalse();
    }

    @Test
    void gh_not_logged_in_is_one_line_and_nothing_starts() {
        WorkFixture f = WorkFixture.create(base).issue(3, "x", "y");
        f.loggedOut();
        Loki.Result r = Loki.run(f.repo.dir(), f.withAgent(""), "start",
                "https://github.com/acme/app/issues/3");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("Error: gh is not logged in, so loki cannot read issue"
                + " https://github.com/acme/app/issues/3: run 'gh auth login'");
        assertThat(f.repo.git("branch", "--list", "loki/*")).isEmpty();
    }

    @Test
    void bad_references_and_flag_mixes_are_usage_errors() {
        WorkFixture f = WorkFixture.create(base);
        Map<String, String> env = f.withAgent("");
        assertThat(Loki.run(f.repo.dir(), env, "start", "#abc").exit()).isEqualTo(2);
        assertThat(Loki.run(f.repo.dir(), env, "start", "#0").exit()).isEqualTo(2);
        assertThat(Loki.run(f.repo.dir(), env, "start", "#5", "--isolation", "docker").err())
                .contains("--isolation must be worktree or none");
        assertThat(Loki.run(f.repo.dir(), env, "start", "#5", "--isolation", "none", "--pr").exit()).isEqualTo(2);
        assertThat(Loki.run(f.repo.dir(), env, "start", "do a thing", "--base", "no-such-ref").exit()).isEqualTo(2);
        assertThat(f.ghCalls()).isEmpty();
        assertThat(f.repo.git("branch", "--list", "loki/*")).isEmpty();
    }
}
