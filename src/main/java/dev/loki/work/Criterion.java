package dev.loki.work;

/** One acceptance criterion of an issue; {@code done} when its checkbox was ticked. */
public record Criterion(String text, boolean done) {
}
