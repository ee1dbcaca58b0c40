package dev.loki.gate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodeReviewGateTest {
    @TempDir
    Path tmp;

    static final String BLOCK = "VERDICT: FAIL\nFINDINGS:\n- [Critical] password logged in clear (app.js:3)\n";

    /** Blocks only when asked as the security reviewer; the others pass. */
    static final Reviewer SECURITY_BLOCKS = (prompt, timeout) ->
            prompt.startsWith("You are security-sentinel.") ? BLOCK : "VERDICT: PASS\n";

    @Test
    void three_blind_reviewers_see_the_diff_including_untracked_files() throws IOException {
        GateFixture f = new GateFixture(tmp).only(CodeReview.NAME);
        f.repo.write("README.md", "# changed readme\n");
        f.repo.write("src/new_file.js", "console.log('brand new');\n");
        GateReport r = f.run(1);

        assertThat(f.prompts).hasSize(3);
        assertThat(f.prompts).allSatisfy(p -> assertThat(p).contains("changed readme").contains("brand new")
                .contains("src/new_file.js").contains("VERDICT: PASS or FAIL"));
        assertThat(f.prompts.stream().map(p -> p.substring(0, p.indexOf('.'))).distinct()).hasSize(3);
        assertThat(f.prompts).anySatisfy(p -> assertThat(p).startsWith("You are architecture-strategist."));
        assertThat(GateFixture.result(r, CodeReview.NAME).status()).isEqualTo(GateResult.PASS);
        assertThat(r.codeReviewBlocked()).isFalse();

        Path dir = reviewDir(f);
        assertThat(dir.getFileName().toString()).matches("review-\\d{8}T\\d{6}Z-1");
        assertThat(dir.resolve("diff.txt")).content().contains("brand new");
        assertThat(dir.resolve("files.txt")).content().contains("README.md").contains("src/new_file.js");
        assertThat(dir.resolve("anti-sycophancy.txt")).exists();
        JsonNode agg = Json.parse(Files.readString(dir.resolve("aggregate.json")));
        assertThat(agg.path("pass_count").asInt()).isEqualTo(3);
        assertThat(agg.path("has_blocking").asBoolean()).isFalse();
        assertThat(Json.parse(Files.readString(dir.resolve("selection.json"))).path("reviewers")).hasSize(3);
    }

    @Test
    void a_fail_verdict_with_a_critical_finding_blocks_completion() throws IOException {
        GateFixture f = new GateFixture(tmp).only(CodeReview.NAME);
        f.repo.write("app.js", "const password = read();\nlogin(password);\nconsole.log(password);\n");
        GateReport r = f.run(2, SECURITY_BLOCKS);

        GateResult g = GateFixture.result(r, CodeReview.NAME);
        assertThat(g.status()).isEqualTo(GateResult.FAIL);
        assertThat(g.summary()).contains("security-sentinel").contains("password logged in clear");
        assertThat(r.codeReviewBlocked()).isTrue();
        assertThat(r.failuresText()).startsWith("code_review,\n").contains("password logged in clear");
        Path dir = reviewDir(f);
        assertThat(dir.resolve("security-sentinel.txt")).content().isEqualTo(BLOCK);
        assertThat(dir.resolve("security-sentinel-prompt.txt")).content().contains("app.js");
        JsonNode findings = Json.parse(Files.readString(f.loki.resolve("state/findings-2.json")));
        assertThat(findings.path("findings").get(0).path("severity").asText()).isEqualTo("critical");
        assertThat(findings.path("findings").get(0).path("file").asText()).isEqualTo("app.js");
        assertThat(findings.path("findings").get(0).path("line").asInt()).isEqualTo(3);
    }

    @Test
    void reviewer_errors_never_throw_and_all_failing_makes_the_gate_an_error() {
        GateFixture f = new GateFixture(tmp).only(CodeReview.NAME);
        f.repo.write("a.txt", "x\n");
        GateReport r = f.run(1, (p, t) -> {
            throw new IOException("provider exploded");
        });
        GateResult g = GateFixture.result(r, CodeReview.NAME);
        assertThat(g.status()).isEqualTo(GateResult.ERROR);
        assertThat(g.summary()).contains("no reviewer gave a verdict");
        assertThat(r.codeReviewBlocked()).isFalse();
        assertThat(r.passed()).isFalse();
        assertThat(reviewDir(f).resolve("architecture-strategist.txt")).content().contains("provider exploded");
    }

    @Test
    void a_reviewer_that_hangs_is_cut_off_by_the_review_timeout() {
        GateFixture f = new GateFixture(tmp).only(CodeReview.NAME).set("LOKI_REVIEW_TIMEOUT", "1");
        f.repo.write("a.txt", "x\n");
        GateReport r = f.run(1, (p, t) -> {
            if (p.startsWith("You are architecture-strategist.")) {
                Thread.sleep(60_000);
            }
            return "VERDICT: PASS";
        });
        GateResult g = GateFixture.result(r, CodeReview.NAME);
        assertThat(g.status()).isEqualTo(GateResult.PASS);
        assertThat(g.summary()).contains("1 without a verdict");
        assertThat(reviewDir(f).resolve("architecture-strategist.txt")).content().contains("timed out after 1s");
    }

    @Test
    void malformed_answers_do_not_block_and_are_kept_for_inspection() {
        GateFixture f = new GateFixture(tmp).only(CodeReview.NAME);
        f.repo.write("a.txt", "x\n");
        GateReport r = f.run(1, (p, t) -> p.startsWith("You are architecture-strategist.") ? "lgtm" : "VERDICT: PASS");
        assertThat(GateFixture.result(r, CodeReview.NAME).status()).isEqualTo(GateResult.PASS);
        assertThat(r.codeReviewBlocked()).isFalse();
        assertThat(reviewDir(f).resolve("architecture-strategist.txt")).content().isEqualTo("lgtm");
    }

    @Test
    void an_empty_diff_skips_the_review_without_asking() {
        GateFixture f = new GateFixture(tmp).only(CodeReview.NAME);
        GateReport r = f.run(1);
        assertThat(GateFixture.result(r, CodeReview.NAME).status()).isEqualTo(GateResult.SKIPPED);
        assertThat(f.prompts).isEmpty();
    }

    @Test
    void reviewer_selection_follows_keywords_with_defaults() {
        assertThat(ReviewerRole.select(List.of("README.md"), "hello").stream().map(ReviewerRole::name))
                .containsExactly("architecture-strategist", "security-sentinel", "test-coverage-auditor");
        assertThat(ReviewerRole.select(List.of("package.json"), "cache the query in a loop").stream()
                .map(ReviewerRole::name))
                .containsExactly("architecture-strategist", "performance-oracle", "dependency-analyst");
    }

    @Test
    void soft_mode_runs_only_an_advisory_review_that_never_blocks() {
        GateFixture f = new GateFixture(tmp).set("LOKI_HARD_GATES", "false").set("LOKI_TEST_CMD", "exit 1");
        f.repo.write("app.js", "password\n");
        GateReport r = f.run(1, SECURITY_BLOCKS);
        assertThat(GateFixture.result(r, CodeReview.NAME).status()).isEqualTo(GateResult.FAIL);
        assertThat(GateFixture.result(r, TestGate.NAME).status()).isEqualTo(GateResult.SKIPPED);
        assertThat(r.codeReviewBlocked()).isFalse();
        assertThat(f.quality("gate-failures.txt")).doesNotExist();
        assertThat(f.quality("gate-failure-count.json")).doesNotExist();
    }

    static Path reviewDir(GateFixture f) {
        try (Stream<Path> s = Files.list(f.quality("reviews"))) {
            return s.sorted().reduce((a, b) -> b).orElseThrow();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
