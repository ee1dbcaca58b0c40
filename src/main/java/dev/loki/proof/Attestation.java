package dev.loki.proof;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.AtomicFiles;
import dev.loki.store.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The proof as an in-toto attestation: a Statement v1 whose subjects are the sha256 digests of
 * {@code proof.json} and {@code index.html}, the run's base commit and its final snapshot tree,
 * with predicate type {@code https://loki.dev/proof/v1} (the proof's facts), wrapped in a DSSE
 * envelope ({@code proof.intoto.json}) and signed with Ed25519 over DSSE's pre-authentication
 * encoding when a key exists. Unsigned, the envelope proves integrity only: anyone who can edit the
 * files can recompute it.
 */
public final class Attestation {
    public static final String FILE = "proof.intoto.json";
    public static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";
    public static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
    public static final String PREDICATE_TYPE = "https://loki.dev/proof/v1";

    /** The facts the predicate carries: a dotted name for each, and where it lives in proof.json. */
    private static final Map<String, String> FACTS = new LinkedHashMap<>();

    static {
        FACTS.put("run_id", "/run_id");
        FACTS.put("generated_at", "/generated_at");
        FACTS.put("run.status", "/run/status");
        FACTS.put("run.exit_reason", "/run/exit_reason");
        FACTS.put("council.final_verdict", "/council/final_verdict");
        FACTS.put("quality_gates.passed", "/quality_gates/passed");
        FACTS.put("quality_gates.total", "/quality_gates/total");
        FACTS.put("iterations.count", "/iterations/count");
        FACTS.put("files_changed.count", "/files_changed/count");
        FACTS.put("files_changed.insertions", "/files_changed/insertions");
        FACTS.put("files_changed.deletions", "/files_changed/deletions");
        FACTS.put("files_changed.base_commit", "/files_changed/base_commit");
        FACTS.put("files_changed.end_snapshot", "/files_changed/end_snapshot");
        FACTS.put("files_changed.end_tree", "/files_changed/end_tree");
        FACTS.put("cost.usd", "/cost/usd");
        FACTS.put("redaction.redactions_count", "/redaction/redactions_count");
        FACTS.put("redaction.shareable", "/redaction/shareable");
        FACTS.put("deployment.public_url", "/deployment/public_url");
        FACTS.put("verification.hash", "/verification/hash");
    }

    /** What {@code loki proof verify} says, plainly. */
    public enum Verdict {
        VERIFIED, INTEGRITY_ONLY, ALTERED, NO_HASH;

        public String label() {
            return this == INTEGRITY_ONLY ? "INTEGRITY ONLY" : this == NO_HASH ? "NO HASH" : name();
        }
    }

    /**
     * The outcome of checking a proof's directory.
     *
     * @param keyFingerprint the signing key's fingerprint when there is a valid signature, else ""
     * @param trustedKey     whether that key is this machine's or the one given to check with
     * @param findings       what was altered ("index.html: ...", "proof.json: field run.status ..."), or notes
     * @param pageUnchecked  index.html is covered by nothing: no attestation, and it is not the page proof.json
     *                       renders (share refuses to upload it)
     * @param reformatted    proof.json's bytes differ from the attested file but its content (canonical hash)
     *                       is the attested content and its own signature is intact
     */
    public record Report(Verdict verdict, String summary, String keyFingerprint, boolean trustedKey,
            boolean hasEnvelope, String recordedHash, String computedHash, List<String> findings,
            boolean pageUnchecked, boolean reformatted) {
        public Report {
            findings = List.copyOf(findings);
        }

        public Report(Verdict verdict, String summary, String keyFingerprint, boolean trustedKey, boolean hasEnvelope,
                String recordedHash, String computedHash, List<String> findings) {
            this(verdict, summary, keyFingerprint, trustedKey, hasEnvelope, recordedHash, computedHash, findings, false,
                    false);
        }
    }

    /**
     * The field only a loki that writes attestations puts in proof.json (it came with them): a
     * proof that has it and no {@value #FILE} lost its attestation. It is inside the hashed and
     * signed content, so it cannot be removed without that showing.
     */
    static final String ATTESTATION_ERA_MARKER = "/redaction/env_values_masked";

    /** The signature proof.json carries in its verification block, checked against its recorded hash. */
    record Embedded(String state, PublicKey key) {
        /** The finding for an "invalid" embedded signature, in both verification paths. */
        static final String INVALID_FINDING = "proof.json: the signature in verification.signature does not match"
                + " verification.hash (the hash was recomputed after signing, or the signature was edited)";

        static Embedded of(JsonNode proof, String recorded) {
            JsonNode sig = proof.path("verification").path("signature");
            if (!sig.isObject()) {
                return new Embedded("none", null);
            }
            String pub = sig.path("public_key").asText("");
            Optional<PublicKey> key = ProofSigner.parsePublicKey(pub);
            // decoded once; a signature counts only over a key written as bare base64 (as loki writes it and as
            // ProofSigner.verify reads it), though the key itself, armoured, still names who signed
            boolean valid = key.isPresent() && ProofSigner.isBareBase64(pub)
                    && ProofSigner.verify(key.get(), recorded, sig.path("value").asText(""));
            return new Embedded(valid ? "valid" : "invalid", key.orElse(null));
        }

        /** The key proof.json carries, parsed (untrusted by itself). */
        Optional<PublicKey> parsedKey() {
            return Optional.ofNullable(key);
        }

        String fingerprint() {
            return key == null ? "" : ProofSigner.fingerprint(key);
        }
    }

    private Attestation() {
    }

    /**
     * What {@code loki proof verify <run>} says, for callers other than the CLI (MCP, the PR
     * finisher): proof.json, index.html and the envelope checked, this machine's key trusted.
     */
    public static Report verifyWithLocalKey(Path dir, java.util.Map<String, String> env) throws IOException {
        return verify(dir, ProofSigner.forEnv(env).publicKey().map(List::of).orElse(List.of()));
    }

    /** DSSE's pre-authentication encoding: {@code DSSEv1 SP len(type) SP type SP len(body) SP body}. */
    public static byte[] pae(String payloadType, byte[] body) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("DSSEv1 " + type.length + " " + payloadType + " " + body.length + " ")
                .getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + body.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(body, 0, out, head.length, body.length);
        return out;
    }

    /** The proof's facts, flat, by dotted name (missing ones as null). */
    static ObjectNode facts(JsonNode proof) {
        ObjectNode f = Json.object();
        FACTS.forEach((name, ptr) -> {
            JsonNode v = proof.at(ptr);
            f.set(name, v.isMissingNode() ? Json.MAPPER.nullNode() : v.deepCopy());
        });
        return f;
    }

    static ObjectNode statement(JsonNode proof, byte[] json, byte[] html) {
        ObjectNode st = Json.object();
        st.put("_type", STATEMENT_TYPE);
        ArrayNode subjects = st.putArray("subject");
        subject(subjects, ProofStore.JSON, "sha256", CanonicalJson.sha256(json));
        subject(subjects, ProofStore.HTML, "sha256", CanonicalJson.sha256(html));
        String base = proof.path("files_changed").path("base_commit").asText("");
        if (!base.isEmpty()) {
            subject(subjects, "git:base_commit", "gitCommit", base);
        }
        String tree = proof.path("files_changed").path("end_tree").asText("");
        if (!tree.isEmpty()) {
            subject(subjects, "git:end_snapshot_tree", "gitTree", tree);
        }
        st.put("predicateType", PREDICATE_TYPE);
        ObjectNode predicate = st.putObject("predicate");
        predicate.put("proof_sha256", proof.path("verification").path("hash").asText(""));
        predicate.put("proof_hash_scope", "sha256 over the canonical JSON of proof.json without its verification block");
        predicate.set("facts", facts(proof));
        return st;
    }

    private static void subject(ArrayNode subjects, String name, String algo, String digest) {
        ObjectNode s = subjects.addObject();
        s.put("name", name);
        s.putObject("digest").put(algo, digest);
    }

    /** Writes {@code proof.intoto.json} for the proof files in {@code dir}, signed when {@code signer} has a key. */
    static void write(Path dir, ProofSigner signer) throws IOException, GeneralSecurityException {
        byte[] json = Files.readAllBytes(dir.resolve(ProofStore.JSON));
        byte[] html = Files.readAllBytes(dir.resolve(ProofStore.HTML));
        JsonNode proof = Json.MAPPER.readTree(json);
        byte[] payload = CanonicalJson.write(statement(proof, json, html)).getBytes(StandardCharsets.UTF_8);
        ObjectNode env = Json.object();
        env.put("payloadType", PAYLOAD_TYPE);
        env.put("payload", Base64.getEncoder().encodeToString(payload));
        ArrayNode sigs = env.putArray("signatures");
        if (signer.hasKey()) {
            ObjectNode s = sigs.addObject();
            s.put("keyid", ProofSigner.fingerprint(signer.publicKey().orElseThrow(
                    () -> new IOException("the public key " + signer.publicKeyFile() + " is unreadable"))));
            s.put("sig", Base64.getEncoder().encodeToString(signer.signBytes(pae(PAYLOAD_TYPE, payload))));
        }
        AtomicFiles.writeString(dir.resolve(FILE), Json.pretty(env) + "\n");
    }

    /**
     * Checks the envelope and both files. {@code trusted} are the keys a signature may come from
     * (this machine's, or one the user gave); a valid signature by any other key is reported, with
     * its fingerprint, as integrity only.
     */
    public static Report verify(Path dir, List<PublicKey> trusted) throws IOException {
        byte[] json = Files.readAllBytes(dir.resolve(ProofStore.JSON));
        Parsed parsed = Parsed.of(json);
        JsonNode proof = parsed.tree();
        if (proof == null || !proof.isObject()) {
            throw new IOException("proof.json is not a JSON object");
        }
        String recorded = proof.path("verification").path("hash").asText("");
        String computed = Verification.hashOf(proof);
        Path envFile = dir.resolve(FILE);
        List<String> findings = new ArrayList<>();
        // a lenient read keeps the last of two equal keys and stops after the first value:
        // text added before a key or after the object would otherwise pass as "re-formatted"
        Optional<String> notOneObject = parsed.notOneObject();
        if (notOneObject.isPresent() && !recorded.isEmpty()) {
            return new Report(Verdict.ALTERED, "changed after it was written", "", false,
                    Files.isRegularFile(envFile), recorded, computed, List.of("proof.json: " + notOneObject.get()
                            + "; loki writes exactly one JSON object with distinct keys, so this was added to it"));
        }
        if (!Files.isRegularFile(envFile)) {
            if (recorded.isEmpty()) {
                return new Report(Verdict.NO_HASH, "unverified (no integrity hash): a legacy proof, written by "
                        + "upstream or by hand; nothing can tell whether it was changed", "", false, false, "", computed,
                        List.of());
            }
            return withoutEnvelope(dir, proof, recorded, computed, trusted);
        }
        JsonNode env = Json.MAPPER.readTree(Files.readAllBytes(envFile));
        byte[] payload;
        JsonNode statement;
        try {
            if (!PAYLOAD_TYPE.equals(env.path("payloadType").asText())) {
                throw new IllegalArgumentException("payloadType is not " + PAYLOAD_TYPE);
            }
            payload = Base64.getDecoder().decode(env.path("payload").asText(""));
            statement = Json.MAPPER.readTree(payload);
            if (statement == null || !STATEMENT_TYPE.equals(statement.path("_type").asText())
                    || !PREDICATE_TYPE.equals(statement.path("predicateType").asText())) {
                throw new IllegalArgumentException("the payload is not a loki in-toto statement");
            }
        } catch (IllegalArgumentException | IOException e) {
            return new Report(Verdict.ALTERED, FILE + " is not a valid envelope: " + e.getMessage(), "", false, true,
                    recorded, computed, List.of(FILE + ": " + e.getMessage()));
        }

        // the signature proof.json carries, over its own hash (its key decoded once, for both checks)
        Embedded embedded = Embedded.of(proof, recorded);
        Optional<PublicKey> embeddedKey = embedded.parsedKey();

        // the envelope's signature first: over exactly these payload bytes
        String fingerprint = "";
        boolean trustedKey = false;
        JsonNode sigs = env.path("signatures");
        byte[] pae = pae(PAYLOAD_TYPE, payload);
        if (sigs.isArray() && !sigs.isEmpty()) {
            List<PublicKey> candidates = new ArrayList<>(trusted);
            embeddedKey.ifPresent(candidates::add);
            for (JsonNode s : sigs) {
                byte[] sig;
                try {
                    sig = Base64.getDecoder().decode(s.path("sig").asText(""));
                } catch (IllegalArgumentException e) {
                    continue;
                }
                for (PublicKey k : candidates) {
                    if (ProofSigner.verifyBytes(k, pae, sig)) {
                        fingerprint = ProofSigner.fingerprint(k);
                        trustedKey = trusted.contains(k);
                        break;
                    }
                }
                if (!fingerprint.isEmpty()) {
                    break;
                }
            }
            if (fingerprint.isEmpty()) {
                String keyid = sigs.get(0).path("keyid").asText("");
                boolean known = trusted.stream().anyMatch(k -> ProofSigner.fingerprint(k).equals(keyid))
                        || embeddedKey.map(k -> ProofSigner.fingerprint(k).equals(keyid)).orElse(false);
                findings.add(FILE + ": " + (known ? "the signature by key " + keyid
                        + " does not match the statement (the envelope was changed)"
                        : "signed by key " + keyid + ", which is neither this machine's nor given with --key, "
                                + "so the signature cannot be checked"));
                if (known) {
                    return new Report(Verdict.ALTERED, "the attestation was changed after it was signed", "", false,
                            true, recorded, computed, findings);
                }
            }
        }

        if (embedded.state().equals("invalid")) {
            findings.add(Embedded.INVALID_FINDING);
        }
        // proof.json whose bytes differ but whose content is the attested content: re-formatted, not altered
        boolean contentIntact = recorded.equals(computed) && !embedded.state().equals("invalid")
                && computed.equals(statement.path("predicate").path("proof_sha256").asText());
        boolean reformatted = false;
        List<String> notes = new ArrayList<>();

        // then the files against the statement's subjects
        for (JsonNode subj : statement.path("subject")) {
            String name = subj.path("name").asText();
            if (!name.equals(ProofStore.JSON) && !name.equals(ProofStore.HTML)) {
                continue;
            }
            Path f = dir.resolve(name);
            String want = subj.path("digest").path("sha256").asText("");
            if (!Files.isRegularFile(f)) {
                findings.add(name + ": missing");
                continue;
            }
            byte[] bytes = name.equals(ProofStore.JSON) ? json : Files.readAllBytes(f);
            String have = CanonicalJson.sha256(bytes);
            if (have.equals(want)) {
                continue;
            }
            if (name.equals(ProofStore.JSON) && contentIntact) {
                reformatted = true;
                notes.add("proof.json: re-formatted: its sha256 is " + have
                        + ", the attestation says " + want + ", but its content is the attested content (canonical "
                        + "hash " + computed + ")" + (embedded.state().equals("valid")
                                ? " and its signature by key " + embedded.fingerprint() + " is intact" : ""));
            } else {
                findings.add(name + ": sha256 is " + have + ", the attestation says " + want
                        + whatChanged(name, bytes, proof, statement));
            }
        }
        if (!recorded.equals(computed)) {
            findings.add("proof.json: field verification.hash is " + (recorded.isEmpty() ? "(none)" : recorded)
                    + " but the content hashes to " + computed);
        }
        // the git subjects must be the ones proof.json names
        for (JsonNode subj : statement.path("subject")) {
            String name = subj.path("name").asText();
            String field = name.equals("git:base_commit") ? "base_commit" : name.equals("git:end_snapshot_tree")
                    ? "end_tree" : "";
            if (!field.isEmpty()) {
                String want = subj.path("digest").elements().hasNext() ? subj.path("digest").elements().next().asText()
                        : "";
                String have = proof.path("files_changed").path(field).asText("");
                if (!want.equals(have)) {
                    findings.add("proof.json: field files_changed." + field + " is '" + have
                            + "', the attestation says '" + want + "'");
                }
            }
        }
        otherRun(dir, proof).ifPresent(findings::add);
        boolean altered = findings.stream().anyMatch(f -> !f.startsWith(FILE + ": signed by key"));
        findings.addAll(notes);
        if (altered) {
            return new Report(Verdict.ALTERED, "changed after it was written", fingerprint, trustedKey, true, recorded,
                    computed, findings, false, false);
        }
        String reformat = !reformatted ? "" : "; proof.json was re-formatted (bytes differ from the attested file), "
                + (embedded.state().equals("valid") ? "its content and signature are intact" : "its content is intact");
        if (!fingerprint.isEmpty() && trustedKey) {
            return new Report(Verdict.VERIFIED, "signed by key " + fingerprint + reformat, fingerprint, true, true,
                    recorded, computed, findings, false, reformatted);
        }
        if (!fingerprint.isEmpty()) {
            findings.add(FILE + ": signed by key " + fingerprint + " (the public key inside proof.json), which is "
                    + "neither this machine's nor given with --key: anyone could have made that key");
        }
        return new Report(Verdict.INTEGRITY_ONLY, (fingerprint.isEmpty() && (sigs.isEmpty() || !sigs.isArray())
                ? "unsigned: anyone can recompute it" : "not signed by a trusted key: anyone can recompute it")
                + reformat, fingerprint, false, true, recorded, computed, findings, false, reformatted);
    }

    /**
     * A proof without {@value #FILE}: its hash, the signature it carries and, since nothing
     * attests index.html, the page against the one proof.json renders. A proof written by a loki
     * that writes attestations ({@link #ATTESTATION_ERA_MARKER}) lost its attestation: ALTERED.
     */
    private static Report withoutEnvelope(Path dir, JsonNode proof, String recorded, String computed,
            List<PublicKey> trusted) throws IOException {
        List<String> findings = new ArrayList<>();
        boolean altered = false;
        Optional<String> otherRun = otherRun(dir, proof);
        if (otherRun.isPresent()) {
            findings.add(otherRun.get());
            altered = true;
        }
        if (!recorded.equals(computed)) {
            findings.add("proof.json: field verification.hash is " + recorded + " but the content hashes to "
                    + computed);
            altered = true;
        }
        Embedded sig = Embedded.of(proof, recorded);
        boolean trustedKey = sig.state().equals("valid") && trusted.contains(sig.key());
        if (sig.state().equals("invalid")) {
            findings.add(Embedded.INVALID_FINDING);
            altered = true;
        }
        boolean attestationEra = !proof.at(ATTESTATION_ERA_MARKER).isMissingNode();
        if (attestationEra) {
            findings.add(FILE + ": attestation missing: index.html cannot be checked (this proof was written with "
                    + "one: proof.json records redaction.env_values_masked, which only a loki that writes "
                    + "attestations records)");
            altered = true;
        } else {
            findings.add("no attestation (" + FILE + "): written before attestations, so nothing attests index.html;"
                    + " it is compared with the page proof.json renders");
        }
        Path page = dir.resolve(ProofStore.HTML);
        boolean pageMatches = false;
        if (!Files.isRegularFile(page)) {
            findings.add("index.html: missing");
            altered |= attestationEra;
        } else {
            String diff = pageDifference(proof, Files.readAllBytes(page));
            pageMatches = diff.isEmpty();
            if (pageMatches) {
                findings.add("index.html: matches the page proof.json renders");
            } else {
                findings.add("index.html: differs from the page proof.json renders" + diff
                        + (attestationEra ? "" : ": an older template, or an edit; nothing can tell which"));
            }
        }
        String fp = sig.state().equals("valid") ? sig.fingerprint() : "";
        if (altered) {
            return new Report(Verdict.ALTERED, "changed after it was written" + (fp.isEmpty() ? ""
                    : "; proof.json itself is signed by key " + fp + (trustedKey ? "" : ", not a trusted one")),
                    fp, trustedKey, false, recorded, computed, findings, !pageMatches, false);
        }
        if (!fp.isEmpty() && !trustedKey) {
            findings.add("proof.json: signed by key " + fp + " (the public key inside proof.json), which is neither "
                    + "this machine's nor given with --key: anyone could have made that key");
        }
        if (trustedKey && pageMatches) {
            return new Report(Verdict.VERIFIED, "signed by key " + fp, fp, true, false, recorded, computed, findings,
                    false, false);
        }
        String summary = !pageMatches ? "index.html is not covered by anything signed or hashed"
                : fp.isEmpty() ? "unsigned: anyone can recompute it"
                : "not signed by a trusted key: anyone can recompute it";
        return new Report(Verdict.INTEGRITY_ONLY, summary, fp, trustedKey, false, recorded, computed, findings,
                !pageMatches, false);
    }

    /**
     * A proof sits in the folder named by its run id; a proof.json naming another run was copied
     * there (its files, hash and attestation all match each other, and are the other run's).
     */
    private static Optional<String> otherRun(Path dir, JsonNode proof) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        String folder = name == null ? "" : name.toString();
        String runId = proof.path("run_id").asText("");
        if (folder.isEmpty() || runId.equals(folder)) {
            return Optional.empty();
        }
        return Optional.of("proof.json: this is the proof of run '" + runId + "', not of '" + folder
                + "' (its run_id is not the run whose folder it is in: copied from another run's proof?)");
    }

    /**
     * proof.json read once, strictly; only when the strict read refuses it (a key given twice, text
     * after the object: a proof that was edited) is it read again leniently, to say what it records.
     *
     * @param notOneObject why it is not exactly one JSON object with distinct keys, or empty when it is
     */
    record Parsed(JsonNode tree, Optional<String> notOneObject) {
        private static final com.fasterxml.jackson.databind.ObjectReader STRICT = Json.MAPPER.reader()
                .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .with(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

        /** Throws what the lenient read throws when even that cannot read it. */
        static Parsed of(byte[] json) throws IOException {
            String problem;
            try {
                return new Parsed(STRICT.readTree(json), Optional.empty());
            } catch (com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
                problem = "it holds more text after its JSON object";
            } catch (com.fasterxml.jackson.core.JsonParseException e) {
                String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
                problem = m.startsWith("Duplicate field") ? "a key appears twice in one object ("
                        + m.replace("Duplicate field ", "") + ")" : "it is not strict JSON (" + m + ")";
            } catch (IOException e) {
                problem = "it is not strict JSON (" + e.getMessage() + ")";
            }
            return new Parsed(Json.MAPPER.readTree(json), Optional.of(problem));
        }
    }

    /** Where {@code html} first differs from the page {@code proof} renders, or "" when it does not. */
    private static String pageDifference(JsonNode proof, byte[] html) {
        String expected;
        try {
            expected = ProofReport.render(proof);
        } catch (RuntimeException e) {
            return " (it cannot be rendered again: " + e.getMessage() + ")";
        }
        String actual = new String(html, StandardCharsets.UTF_8);
        if (expected.equals(actual)) {
            return "";
        }
        List<String> e = expected.lines().toList();
        List<String> a = actual.lines().toList();
        for (int i = 0; i < Math.max(e.size(), a.size()); i++) {
            String el = i < e.size() ? e.get(i).strip() : "";
            String al = i < a.size() ? a.get(i).strip() : "";
            if (!el.equals(al)) {
                return " (line " + (i + 1) + " reads '" + cut(al) + "' where proof.json renders '" + cut(el) + "')";
            }
        }
        return " (in whitespace only)";
    }

    /** Which field: the attested facts against proof.json's, or index.html against the page proof.json renders. */
    private static String whatChanged(String name, byte[] bytes, JsonNode proof, JsonNode statement) {
        if (name.equals(ProofStore.JSON)) {
            JsonNode attested = statement.path("predicate").path("facts");
            ObjectNode now = facts(proof);
            List<String> fields = new ArrayList<>();
            attested.fieldNames().forEachRemaining(f -> {
                if (!Objects.equals(attested.get(f), now.get(f))) {
                    fields.add(f + " '" + text(attested.get(f)) + "' -> '" + text(now.get(f)) + "'");
                }
            });
            return fields.isEmpty() ? " (no attested fact differs: a field outside the facts, or the formatting)"
                    : " (field " + String.join(", ", fields) + ")";
        }
        String diff = pageDifference(proof, bytes);
        return diff.startsWith(" (line") ? diff : "";
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? "null" : n.asText();
    }

    private static String cut(String s) {
        return s.length() > 120 ? s.substring(0, 117) + "..." : s;
    }
}
