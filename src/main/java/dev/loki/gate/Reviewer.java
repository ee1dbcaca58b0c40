package dev.loki.gate;

import java.io.IOException;
import java.time.Duration;

/**
 * Sends one prompt to the coding agent and returns its plain-text answer. The loop adapts its
 * provider to this; tests pass a lambda or a fake-CLI-backed implementation.
 */
@FunctionalInterface
public interface Reviewer {
    String ask(String prompt, Duration timeout) throws IOException, InterruptedException;

    /**
     * The same reviewer asking as a council member: a command provider sees {@code LOKI_CALL=council}
     * instead of {@code review}, so a scripted agent can tell a vote from a code review.
     */
    default Reviewer asCouncil() {
        return this;
    }
}
