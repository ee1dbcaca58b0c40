package dev.loki.run;

import java.util.Locale;

/** {@code LOKI_AUTONOMY_MODE}: perpetual (never claims done), checkpoint, or supervised. */
public enum AutonomyMode {
    PERPETUAL, CHECKPOINT, SUPERVISED;

    public static AutonomyMode parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT).strip()) {
            case "checkpoint" -> CHECKPOINT;
            case "supervised" -> SUPERVISED;
            default -> PERPETUAL;
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
