package dev.loki.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attestation as others see it: a DSSE envelope around an in-toto Statement v1, whose
 * signature checks over the PAE bytes with the JDK and, independently of loki's code, with
 * OpenSSL 3 ({@code pkeyutl -verify -rawin}).
 */
class DsseEnvelopeTest {
    @TempDir
    static Path tmp;

    static RunFixture fx;
    static JsonNode envelope;
    static byte[] payload;
    static PublicKey key;

    @BeforeAll
    static void signedProof() throws Exception {
        fx = RunFixture.create(tmp);
        ProofSigner signer = ProofSigner.forEnv(fx.repo.env());
        signer.generate();
        key = signer.publicKey().orElseThrow();
        assertThat(ProofService.generateNow(fx.dir, fx.repo.env(), RunFixture.RUN_ID, false).written()).isTrue();
        envelope = Json.parse(Files.readString(fx.proofDir().resolve(Attestation.FILE)));
        payload = Base64.getDecoder().decode(envelope.path("payload").asText());
    }

    @Test
    void pae_is_the_dsse_encoding() {
        byte[] pae = Attestation.pae("application/vnd.in-toto+json", "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(pae, StandardCharsets.UTF_8)).isEqualTo("DSSEv1 28 application/vnd.in-toto+json 2 {}");
        // lengths count bytes, not characters
        byte[] utf = Attestation.pae("t", "é".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(utf, StandardCharsets.UTF_8)).isEqualTo("DSSEv1 1 t 2 é");
    }

    @Test
    void the_envelope_holds_an_in_toto_statement_about_both_files_and_the_run_s_commits() throws Exception {
        assertThat(envelope.path("payloadType").asText()).isEqualTo("application/vnd.in-toto+json");
        JsonNode st = Json.MAPPER.readTree(payload);
        assertThat(st.path("_type").asText()).isEqualTo("https://in-toto.io/Statement/v1");
        assertThat(st.path("predicateType").asText()).isEqualTo("https://loki.dev/proof/v1");
        Map<String, JsonNode> subjects = new HashMap<>();
        st.path("subject").forEach(s -> subjects.put(s.path("name").asText(), s.path("digest")));
        assertThat(subjects.get("proof.json").path("sha256").asText())
                .isEqualTo(sha256Hex(fx.proofDir().resolve("proof.json")));
        assertThat(subjects.get("index.html").path("sha256").asText())
                .isEqualTo(sha256Hex(fx.proofDir().resolve("index.html")));
        JsonNode proof = Json.parse(Files.readString(fx.proofDir().resolve("proof.json")));
        assertThat(subjects.get("git:base_commit").path("gitCommit").asText())
                .isEqualTo(proof.path("files_changed").path("base_commit").asText()).hasSize(40);
        String tree = fx.repo.git("--git-dir", FilesChanged.storeDirectory(fx.dir, fx.repo.env()).orElseThrow().toString(), "rev-parse",
                proof.path("files_changed").path("end_snapshot").asText() + "^{tree}").strip();
        assertThat(subjects.get("git:end_snapshot_tree").path("gitTree").asText()).isEqualTo(tree);
        assertThat(st.path("predicate").path("facts").path("council.final_verdict").asText()).isEqualTo("APPROVED");
        assertThat(st.path("predicate").path("proof_sha256").asText())
                .isEqualTo(proof.path("verification").path("hash").asText());
    }

    @Test
    void the_signature_round_trips_with_the_jdk_and_names_the_key() {
        JsonNode sig = envelope.path("signatures").get(0);
        assertThat(sig.path("keyid").asText()).isEqualTo(ProofSigner.fingerprint(key));
        byte[] s = Base64.getDecoder().decode(sig.path("sig").asText());
        byte[] pae = Attestation.pae(Attestation.PAYLOAD_TYPE, payload);
        assertThat(ProofSigner.verifyBytes(key, pae, s)).isTrue();
        pae[pae.length - 2] ^= 1;
        assertThat(ProofSigner.verifyBytes(key, pae, s)).isFalse();
    }

    @Test
    void openssl_verifies_the_envelope_independently() throws Exception {
        Optional<Path> openssl = ExternalCommand.find("openssl", Map.of("PATH", "/usr/bin:/bin:/usr/local/bin"));
        if (openssl.isEmpty()) {
            assertThat(System.getenv("CI")).as("openssl is required under CI=true").isNotEqualTo("true");
            assumeTrue(false, "openssl not installed: the independent DSSE check was skipped (install OpenSSL 3)");
        }
        Path dir = Files.createDirectories(tmp.resolve("openssl"));
        Path pub = dir.resolve("pub.pem");
        Path pae = dir.resolve("pae.bin");
        Path sig = dir.resolve("sig.bin");
        Files.writeString(pub, ProofSigner.pem(key));
        Files.write(pae, Attestation.pae(Attestation.PAYLOAD_TYPE, payload));
        Files.write(sig, Base64.getDecoder().decode(envelope.path("signatures").get(0).path("sig").asText()));
        List<String> args = new ArrayList<>(List.of("pkeyutl", "-verify", "-pubin", "-inkey", pub.toString(), "-rawin",
                "-in", pae.toString(), "-sigfile", sig.toString()));
        Map<String, String> env = Map.of("PATH", "/usr/bin:/bin");
        ExternalCommand.Result ok = ExternalCommand.run(openssl.get(), args, env, dir, Duration.ofSeconds(30));
        assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out()).contains("Signature Verified Successfully");

        // one changed byte of the statement: openssl refuses it
        byte[] bad = Files.readAllBytes(pae);
        bad[bad.length - 3] ^= 1;
        Files.write(pae, bad);
        ExternalCommand.Result no = ExternalCommand.run(openssl.get(), args, env, dir, Duration.ofSeconds(30));
        assertThat(no.exit()).isNotZero();
        assertThat(no.out() + no.err()).contains("Signature Verification Failure");
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count()).isZero();
    }

    /** Computed here, not by the code under test. */
    private static String sha256Hex(java.nio.file.Path f) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(f)));
    }
}
