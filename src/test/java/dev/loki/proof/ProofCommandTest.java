package dev.loki.proof;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.Json;
import dev.loki.store.RunRecord;
import dev.loki.testing.Loki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loki proof ...} through the real entry point, over a real run's recorded files. */
class ProofCommandTest {
    @TempDir
    Path tmp;

    RunFixture fx;

    @BeforeEach
    void setUp() {
        fx = RunFixture.create(tmp);
    }

    private JsonNode generate(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("proof", "generate", "--run-id", RunFixture.RUN_ID));
        args.addAll(List.of(extra));
        Loki.Result r = fx.loki(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("proof-of-run written: ");
        return Json.parse(Files.readString(fx.proofDir().resolve("proof.json")));
    }

    @Test
    void files_changed_matches_git_diff_plus_untracked_files() throws Exception {
        JsonNode p = generate();
        Set<String> expected = new TreeSet<>();
        fx.repo.git("diff", "--name-only", fx.run.baseHead()).lines().forEach(expected::add);
        fx.repo.git("ls-files", "--others", "--exclude-standard").lines().forEach(expected::add);
        expected.removeIf(s -> s.isBlank() || s.startsWith(".loki/"));
        Set<String> reported = new TreeSet<>();
        p.path("files_changed").path("files").forEach(f -> reported.add(f.path("path").asText()));

        assertThat(expected).containsExactlyInAnyOrder("src/app.txt", "src/old.txt", "src/new.txt", "config.env");
        assertThat(reported).isEqualTo(expected);
        assertThat(p.path("files_changed").path("count").asInt()).isEqualTo(4);
        Map<String, JsonNode> byPath = new HashMap<>();
        p.path("files_changed").path("files").forEach(f -> byPath.put(f.path("path").asText(), f));
        assertThat(byPath.get("src/old.txt").path("status").asText()).isEqualTo("deleted");
        assertThat(byPath.get("src/new.txt").path("status").asText()).isEqualTo("added");
        assertThat(byPath.get("src/app.txt").path("insertions").asInt()).isEqualTo(2);
        assertThat(byPath.get("src/app.txt").path("deletions").asInt()).isEqualTo(1);
        assertThat(p.path("files_changed").path("base").asText()).isEqualTo("base_snapshot");
        // the user's index was not touched: the untracked files are still untracked
        assertThat(fx.repo.git("status", "--porcelain")).contains("?? src/new.txt").contains(" D src/old.txt");
    }

    @Test
    void proof_records_gates_council_cost_checkpoints_and_audit_hash() throws Exception {
        JsonNode p = generate();
        assertThat(p.path("schema_version").asText()).isEqualTo("1.0");
        assertThat(p.path("run_id").asText()).isEqualTo(RunFixture.RUN_ID);
        assertThat(p.path("quality_gates").path("passed").asInt()).isEqualTo(1);
        assertThat(p.path("quality_gates").path("total").asInt()).isEqualTo(2);
        assertThat(p.path("quality_gates").path("gates").get(1).path("status").asText()).isEqualTo("fail");
        assertThat(p.path("council").path("final_verdict").asText()).isEqualTo("APPROVED");
        assertThat(p.path("council").path("reviewers")).hasSize(3);
        assertThat(p.path("council").path("threshold").asText()).isEqualTo("2/3");
        assertThat(p.path("cost").path("usd").asDouble()).isEqualTo(1.84);
        assertThat(p.path("cost").path("input_tokens").asLong()).isEqualTo(1500);
        assertThat(p.path("iterations").path("succeeded").asInt()).isEqualTo(2);
        assertThat(p.path("iterations").path("failed").asInt()).isEqualTo(1);
        assertThat(p.path("iterations").path("count").asInt()).isEqualTo(3);
        assertThat(p.path("provider").path("model").asText()).isEqualTo("opus");
        assertThat(p.path("checkpoints")).hasSize(1);
        assertThat(p.path("checkpoints").get(0).path("id").asText()).isEqualTo(fx.iterationCheckpoint.id());
        assertThat(p.path("checkpoints").get(0).path("snapshot").asText())
                .isEqualTo(fx.iterationCheckpoint.snapshotCommit().orElseThrow());
        assertThat(p.path("audit").path("chain_hash").asText()).isEqualTo("ccc333");
        assertThat(p.path("deployment").path("public_url").isNull()).isTrue();
        assertThat(p.path("diffs").isNull()).isTrue();
    }

