package dev.loki.proof;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a proof generation did.
 *
 * @param written  whether proof.json and index.html were written
 * @param dir      the proof's directory, when written
 * @param warnings why nothing was written, or what the proof could not include
 */
public record ProofResult(boolean written, String runId, Optional<Path> dir, String hash, int secretsRedacted,
        boolean shareable, List<String> warnings) {

    public ProofResult {
        warnings = List.copyOf(warnings);
    }

    static ProofResult notWritten(String runId, String why) {
        return new ProofResult(false, runId, Optional.empty(), "", 0, false, List.of(why));
    }
}
