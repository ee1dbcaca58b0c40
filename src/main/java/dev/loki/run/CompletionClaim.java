package dev.loki.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.provider.CaptureText;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import dev.loki.store.Signals;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The agent's "I am done": {@code signals/TASK_COMPLETION_CLAIMED} (JSON from the
 * loki_complete_task tool; an empty file is noise) or {@code signals/COMPLETION_REQUESTED}
 * (may be empty: {@code touch}). A claim is consumed when read, accepted or not.
 */
public record CompletionClaim(String statement, String confidence, String source) {

    public static Optional<CompletionClaim> consume(LokiDir dir, String promise, boolean legacyMatch,
            Path capture) throws IOException {
        Signals s = new Signals(dir);
        Optional<CompletionClaim> claim = Optional.empty();
        if (s.isSet(Signals.TASK_COMPLETION_CLAIMED)) {
            String text = s.read(Signals.TASK_COMPLETION_CLAIMED).orElse("").strip();
            s.clear(Signals.TASK_COMPLETION_CLAIMED);
            if (!text.isEmpty()) {
                claim = Optional.of(fromPayload(text));
            }
        }
        if (s.isSet(Signals.COMPLETION_REQUESTED)) {
            String text = s.read(Signals.COMPLETION_REQUESTED).orElse("").strip();
            s.clear(Signals.COMPLETION_REQUESTED);
            if (claim.isEmpty()) {
                claim = Optional.of(new CompletionClaim(text.isEmpty() ? RunSettings.DEFAULT_PROMISE : text,
                        "medium", "COMPLETION_REQUESTED"));
            }
        }
        if (claim.isEmpty() && legacyMatch && !promise.isEmpty() && capture != null) {
            String tail = CaptureText.tail(capture, 64 * 1024);
            if (tail.contains("COMPLETION PROMISE FULFILLED") || tail.contains(promise)) {
                claim = Optional.of(new CompletionClaim(promise, "medium", "output text"));
            }
        }
        claim.ifPresent(c -> {
            ObjectNode ev = Json.object();
            ev.put("statement", c.statement());
            ev.put("confidence", c.confidence());
            ev.put("source", c.source());
            dir.events().append("task_completion_claim", ev);
        });
        return claim;
    }

    private static CompletionClaim fromPayload(String text) {
        try {
            JsonNode n = Json.parse(text);
            if (n.isObject()) {
                return new CompletionClaim(n.path("statement").asText(RunSettings.DEFAULT_PROMISE),
                        n.path("confidence").asText("medium"), "TASK_COMPLETION_CLAIMED");
            }
        } catch (IOException e) {
            // not JSON: the text itself is the statement
        }
        return new CompletionClaim(text, "medium", "TASK_COMPLETION_CLAIMED");
    }
}
