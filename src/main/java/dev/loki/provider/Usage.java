package dev.loki.provider;

import java.util.Optional;

/**
 * What a provider reported about one call's consumption. {@code costUsd} is empty when the
 * provider reported no cost (the budget then prices the tokens).
 */
public record Usage(String model, long inputTokens, long outputTokens, long cacheReadTokens,
        long cacheCreationTokens, Optional<Double> costUsd) {

    public static Usage none(String model) {
        return new Usage(model, 0, 0, 0, 0, Optional.empty());
    }

    public boolean reported() {
        return costUsd.isPresent() || inputTokens > 0 || outputTokens > 0;
    }

    /** Spend in USD: the provider's own figure, else tokens at per-million list prices. */
    public double cost() {
        return costUsd.orElseGet(() -> Pricing.of(model).cost(inputTokens, outputTokens));
    }
}
