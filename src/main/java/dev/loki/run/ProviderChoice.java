package dev.loki.run;

import dev.loki.store.LokiDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;

/**
 * Which provider a run uses and why: {@code --provider}, else {@code LOKI_PROVIDER} (the
 * environment, or config.yaml's {@code provider}), else the one saved by {@code loki provider
 * set} in {@code state/provider}, else claude.
 */
public record ProviderChoice(String name, String source) {
    public static final String SAVED = "state/provider";

    public static ProviderChoice resolve(Optional<String> flag, Map<String, String> env, LokiDir dir) {
        if (flag.isPresent() && !flag.get().isBlank()) {
            return new ProviderChoice(flag.get().strip(), "cli");
        }
        String fromEnv = env.get("LOKI_PROVIDER");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new ProviderChoice(fromEnv.strip(), "env");
        }
        Optional<String> saved = saved(dir);
        if (saved.isPresent()) {
            return new ProviderChoice(saved.get(), "saved");
        }
        return new ProviderChoice("claude", "default");
    }

    public static Optional<String> saved(LokiDir dir) {
        try {
            String s = Files.readString(dir.resolve(SAVED), StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? Optional.empty() : Optional.of(s.lines().findFirst().orElse(s));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public static void save(LokiDir dir, String name) throws IOException {
        dev.loki.store.AtomicFiles.writeString(dir.resolve(SAVED), name + "\n");
    }
}
