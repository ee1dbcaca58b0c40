package dev.loki.provider;

import java.util.Locale;

/** Per-million-token list prices upstream uses to price tokens when no cost is reported. */
public record Pricing(double inputPerMillion, double outputPerMillion) {

    /** opus 5/25, sonnet 3/15, haiku 1/5, gpt-5.3-codex 1.5/12; anything else is priced as sonnet. */
    public static Pricing of(String model) {
        String m = model == null ? "" : model.toLowerCase(Locale.ROOT);
        if (m.contains("opus")) {
            return new Pricing(5, 25);
        }
        if (m.contains("haiku")) {
            return new Pricing(1, 5);
        }
        if (m.contains("codex") || m.startsWith("gpt-")) {
            return new Pricing(1.5, 12);
        }
        return new Pricing(3, 15);
    }

    public double cost(long input, long output) {
        return input / 1_000_000.0 * inputPerMillion + output / 1_000_000.0 * outputPerMillion;
    }
}
