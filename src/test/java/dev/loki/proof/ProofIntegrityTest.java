package dev.loki.proof;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.Json;
import dev.loki.store.RunRecord;
import dev.loki.testing.Loki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10's reproductions, through the real entry point over a real run's recorded files:
 * redaction gaps (3), integrity claims (4), legacy proofs (5) and retention (6).
 */
class ProofIntegrityTest {
    static final String SENDGRID = RedactorCorpusTest.FAKES.get("SENDGRID");
    static final String MAILGUN = RedactorCorpusTest.FAKES.get("MAILGUN");
    static final String DISCORD = RedactorCorpusTest.FAKES.get("DISCORD_WEBHOOK");

    @TempDir
    Path tmp;

    RunFixture fx;

    @BeforeEach
    void setUp() {
        fx = RunFixture.create(tmp);
    }

    private Loki.Result generate(Map<String, String> env, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("proof", "generate", "--run-id", RunFixture.RUN_ID));
        args.addAll(List.of(extra));
        Loki.Result r = fx.loki(env, args.toArray(String[]::new));
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    private JsonNode proof() throws Exception {
        return Json.parse(Files.readString(fx.proofDir().resolve(ProofStore.JSON)));
    }

    private Loki.Result verify(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("proof", "verify", RunFixture.RUN_ID));
        args.addAll(List.of(extra));
        return fx.loki(args.toArray(String[]::new));
    }

    // ---- 3: redaction gaps ------------------------------------------------------------------

    @Test
    void sendgrid_mailgun_and_discord_values_in_the_spec_and_diffs_never_reach_the_proof() throws Exception {
        String leaky = "SENDGRID=" + SENDGRID + "\nMAILGUN=" + MAILGUN + "\nDISCORD_WEBHOOK=" + DISCORD + "\n";
        fx.repo.write("prd.md", "# Mailer\n" + leaky);
        fx.repo.write("deploy/notify.sh", "#!/bin/sh\n" + leaky);
        generate(fx.repo.env(), "--include-diffs");
        String json = Files.readString(fx.proofDir().resolve(ProofStore.JSON));
        String html = Files.readString(fx.proofDir().resolve(ProofStore.HTML));
        for (String text : List.of(json, html)) {
            assertThat(text).doesNotContain(SENDGRID).doesNotContain(MAILGUN).doesNotContain(DISCORD)
                    .doesNotContain(SENDGRID.substring(0, 30)).doesNotContain(DISCORD.substring(DISCORD.lastIndexOf('/')));
        }
        JsonNode p = proof();
        String patches = Json.compact(p.path("diffs"));
        assertThat(patches).contains("deploy/notify.sh").contains("[REDACTED:SENDGRID_KEY]")
                .contains("[REDACTED:MAILGUN_KEY]").contains("[REDACTED:DISCORD_WEBHOOK]");
        assertThat(p.path("spec").path("brief").asText()).contains("[REDACTED:SENDGRID_KEY]");
        assertThat(p.path("redaction").path("second_scan").path("clean").asBoolean()).isTrue();
    }

    @Test
    void env_values_an_agent_echoes_into_council_reasons_are_masked() throws Exception {
        String db = "Db-" + "Pa55-w0rd-x9";
        String sg = "sendgrid-" + "env-V4lue-77";
        String stripe = "stripe-" + "env-S3cret-42";
        Files.writeString(fx.dir.resolve("council/votes/round-2.json"), "{\"round\": 2, \"total_members\": 3,"
                + " \"threshold\": 2, \"verdict\": \"COMPLETE\", \"votes\": ["
                + "{\"role\": \"a\", \"vote\": \"COMPLETE\", \"reason\": \"connected with " + db + "\"},"
                + "{\"role\": \"b\", \"vote\": \"COMPLETE\", \"reason\": \"mail sent using " + sg + "\"},"
                + "{\"role\": \"c\", \"vote\": \"CONTINUE\", \"reason\": \"charged with " + stripe + "\"}]}");
        Map<String, String> env = fx.repo.env();
        env.put("DB_PASSWORD", db);
        env.put("SENDGRID_API_KEY", sg);
        env.put("STRIPE_SECRET_KEY", stripe);
        generate(env);
        String json = Files.readString(fx.proofDir().resolve(ProofStore.JSON));
        String html = Files.readString(fx.proofDir().resolve(ProofStore.HTML));
        for (String text : List.of(json, html)) {
            assertThat(text).doesNotContain(db).doesNotContain(sg).doesNotContain(stripe);
        }
        assertThat(json).contains("[REDACTED:ENV:DB_PASSWORD]").contains("[REDACTED:ENV:SENDGRID_API_KEY]")
                .contains("[REDACTED:ENV:STRIPE_SECRET_KEY]");
        JsonNode p = proof();
        assertThat(p.path("redaction").path("redactions_count").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(p.path("redaction").path("shareable").asBoolean()).isTrue();
    }

    @Test
    void the_second_scan_reports_env_values_and_every_family_it_finds() {
        Redactor r = new Redactor("/x/repo", "/home/x", Map.of("DB_PASSWORD", "quote\"and<tag>-9"));
        assertThat(r.survivorsIn("{\"a\": \"quote\\\"and<tag>-9\"}")).contains("ENV:DB_PASSWORD");
        assertThat(r.survivorsIn("<td>quote&#34;and&lt;tag&gt;-9</td>")).contains("ENV:DB_PASSWORD");
        assertThat(r.survivorsIn("nothing here")).isEmpty();
        for (String family : List.of("SENDGRID", "MAILGUN", "DISCORD_WEBHOOK", "TWILIO", "TELEGRAM", "PYPI", "DOCKERHUB",
                "DIGITALOCEAN", "SHOPIFY", "POSTMAN", "HEROKU", "DATABRICKS", "LINEAR", "NOTION", "VAULT",
                "LOKI_TICKET", "LOKI_TOKEN")) {
            assertThat(Redactor.survivors("x " + RedactorCorpusTest.FAKES.get(family) + " y")).as(family).isNotEmpty();
        }
    }

    // ---- 4: integrity ---------------------------------------------------------------------------

    @Test
    void an_edited_index_html_is_altered_and_names_the_file() throws Exception {
        generate(fx.repo.env());
        assertThat(verify().exit()).isZero();
        Path html = fx.proofDir().resolve(ProofStore.HTML);
        String page = Files.readString(html);
        assertThat(page).contains("completed");
        Files.writeString(html, page.replace("completed", "max_iterations_reached"));
        Loki.Result r = verify();
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("ALTERED").contains("index.html: sha256 is").contains("max_iterations_reached");
        Loki.Result j = verify("--json");
        assertThat(j.json().path("verdict").asText()).isEqualTo("ALTERED");
        assertThat(j.json().path("findings").get(0).asText()).startsWith("index.html");
    }

    @Test
    void an_unsigned_verdict_edit_with_recomputed_hashes_is_integrity_only_never_verified() throws Exception {
        generate(fx.repo.env());
        Path file = fx.proofDir().resolve(ProofStore.JSON);
        ObjectNode t = (ObjectNode) proof();
        ((ObjectNode) t.path("council")).put("final_verdict", "FORGED");
        ((ObjectNode) t.path("verification")).put("hash", Verification.hashOf(t));
        Files.writeString(file, Json.pretty(t));
        // the hash alone recomputed: the attestation still names the old proof.json
        Loki.Result half = verify();
        assertThat(half.exit()).isEqualTo(1);
        assertThat(half.out()).contains("ALTERED").contains("field council.final_verdict 'APPROVED' -> 'FORGED'");
        // the attestation recomputed too, as anyone can for an unsigned proof
        Attestation.write(fx.proofDir(), ProofSigner.none());
        Loki.Result r = verify();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("INTEGRITY ONLY (unsigned: anyone can recompute it)").doesNotContain("VERIFIED");
        assertThat(verify("--require-signature").exit()).isEqualTo(1);
    }

    @Test
    void a_signed_proof_verifies_and_a_re_signature_by_another_key_does_not() throws Exception {
        Loki.Result kg = fx.loki("proof", "keygen");
        assertThat(kg.exit()).as(kg.toString()).isZero();
        Path keys = Path.of(fx.repo.env().get("HOME"), ".loki", "keys");
        assertThat(Files.getPosixFilePermissions(keys.resolve("proof-ed25519.key")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.getPosixFilePermissions(keys)).doesNotContain(PosixFilePermission.GROUP_READ,
                PosixFilePermission.OTHERS_READ);
        generate(fx.repo.env());
        String fp = ProofSigner.forEnv(fx.repo.env()).publicKey().map(ProofSigner::fingerprint).orElseThrow();
        Loki.Result ok = verify();
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(ok.out()).contains("VERIFIED (signed by key " + fp + ")");

        // an attacker edits, re-seals and re-signs with a key of their own (embedding its public key)
        Path attackerHome = Files.createDirectories(tmp.resolve("attacker"));
        ProofSigner attacker = ProofSigner.forEnv(Map.of("HOME", attackerHome.toString()));
        attacker.generate();
        ObjectNode t = (ObjectNode) proof();
        ((ObjectNode) t.path("run")).put("status", "completed-forged");
        t.remove("verification");
        Verification.seal(t, attacker);
        Files.writeString(fx.proofDir().resolve(ProofStore.JSON), Json.pretty(t));
        Files.writeString(fx.proofDir().resolve(ProofStore.HTML), ProofReport.render(t));
        Attestation.write(fx.proofDir(), attacker);
        Loki.Result r = verify();
        assertThat(r.out()).doesNotContain("VERIFIED").contains("INTEGRITY ONLY")
                .contains(ProofSigner.fingerprint(attacker.publicKey().orElseThrow()));
        // trusted explicitly with --key, the attacker's key does verify: the fingerprint is the user's call
        Path pem = tmp.resolve("attacker.pem");
        Files.writeString(pem, ProofSigner.pem(attacker.publicKey().orElseThrow()));
        assertThat(verify("--key", pem.toString()).out()).contains("VERIFIED");
    }

    @Test
    void pubkey_prints_pem_and_jwks_and_explains_a_missing_key() throws Exception {
        Loki.Result none = fx.loki("proof", "pubkey");
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).contains("loki proof keygen");
        fx.loki("proof", "keygen");
        Loki.Result r = fx.loki("proof", "pubkey");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("-----BEGIN PUBLIC KEY-----").contains("\"kty\": \"OKP\"")
                .contains("\"crv\": \"Ed25519\"");
        JsonNode jwks = fx.loki("proof", "pubkey", "--jwks").json();
        byte[] x = Base64.getUrlDecoder().decode(jwks.path("keys").get(0).path("x").asText());
        assertThat(x).hasSize(32);
        byte[] der = ProofSigner.forEnv(fx.repo.env()).publicKey().orElseThrow().getEncoded();
        assertThat(java.util.Arrays.copyOfRange(der, der.length - 32, der.length)).isEqualTo(x);
        assertThat(r.out()).doesNotContain(Files.readString(ProofSigner.forEnv(fx.repo.env()).privateKeyFile()).strip());
        Loki.Result both = fx.loki("proof", "pubkey", "--pem", "--jwks");
        assertThat(both.exit()).as("asking for only one form twice is bad input, not an empty answer").isEqualTo(2);
        assertThat(both.out()).isEmpty();
        assertThat(both.err()).contains("--pem and --jwks");
    }

    @Test
    void start_offers_keygen_once() throws Exception {
        Map<String, String> env = fx.repo.env();
        assertThat(ProofSigner.firstStartHint(env)).get().asString().contains("loki proof keygen");
        assertThat(ProofSigner.firstStartHint(env)).isEmpty();
    }

    // ---- 5: legacy proofs ------------------------------------------------------------------------

    private Path legacy(String id, String extra) throws Exception {
        Path d = Files.createDirectories(fx.dir.resolve("proofs").resolve(id));
        Files.writeString(d.resolve(ProofStore.JSON), "{\"schema_version\": \"1.0\", \"run_id\": \"" + id + "\","
                + " \"generated_at\": \"2026-01-02T03:04:05Z\", \"council\": {\"final_verdict\": \"APPROVED\"},"
                + " \"cost\": {\"usd\": 0.5}, \"files_changed\": {\"count\": 2}, \"redaction\": {\"applied\": true,"
                + " \"rules_version\": \"1.0\", \"redactions_count\": 0}" + extra + "}");
        Files.writeString(d.resolve(ProofStore.HTML), "<html><body>upstream proof " + id + "</body></html>");
        return d;
    }

    @Test
    void a_legacy_proof_is_listed_shown_verified_as_no_hash_and_shared_marked() throws Exception {
        legacy("legacy-1", "");
        Loki.Result list = fx.loki("proof", "list");
        assertThat(list.out()).contains("legacy-1").contains(SharePolicy.LEGACY_MARK);
        assertThat(fx.loki("proof", "list", "--json").json().get(0).path("integrity").asText())
                .isEqualTo(SharePolicy.LEGACY_MARK);
        Loki.Result show = fx.loki("proof", "show", "legacy-1");
        assertThat(show.exit()).isZero();
        assertThat(show.err()).contains(SharePolicy.LEGACY_MARK);
        Loki.Result v = fx.loki("proof", "verify", "legacy-1");
        assertThat(v.exit()).isEqualTo(3);
        assertThat(v.out()).contains("NO HASH").doesNotContain("ALTERED");

        Map<String, String> env = GistShareTest.fakeGhEnv(tmp, fx.repo.env());
        Loki.Result share = fx.loki(env, "proof", "share", "--yes", "legacy-1");
        assertThat(share.exit()).as(share.toString()).isZero();
        assertThat(share.out()).contains("Shared: https://gist.github.com/").contains(SharePolicy.LEGACY_MARK)
                .doesNotContain("altered");
        // the user's file is not rewritten into a hashed proof
        assertThat(Files.readString(fx.dir.resolve("proofs/legacy-1/proof.json"))).doesNotContain("verification");
    }

    @Test
    void a_legacy_proof_with_a_secret_is_refused_by_the_scan_not_called_altered() throws Exception {
        legacy("legacy-2", ", \"notes\": [\"SENDGRID=" + SENDGRID + "\"]");
        Map<String, String> env = GistShareTest.fakeGhEnv(tmp, fx.repo.env());
        Loki.Result share = fx.loki(env, "proof", "share", "--yes", "legacy-2");
        assertThat(share.exit()).isEqualTo(1);
        assertThat(share.err()).contains("SENDGRID_KEY").doesNotContain("altered");
    }

    // ---- 6: retention ------------------------------------------------------------------------------

    @Test
    void retention_prunes_old_proofs_with_their_snapshot_refs_and_keeps_legacy_ones() throws Exception {
        Map<String, String> env = fx.repo.env();
        env.put("LOKI_PROOF_RETENTION", "1");
        legacy("legacy-3", "");
        legacy("legacy-4", ", \"verification\": {\"hash\": \"\"}"); // listed and shared as legacy: kept too
        generate(env);
        assertThat(FilesChanged.proofRefs(fx.dir, env)).containsExactly(FilesChanged.refOf(RunFixture.RUN_ID));
        RunRecord r = fx.run;
        String second = RunFixture.RUN_ID + "-2";
        new RunRecord(second, r.startedAt(), r.endedAt(), r.status(), r.provider(), r.specPath(), r.baseHead(),
                r.baseSnapshot(), r.iterations(), r.maxIterations(), r.checkpointIds(), r.exitReason()).save(fx.dir);
        Thread.sleep(5); // generated_at has microseconds; the second proof is strictly newer
        Loki.Result g = fx.loki(env, "proof", "generate", "--run-id", second);
        assertThat(g.exit()).as(g.toString()).isZero();
        assertThat(fx.proofDir()).doesNotExist();
        assertThat(fx.dir.resolve("proofs").resolve(second).resolve(ProofStore.JSON)).exists();
        assertThat(fx.dir.resolve("proofs/legacy-3/proof.json")).exists();
        assertThat(fx.dir.resolve("proofs/legacy-4/proof.json")).exists();
        assertThat(FilesChanged.proofRefs(fx.dir, env)).containsExactly(FilesChanged.refOf(second));
        assertThat(ProofRetention.prune(fx.dir, env, Set.of()).removedProofs()).isEmpty();
    }

    @Test
    void keygen_refuses_to_replace_a_key() throws Exception {
        assertThat(fx.loki("proof", "keygen").exit()).isZero();
        Path key = ProofSigner.forEnv(fx.repo.env()).privateKeyFile();
        byte[] before = Files.readAllBytes(key);
        Loki.Result again = fx.loki("proof", "keygen");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("already exists");
        assertThat(Files.readAllBytes(key)).isEqualTo(before);
    }
}
