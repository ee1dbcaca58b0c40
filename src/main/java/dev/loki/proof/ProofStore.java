package dev.loki.proof;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.Ids;
import dev.loki.store.AtomicFiles;
import dev.loki.store.FileLocks;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The proofs of a project: {@code .loki/proofs/<run_id>/{proof.json,index.html,publish-log.jsonl}}.
 * Ids are checked before they reach the file system and must resolve inside {@code proofs/}.
 */
public final class ProofStore {
    public static final String JSON = "proof.json";
    public static final String HTML = "index.html";
    public static final String PUBLISH_LOG = "publish-log.jsonl";

    private final Path root;

    public ProofStore(LokiDir dir) {
        this.root = dir.resolve("proofs");
    }

    public Path root() {
        return root;
    }

    /** The proof's directory; throws a usage error for an unsafe id. */
    public Path dirOf(String id) {
        return Ids.resolveInside(root, id, "proof");
    }

    /** One proof on disk: its id and its parsed JSON (empty when unreadable). */
    public record Entry(String id, Optional<JsonNode> proof, boolean hasHtml) {
    }

    /** Every proof, sorted by id (upstream's order). */
    public List<Entry> list() {
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            s.filter(Files::isDirectory).filter(p -> Ids.isSafe(p.getFileName().toString()))
                    .filter(p -> Files.isRegularFile(p.resolve(JSON))).forEach(dirs::add);
        } catch (IOException e) {
            return out;
        }
        dirs.sort(null);
        for (Path d : dirs) {
            out.add(new Entry(d.getFileName().toString(), parse(d.resolve(JSON)), Files.isRegularFile(d.resolve(HTML))));
        }
        return out;
    }

    /**
     * The proof's JSON. Read directly, not through the tolerant store reader: a proof that does
     * not parse is reported as such, never quarantined or repaired.
     */
    public Optional<JsonNode> read(String id) {
        return parse(dirOf(id).resolve(JSON));
    }

    public boolean exists(String id) {
        return Files.isRegularFile(dirOf(id).resolve(JSON));
    }

    private static Optional<JsonNode> parse(Path file) {
        try {
            JsonNode n = Json.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
            return n != null && n.isObject() ? Optional.of(n) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    void write(String id, ObjectNode proof, String html) throws IOException {
        refuseLinks(id);
        Path d = Files.createDirectories(dirOf(id));
        AtomicFiles.writeString(d.resolve(HTML), html);
        AtomicFiles.writeString(d.resolve(JSON), Json.pretty(proof) + "\n");
    }

    /**
     * Refuses a proof folder (or {@code proofs/} itself) that is a symbolic link: the proof's files
     * would be written wherever it points, outside {@code .loki} (an agent can plant one before the
     * run ends and have the proof overwrite an {@code index.html} elsewhere).
     */
    private void refuseLinks(String id) throws IOException {
        for (Path p : List.of(root, dirOf(id))) {
            if (Files.isSymbolicLink(p)) {
                throw new IOException(p + " is a symbolic link; refusing to write the proof through it (remove the"
                        + " link and run 'loki proof generate --run-id " + id + "')");
            }
        }
    }

    /**
     * Records where a proof was published: {@code deployment.public_url} (then the hash, and the
     * signature if there was one, are computed again) and a line in the proof's publish log. A proof
     * signed by a key {@code signer} does not hold is left as it is (its URL goes into the publish log
     * only): re-sealing it would drop its signature, or replace it with this machine's.
     *
     * @return a note for the user when proof.json was left as it is, else empty
     */
    public Optional<String> recordPublished(String id, String target, String endpoint, String url,
            ProofSigner signer) throws IOException {
        refuseLinks(id);
        Path d = dirOf(id);
        Optional<String> note = Optional.empty();
        try (FileLocks.Held lock = FileLocks.lockFor(d.resolve(JSON), Duration.ofSeconds(30))) {
            Optional<JsonNode> proof = parse(d.resolve(JSON));
            JsonNode sig = proof.map(p -> p.path("verification").path("signature")).orElse(Json.MAPPER.nullNode());
            String signedBy = sig.path("public_key").asText("");
            boolean foreignKey = sig.isObject() && !signer.localPublicKey().map(signedBy::equals).orElse(false);
            if (foreignKey && !url.isEmpty()) {
                note = Optional.of("proof.json is signed by key " + ProofSigner.parsePublicKey(signedBy)
                        .map(ProofSigner::fingerprint).orElse("(unreadable)") + ", which this machine does not hold:"
                        + " it is left as it is, signature intact; the URL is recorded in " + PUBLISH_LOG + " only");
            }
            // a legacy proof is the user's file and has no hash to renew: only the publish log records it
            if (proof.isPresent() && !url.isEmpty() && !SharePolicy.isLegacy(proof.get()) && !foreignKey) {
                ObjectNode p = (ObjectNode) proof.get();
                JsonNode dep = p.path("deployment");
                ObjectNode deployment = dep.isObject() ? (ObjectNode) dep : p.putObject("deployment");
                deployment.put("public_url", url);
                boolean wasSigned = p.path("verification").path("signature").isObject();
                try {
                    Verification.seal(p, wasSigned ? signer : ProofSigner.none());
                } catch (GeneralSecurityException e) {
                    throw new IOException("could not sign the proof again: " + e.getMessage(), e);
                }
                AtomicFiles.writeString(d.resolve(JSON), Json.pretty(p) + "\n");
                if (Files.isRegularFile(d.resolve(Attestation.FILE)) && Files.isRegularFile(d.resolve(HTML))) {
                    try {
                        Attestation.write(d, wasSigned ? signer : ProofSigner.none());
                    } catch (GeneralSecurityException e) {
                        throw new IOException("could not sign the attestation again: " + e.getMessage(), e);
                    }
                }
            }
            ObjectNode line = Json.object();
            line.put("timestamp", Instant.now().toString());
            line.put("target", target);
            line.put("endpoint", endpoint);
            if (url.isEmpty()) {
                line.putNull("url");
            } else {
                line.put("url", url);
            }
            AtomicFiles.append(d.resolve(PUBLISH_LOG), (Json.compact(line) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return note;
    }
}
