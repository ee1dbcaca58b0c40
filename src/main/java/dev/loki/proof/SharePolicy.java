package dev.loki.proof;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a proof may leave the machine. Both share paths (gist and hosted) ask the same
 * question: the redaction must be confirmed (strictly {@code applied: true}), the proof must be
 * unaltered since it was written, the second scan must have been clean, and the payload about
 * to be sent is scanned once more.
 */
public final class SharePolicy {
    private SharePolicy() {
    }

    public static final String LEGACY_MARK = "unverified (no integrity hash)";

    /**
     * A proof with no {@code verification} block: written by upstream or by hand. It can be
     * listed, shown and shared after the second scan, always marked {@value #LEGACY_MARK}.
     */
    public static boolean isLegacy(JsonNode proof) {
        return proof.path("verification").path("hash").asText("").isEmpty();
    }

    /**
     * Why the proof must not be shared, or empty when it may be; the scans also look for the
     * literal values of {@code env}'s secret-named variables.
     */
    public static Optional<String> refusal(Optional<JsonNode> proof, byte[] payload, Map<String, String> env) {
        Redactor scanner = Redactor.secretsOnly(env);
        if (proof.isPresent() && isLegacy(proof.get())) {
            return legacyRefusal(proof.get(), payload, scanner);
        }
        if (proof.isEmpty()) {
            return Optional.of("Refusing to publish: proof.json is missing or unreadable, so its redaction "
                    + "cannot be confirmed. Regenerate it with 'loki proof generate'.");
        }
        JsonNode p = proof.get();
        JsonNode red = p.path("redaction");
        if (!red.path("applied").isBoolean() || !red.path("applied").booleanValue()) {
            return Optional.of("Refusing to publish: proof redaction was not confirmed applied. "
                    + "Regenerate the proof with 'loki proof generate' so the redactor runs, then retry.");
        }
        if (red.path("second_scan").isObject() && !red.path("second_scan").path("clean").asBoolean(false)) {
            return Optional.of("Refusing to publish: the scan after redaction found secret-shaped text ("
                    + String.join(", ", texts(red.path("second_scan").path("findings")))
                    + "). Remove it from the run's files and regenerate the proof.");
        }
        if (!Verification.hashOf(p).equals(p.path("verification").path("hash").asText(""))) {
            return Optional.of("Refusing to publish: the proof was altered after it was written (its hash does "
                    + "not match). Regenerate it with 'loki proof generate'.");
        }
        List<String> survivors = scanner.survivorsIn(new String(payload, java.nio.charset.StandardCharsets.UTF_8));
        if (!survivors.isEmpty()) {
            return Optional.of("Refusing to publish: the page to be shared contains secret-shaped text ("
                    + String.join(", ", survivors) + ").");
        }
        return Optional.empty();
    }

    /**
     * A legacy proof carries no hash to check and may carry no redaction record: the second scan,
     * over proof.json and the payload, is what decides. A proof that says it was not redacted is refused.
     */
    private static Optional<String> legacyRefusal(JsonNode p, byte[] payload, Redactor scanner) {
        JsonNode applied = p.path("redaction").path("applied");
        if (applied.isBoolean() && !applied.booleanValue()) {
            return Optional.of("Refusing to publish: this legacy proof says its redaction was not applied "
                    + "(redaction.applied=false). Regenerate it with 'loki proof generate'.");
        }
        List<String> found = new java.util.ArrayList<>(scanner.survivorsIn(dev.loki.store.Json.pretty(p)));
        scanner.survivorsIn(new String(payload, java.nio.charset.StandardCharsets.UTF_8)).stream()
                .filter(f -> !found.contains(f)).forEach(found::add);
        if (!found.isEmpty()) {
            return Optional.of("Refusing to publish: the scan of this legacy proof found secret-shaped text ("
                    + String.join(", ", found) + "). Remove it from the proof and retry.");
        }
        return Optional.empty();
    }

    private static List<String> texts(JsonNode arr) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }
}
