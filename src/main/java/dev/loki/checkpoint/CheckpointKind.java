package dev.loki.checkpoint;

import java.util.Locale;

/** Why a checkpoint was taken; upstream's id prefixes map onto these. */
public enum CheckpointKind {
    ITERATION("iteration"),
    MANUAL("manual"),
    DASHBOARD("dashboard"),
    PRE_ROLLBACK("pre-rollback"),
    SESSION_END("session-end");

    private final String label;

    CheckpointKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static CheckpointKind fromLabel(String label) {
        for (CheckpointKind k : values()) {
            if (k.label.equals(label)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown checkpoint kind: " + label);
    }

    /** Guesses the kind of a checkpoint written by upstream, from its id. */
    static CheckpointKind fromLegacyId(String id) {
        String lower = id.toLowerCase(Locale.ROOT);
        if (lower.startsWith("rb-pre-")) {
            return PRE_ROLLBACK;
        }
        if (lower.startsWith("chk-")) {
            return DASHBOARD;
        }
        if (lower.matches("cp-\\d{8}-\\d{6}.*")) {
            return MANUAL;
        }
        return ITERATION;
    }
}
