package dev.loki.council;

import java.util.List;

/** verdict: APPROVE (work is done: stop with success), CONTINUE, FORCE_STOP (a safety valve). */
public record CouncilDecision(Verdict verdict, List<Vote> votes, String reason) {
    public enum Verdict { APPROVE, CONTINUE, FORCE_STOP }

    public CouncilDecision {
        votes = List.copyOf(votes);
        reason = reason == null ? "" : reason;
    }
}
