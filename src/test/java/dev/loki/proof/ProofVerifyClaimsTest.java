package dev.loki.proof;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.Json;
import dev.loki.store.RunRecord;
import dev.loki.testing.Loki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code loki proof verify} claims when parts of a proof are removed, re-formatted or
 * swapped: an adversarial tester's reproductions, through the real entry point.
 */
class ProofVerifyClaimsTest {
    @TempDir
    Path tmp;

    RunFixture fx;

    @BeforeEach
    void setUp() {
        fx = RunFixture.create(tmp);
    }

    private void signedProof() {
        assertThat(fx.loki("proof", "keygen").exit()).isZero();
        generate();
    }

    private void generate() {
        Loki.Result g = fx.loki("proof", "generate", "--run-id", RunFixture.RUN_ID);
        assertThat(g.exit()).as(g.toString()).isZero();
    }

    private Loki.Result verify(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("proof", "verify", RunFixture.RUN_ID));
        args.addAll(List.of(extra));
        return fx.loki(args.toArray(String[]::new));
    }

    private Path file(String name) {
        return fx.proofDir().resolve(name);
    }

    private String fingerprint() {
        return ProofSigner.forEnv(fx.repo.env()).publicKey().map(ProofSigner::fingerprint).orElseThrow();
    }

    // ---- 1: a deleted attestation does not turn tamper detection off -------------------------

    @Test
    void deleting_the_attestation_of_a_signed_proof_and_forging_the_page_is_altered_and_never_shared()
            throws Exception {
        signedProof();
        assertThat(verify().out()).contains("VERIFIED (signed by key " + fingerprint() + ")");
        Files.delete(file(Attestation.FILE));
        String page = Files.readString(file(ProofStore.HTML));
        assertThat(page).contains("APPROVED");
        Files.writeString(file(ProofStore.HTML), page.replace("APPROVED", "FORGED-APPROVAL"));

        Loki.Result r = verify();
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("ALTERED").contains("attestation missing: index.html cannot be checked")
                .contains("FORGED-APPROVAL").doesNotContain("written before attestations")
                .doesNotContain("INTEGRITY ONLY");
        // the embedded signature is still checked and reported as what it is
        assertThat(r.out()).contains("signed by key " + fingerprint());
        JsonNode j = verify("--json").json();
        assertThat(j.path("verdict").asText()).isEqualTo("ALTERED");
        assertThat(j.path("signed").asBoolean()).isTrue();
        assertThat(j.path("key_fingerprint").asText()).isEqualTo(fingerprint());

        Loki.Result req = verify("--require-signature");
        assertThat(req.exit()).isEqualTo(1);
        assertThat(req.err()).doesNotContain("is not signed by a trusted key").contains("altered");

        Map<String, String> env = GistShareTest.fakeGhEnv(tmp, fx.repo.env());
        Loki.Result share = fx.loki(env, "proof", "share", "--yes", RunFixture.RUN_ID);
        assertThat(share.exit()).as(share.toString()).isEqualTo(1);
        assertThat(share.err()).contains("Refusing to publish").contains("attestation missing");
        assertThat(Path.of(env.get("FAKE_GH_UPLOADED"))).doesNotExist();
    }

    @Test
    void deleting_only_the_attestation_is_altered_and_the_page_is_still_compared_with_proof_json() throws Exception {
        generate(); // unsigned
        Files.delete(file(Attestation.FILE));
        Loki.Result r = verify();
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("ALTERED").contains("attestation missing")
                .contains("index.html: matches the page proof.json renders");
    }

    @Test
    void a_proof_written_before_attestations_is_checked_by_its_signature_and_the_page_it_renders() throws Exception {
        assertThat(fx.loki("proof", "keygen").exit()).isZero();
        generate();
        // what a loki before attestations wrote: no env_values_masked, signed, no envelope
        ObjectNode p = (ObjectNode) Json.parse(Files.readString(file(ProofStore.JSON)));
        ((ObjectNode) p.path("redaction")).remove("env_values_masked");
        p.remove("verification");
        Verification.seal(p, ProofSigner.forEnv(fx.repo.env()));
        Files.writeString(file(ProofStore.JSON), Json.pretty(p) + "\n");
        Files.writeString(file(ProofStore.HTML), ProofReport.render(p));
        Files.delete(file(Attestation.FILE));

        Loki.Result ok = verify("--require-signature");
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(ok.out()).contains("VERIFIED (signed by key " + fingerprint() + ")")
                .contains("written before attestations").contains("index.html: matches the page proof.json renders");

        // its page edited: nothing attests the page, so it is not verified, and not shared
        String page = Files.readString(file(ProofStore.HTML));
        Files.writeString(file(ProofStore.HTML), page.replace("APPROVED", "FORGED-APPROVAL"));
        Loki.Result edited = verify();
        assertThat(edited.out()).contains("INTEGRITY ONLY").contains("FORGED-APPROVAL").doesNotContain("VERIFIED");
        assertThat(verify("--require-signature").exit()).isEqualTo(1);
        Map<String, String> env = GistShareTest.fakeGhEnv(tmp, fx.repo.env());
        Loki.Result share = fx.loki(env, "proof", "share", "--yes", RunFixture.RUN_ID);
        assertThat(share.exit()).as(share.toString()).isEqualTo(1);
        assertThat(share.err()).contains("Refusing to publish").contains("index.html");
        assertThat(Path.of(env.get("FAKE_GH_UPLOADED"))).doesNotExist();

        // its hash recomputed after an edit: the embedded signature no longer matches
        ((ObjectNode) p.path("council")).put("final_verdict", "FORGED");
        ObjectNode v = (ObjectNode) p.path("verification");
        v.put("hash", Verification.hashOf(p));
        Files.writeString(file(ProofStore.JSON), Json.pretty(p) + "\n");
        Files.writeString(file(ProofStore.HTML), ProofReport.render(p));
        Loki.Result forged = verify();
        assertThat(forged.exit()).as(forged.toString()).isEqualTo(1);
        assertThat(forged.out()).contains("ALTERED").contains("signature");
    }
    // ---- 2: re-formatting proof.json is not an alteration -------------------------------------

    @Test
    void a_re_formatted_proof_json_with_intact_content_and_signature_verifies_and_says_so() throws Exception {
        signedProof();
        Path json = file(ProofStore.JSON);
        String original = Files.readString(json);
        String number = original.replaceFirst("(\"usd\"\\s*:\\s*)([0-9.]+)", "$1$2e0");
        assertThat(number).isNotEqualTo(original);
        String sortedCompact = CanonicalJson.write(Json.parse(original));
        for (String reformatted : List.of(number, sortedCompact)) {
            Files.writeString(json, reformatted);
            Loki.Result r = verify("--require-signature");
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).contains("VERIFIED (signed by key " + fingerprint() + "; proof.json was re-formatted "
                    + "(bytes differ from the attested file), its content and signature are intact)")
                    .doesNotContain("ALTERED");
            assertThat(verify("--json").json().path("reformatted").asBoolean()).isTrue();
        }
        // re-formatted and a value changed: altered, not re-formatted
        Files.writeString(json, sortedCompact.replace("\"final_verdict\":\"APPROVED\"",
                "\"final_verdict\":\"FORGED\""));
        Loki.Result changed = verify();
        assertThat(changed.exit()).as(changed.toString()).isEqualTo(1);
        assertThat(changed.out()).contains("ALTERED").contains("'APPROVED' -> 'FORGED'").doesNotContain("re-formatted");
        // re-formatted, and the page edited: altered
        Files.writeString(json, number);
        Path html = file(ProofStore.HTML);
        Files.writeString(html, Files.readString(html).replace("APPROVED", "FORGED-APPROVAL"));
        Loki.Result page = verify();
        assertThat(page.exit()).as(page.toString()).isEqualTo(1);
        assertThat(page.out()).contains("ALTERED").contains("index.html: sha256 is");
    }

    // ---- 2b: text smuggled past the lenient parser is not "re-formatted" ----------------------

    @Test
    void text_after_the_object_or_a_key_given_twice_is_altered_not_re_formatted() throws Exception {
        signedProof();
        Path json = file(ProofStore.JSON);
        String original = Files.readString(json);
        String forgedStatus = "\"status\": \"FORGED-STATUS\",";
        String trailing = original + "{\"run\": {\"status\": \"FORGED-STATUS\"}}\n";
        // the first of two equal keys: a reader that keeps the first sees the forged value
        String duplicate = original.replaceFirst("\"run\"\\s*:\\s*\\{", "\"run\": {" + forgedStatus);
        assertThat(duplicate).isNotEqualTo(original).contains("FORGED-STATUS");
        for (String tampered : List.of(trailing, duplicate)) {
            Files.writeString(json, tampered);
            Loki.Result r = verify();
            assertThat(r.exit()).as(r.toString()).isEqualTo(1);
            assertThat(r.out()).contains("ALTERED").doesNotContain("re-formatted").doesNotContain("VERIFIED");
            assertThat(verify("--json").json().path("unaltered").asBoolean()).isFalse();
        }
        assertThat(verify().out()).contains("a key appears twice");
        Files.writeString(json, trailing);
        assertThat(verify().out()).contains("more text after its JSON object");
        Files.writeString(json, original);
        assertThat(verify().exit()).isZero();
    }

    // ---- 2c: sharing from a machine without the signing key keeps the signature --------------

    @Test
    void sharing_a_signed_proof_where_its_key_is_not_held_neither_strips_nor_replaces_its_signature()
            throws Exception {
        signedProof();
        String mine = fingerprint();
        byte[] before = Files.readAllBytes(file(ProofStore.JSON));
        byte[] envelope = Files.readAllBytes(file(Attestation.FILE));
        // a teammate without a key, then one with a key of their own
        Map<String, String> noKey = GistShareTest.fakeGhEnv(tmp.resolve("no-key"), fx.repo.env());
        noKey.put("HOME", Files.createDirectories(tmp.resolve("home-no-key")).toString());
        Map<String, String> otherKey = GistShareTest.fakeGhEnv(tmp.resolve("other-key"), fx.repo.env());
        otherKey.put("HOME", Files.createDirectories(tmp.resolve("home-other-key")).toString());
        assertThat(fx.loki(otherKey, "proof", "keygen").exit()).isZero();
        for (Map<String, String> env : List.of(noKey, otherKey)) {
            Loki.Result share = fx.loki(env, "proof", "share", "--yes", RunFixture.RUN_ID);
            assertThat(share.exit()).as(share.toString()).isZero();
            assertThat(share.err()).contains("signed by key " + mine + ", which this machine does not hold");
            assertThat(Files.readAllBytes(file(ProofStore.JSON))).as("proof.json untouched").isEqualTo(before);
            assertThat(Files.readAllBytes(file(Attestation.FILE))).as("attestation untouched").isEqualTo(envelope);
            Loki.Result v = verify();
            assertThat(v.exit()).as(v.toString()).isZero();
            assertThat(v.out()).contains("VERIFIED (signed by key " + mine + ")");
        }
        assertThat(Files.readAllLines(file(ProofStore.PUBLISH_LOG))).hasSize(2)
                .allMatch(l -> l.contains("https://gist.github.com/tester/0123456789abcdef"));
        // the key's owner shares: the URL goes into proof.json, signed again with the same key
        Map<String, String> own = GistShareTest.fakeGhEnv(tmp.resolve("own"), fx.repo.env());
        Loki.Result share = fx.loki(own, "proof", "share", "--yes", RunFixture.RUN_ID);
        assertThat(share.exit()).as(share.toString()).isZero();
        assertThat(share.err()).doesNotContain("does not hold");
        assertThat(Files.readString(file(ProofStore.JSON))).contains("\"public_url\": \"https://gist.github.com/");
        assertThat(verify().out()).contains("VERIFIED (signed by key " + mine + ")");
    }

    // ---- 3: another run's proof copied into a run's folder -----------------------------------

    @Test
    void another_runs_proof_copied_into_a_runs_folder_is_named_as_such_and_fails() throws Exception {
        generate();
        RunRecord r = fx.run;
        String other = RunFixture.RUN_ID + "-b";
        new RunRecord(other, r.startedAt(), r.endedAt(), r.status(), r.provider(), r.specPath(), r.baseHead(),
                r.baseSnapshot(), r.iterations(), r.maxIterations(), r.checkpointIds(), r.exitReason()).save(fx.dir);
        Loki.Result g = fx.loki("proof", "generate", "--run-id", other);
        assertThat(g.exit()).as(g.toString()).isZero();
        Path b = fx.dir.resolve("proofs").resolve(other);
        assertThat(fx.loki("proof", "verify", other).exit()).isZero();
        for (String f : List.of(ProofStore.JSON, ProofStore.HTML, Attestation.FILE)) {
            Files.copy(file(f), b.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Loki.Result v = fx.loki("proof", "verify", other);
        assertThat(v.exit()).as(v.toString()).isEqualTo(1);
        assertThat(v.out()).contains("ALTERED")
                .contains("this is the proof of run '" + RunFixture.RUN_ID + "', not of '" + other + "'");
        // the same without the attestation
        Files.delete(b.resolve(Attestation.FILE));
        assertThat(fx.loki("proof", "verify", other).out()).contains("this is the proof of run '" + RunFixture.RUN_ID);
        Map<String, String> env = GistShareTest.fakeGhEnv(tmp, fx.repo.env());
        Loki.Result share = fx.loki(env, "proof", "share", "--yes", other);
        assertThat(share.exit()).as(share.toString()).isEqualTo(1);
        assertThat(Path.of(env.get("FAKE_GH_UPLOADED"))).doesNotExist();
    }
}
