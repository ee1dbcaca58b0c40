package dev.loki.proof;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.Optional;

/**
 * The proof's {@code verification} block: a sha256 over the canonical JSON of everything else
 * (upstream's scope "integrity"), and, when a key exists, an Ed25519 signature of that hash.
 */
public final class Verification {
    /**
     * What {@code loki proof verify} found.
     *
     * @param signature {@code none}, {@code valid} or {@code invalid}
     */
    public record Check(boolean hashOk, String recorded, String computed, String signature, boolean signedLocally) {
        /** Unaltered, and no signature that fails. */
        public boolean ok() {
            return hashOk && !"invalid".equals(signature);
        }
    }

    private Verification() {
    }

    public static String hashOf(JsonNode proof) {
        ObjectNode copy = proof.deepCopy();
        copy.remove("verification");
        return CanonicalJson.sha256(CanonicalJson.write(copy));
    }

    /** Sets {@code verification} on {@code proof}, signing with {@code signer} when it has a key. */
    static void seal(ObjectNode proof, ProofSigner signer) throws IOException, GeneralSecurityException {
        String hash = hashOf(proof);
        ObjectNode v = proof.putObject("verification");
        v.put("hash", hash);
        v.put("algo", "sha256");
        v.put("scope", "integrity");
        Optional<String[]> sig = signer.sign(hash);
        if (sig.isPresent()) {
            ObjectNode s = v.putObject("signature");
            s.put("algo", ProofSigner.ALGO);
            s.put("value", sig.get()[0]);
            s.put("public_key", sig.get()[1]);
        }
    }

    public static Check check(JsonNode proof, ProofSigner signer) {
        String recorded = proof.path("verification").path("hash").asText("");
        String computed = hashOf(proof);
        JsonNode sig = proof.path("verification").path("signature");
        String state = "none";
        boolean local = false;
        if (sig.isObject()) {
            String pub = sig.path("public_key").asText("");
            boolean valid = ProofSigner.verify(recorded, sig.path("value").asText(""), pub);
            state = valid && recorded.equals(computed) ? "valid" : "invalid";
            local = signer.localPublicKey().map(pub::equals).orElse(false);
        }
        return new Check(!recorded.isEmpty() && recorded.equals(computed), recorded, computed, state, local);
    }
}