    @Test
    void secrets_and_home_paths_never_reach_the_proof_or_the_page() throws Exception {
        JsonNode p = generate("--include-diffs");
        String json = Files.readString(fx.proofDir().resolve("proof.json"));
        String html = Files.readString(fx.proofDir().resolve("index.html"));
        String home = fx.repo.env().get("HOME");
        for (String text : List.of(json, html)) {
            assertThat(text).doesNotContain(RunFixture.TOKEN).doesNotContain(home)
                    .doesNotContain(fx.repo.dir().toString());
        }
        assertThat(p.path("diffs").isArray()).isTrue();
        assertThat(Json.compact(p.path("diffs"))).contains("[REDACTED:GITHUB_TOKEN]").contains("brand new");
        assertThat(p.path("spec").path("brief").asText()).contains("[REDACTED:GITHUB_TOKEN]").contains("~/secrets");
        assertThat(p.path("redaction").path("applied").asBoolean()).isTrue();
        // the token in prd.md and in config.env's patch; paths are counted apart
        assertThat(p.path("redaction").path("redactions_count").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(p.path("redaction").path("path_rewrites").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(p.path("redaction").path("second_scan").path("clean").asBoolean()).isTrue();
    }

    @Test
    void page_is_self_contained_with_summary_first_then_timeline() throws Exception {
        generate();
        String html = Files.readString(fx.proofDir().resolve("index.html"));
        assertThat(html).doesNotContain("<script").doesNotContain("<link").doesNotContain(" src=")
                .doesNotContain("url(");
        int summary = html.indexOf("id=\"summary\"");
        int timeline = html.indexOf("id=\"timeline\"");
        int details = html.indexOf("id=\"details\"");
        assertThat(summary).isPositive().isLessThan(timeline);
        assertThat(timeline).isLessThan(details);
        assertThat(html.substring(summary, timeline)).contains("APPROVED").contains("4 file(s)")
                .contains("1 of 2 passed").contains("$1.8400");
        assertThat(html.substring(timeline, details)).contains(fx.iterationCheckpoint.id());
        assertThat(html).contains("@media print");
    }

    @Test
    void verify_passes_and_a_tampered_copy_fails() throws Exception {
        generate();
        Loki.Result ok = fx.loki("proof", "verify", RunFixture.RUN_ID);
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(ok.out()).contains("INTEGRITY ONLY (unsigned: anyone can recompute it)");

        Path file = fx.proofDir().resolve("proof.json");
        ObjectNode p = (ObjectNode) Json.parse(Files.readString(file));
        ((ObjectNode) p.path("cost")).put("usd", 0.01);
        Files.writeString(file, Json.pretty(p));
        Loki.Result bad = fx.loki("proof", "verify", RunFixture.RUN_ID);
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.out()).contains("ALTERED").contains("proof.json: sha256 is").contains("field cost.usd '1.84' -> '0.01'");
        assertThat(bad.err()).contains("does not verify");

        Loki.Result json = fx.loki("proof", "verify", RunFixture.RUN_ID, "--json");
        assertThat(json.exit()).isEqualTo(1);
        assertThat(json.json().path("unaltered").asBoolean()).isFalse();
    }

    @Test
    void signed_proof_verifies_and_a_forged_signature_fails() throws Exception {
        Loki.Result kg = fx.loki("proof", "keygen");
        assertThat(kg.exit()).as(kg.toString()).isZero();
        assertThat(Path.of(fx.repo.env().get("HOME"), ".loki", "keys", "proof-ed25519.key")).exists();
        JsonNode p = generate();
        assertThat(p.path("verification").path("signature").path("algo").asText()).isEqualTo("Ed25519");
        Loki.Result ok = fx.loki("proof", "verify", RunFixture.RUN_ID);
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(ok.out()).contains("VERIFIED (signed by key SHA256:");

        // recompute the hash after tampering so only the signature can catch it
        Path file = fx.proofDir().resolve("proof.json");
        ObjectNode t = (ObjectNode) Json.parse(Files.readString(file));
        ((ObjectNode) t.path("council")).put("final_verdict", "FORGED");
        ((ObjectNode) t.path("verification")).put("hash", Verification.hashOf(t));
        Files.writeString(file, Json.pretty(t));
        Loki.Result bad = fx.loki("proof", "verify", RunFixture.RUN_ID);
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.out()).contains("ALTERED").contains("field council.final_verdict 'APPROVED' -> 'FORGED'")
                .doesNotContain("VERIFIED");
    }

    @Test
    void list_show_and_id_validation_follow_upstream() throws Exception {
        Loki.Result empty = fx.loki("proof", "list");
        assertThat(empty.exit()).isZero();
        assertThat(empty.out()).isEqualTo("No proofs found. Run 'loki start' to generate one.\n");
        generate();
        Loki.Result list = fx.loki("proof", "list");
        assertThat(list.exit()).isZero();
        assertThat(list.out().lines().toList().get(0)).startsWith("RUN_ID").contains("GENERATED_AT").contains("FILES");
        assertThat(list.out()).contains(RunFixture.RUN_ID).contains("APPROVED").contains("1.84");
        Loki.Result show = fx.loki("proof", "show", RunFixture.RUN_ID);
        assertThat(show.exit()).isZero();
        assertThat(show.json().path("schema_version").asText()).isEqualTo("1.0");
        Loki.Result missing = fx.loki("proof", "show", "run-nope");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("Proof not found: run-nope");
        for (String evil : List.of("../../etc", "..", "a/b", ".hidden")) {
            Loki.Result r = fx.loki("proof", "show", evil);
            assertThat(r.exit()).as(evil).isEqualTo(2);
            assertThat(r.err()).contains("Invalid proof id");
        }
        Loki.Result noId = fx.loki("proof", "show");
        assertThat(noId.exit()).isEqualTo(2);
    }

