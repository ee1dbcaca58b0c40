package dev.loki.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.store.Json;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The values of the environment's secret-named variables are masked before a memory is stored,
 * as in a proof: an agent that echoed DB_PASSWORD does not teach the index (or later prompts) it.
 */
class MemoryEnvSecretsTest {
    private static final String VALUE = "plain-Value-9f3k2m7q";

    @TempDir
    Path base;

    @Test
    void an_environment_secret_in_an_episode_never_reaches_the_index_files() throws Exception {
        Path dir = base.resolve("index");
        try (MemoryStore s = MemoryStore.at(dir, Map.of("DB_PASSWORD", VALUE))) {
            Memory m = new Memory("", Memory.EPISODE, "Connected", "the agent printed " + VALUE + " zebracorn4711",
                    "task", "success", "run-1", Instant.now(), List.of(), List.of(), 0, "test");
            String id = s.add(m).id();
            assertThat(Json.compact(s.get(id).orElseThrow().toJson())).contains("zebracorn4711").doesNotContain(VALUE);
            assertThat(s.search(VALUE, 5, Optional.empty())).isEmpty();
        }
        assertThat(Runs.bytesContain(dir, "zebracorn4711")).as("the scan finds stored text").isTrue();
        assertThat(Runs.bytesContain(dir, VALUE)).isFalse();
        assertThat(Runs.bytesContain(dir, VALUE.toLowerCase(java.util.Locale.ROOT))).isFalse();
    }
}