    @Test
    void proof_names_the_run_it_describes_never_the_last_one() throws Exception {
        generate();
        RunRecord second = new RunRecord("run-20261202-020000-cd34", fx.run.startedAt(), "", "failed", "codex", "",
                fx.run.baseHead(), fx.run.baseSnapshot(), 1, 10, List.of(), "");
        second.save(fx.dir);
        JsonNode again = generate();
        assertThat(again.path("run_id").asText()).isEqualTo(RunFixture.RUN_ID);
        assertThat(again.path("provider").path("name").asText()).isEqualTo("claude");
        Loki.Result current = fx.loki("proof", "generate");
        assertThat(current.exit()).as(current.toString()).isZero();
        JsonNode p2 = Json.parse(Files.readString(fx.dir.resolve("proofs/run-20261202-020000-cd34/proof.json")));
        assertThat(p2.path("run").path("status").asText()).isEqualTo("failed");
    }

    @Test
    void loki_proof_0_turns_the_end_of_run_proof_off() {
        Map<String, String> env = fx.repo.env();
        env.put("LOKI_PROOF", "0");
        ProofResult r = ProofService.generate(fx.dir, env, RunFixture.RUN_ID, false);
        assertThat(r.written()).isFalse();
        assertThat(r.warnings().get(0)).contains("LOKI_PROOF=0");
        assertThat(fx.proofDir()).doesNotExist();
        ProofResult on = ProofService.generate(fx.dir, fx.repo.env(), RunFixture.RUN_ID, false);
        assertThat(on.written()).isTrue();
        assertThat(fx.proofDir().resolve("index.html")).exists();
    }

    @Test
    void unknown_run_is_a_warning_not_an_exception() {
        ProofResult r = ProofService.generate(fx.dir, fx.repo.env(), "run-unknown", false);
        assertThat(r.written()).isFalse();
        assertThat(r.warnings().get(0)).contains("no run with id 'run-unknown'");
        ProofResult bad = ProofService.generate(fx.dir, fx.repo.env(), "../x", false);
        assertThat(bad.written()).isFalse();
        assertThat(new String(bad.warnings().get(0).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .contains("invalid run id");
    }

    @Test
    void work_left_dirty_before_the_run_is_not_counted_and_a_missing_base_is_said_so(@TempDir Path other)
            throws Exception {
        dev.loki.testing.TestRepo repo = dev.loki.testing.TestRepo.create(other);
        repo.write("wip.txt", "user's own unfinished work\n");
        Map<String, String> env = repo.env();
        dev.loki.store.LokiDir dir = dev.loki.store.LokiDir.locate(java.util.Optional.empty(), env, repo.dir())
                .ensureExists();
        var base = dev.loki.checkpoint.CheckpointService.open(dir, env)
                .create(dev.loki.checkpoint.CheckpointRequest.manual("run start"));
        repo.write("agent.txt", "written by the agent\n");
        new RunRecord("run-a", java.time.Instant.now().toString(), "", "stopped", "claude", "", repo.head(),
                base.snapshotCommit().orElseThrow(), 1, 5, List.of(), "").save(dir);
        new RunRecord("run-b", java.time.Instant.now().toString(), "", "stopped", "claude", "", "", "", 1, 5,
                List.of(), "").save(dir);

        ProofResult a = ProofService.generate(dir, env, "run-a", false);
        assertThat(a.written()).as(a.warnings().toString()).isTrue();
        JsonNode pa = Json.parse(Files.readString(dir.resolve("proofs/run-a/proof.json")));
        List<String> paths = new ArrayList<>();
        pa.path("files_changed").path("files").forEach(f -> paths.add(f.path("path").asText()));
        assertThat(paths).containsExactly("agent.txt");
        // git's own view counts both: the proof attributes only what changed after the run began
        assertThat(repo.git("ls-files", "--others", "--exclude-standard")).contains("wip.txt");

        ProofResult b = ProofService.generate(dir, env, "run-b", false);
        assertThat(b.written()).isTrue();
        assertThat(b.warnings()).anyMatch(w -> w.contains("no base to compare against"));
        JsonNode pb = Json.parse(Files.readString(dir.resolve("proofs/run-b/proof.json")));
        assertThat(pb.path("files_changed").path("count").asInt()).isZero();
        assertThat(pb.path("files_changed").path("base").asText()).isEqualTo("none");
    }
}
