package dev.loki.proof;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two keygens at once: one key is made, the other is refused, and no key replaces another. */
class ProofKeygenRaceTest {
    @TempDir
    Path tmp;

    @Test
    void keygens_at_once_make_one_key_and_refuse_the_rest() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 15; round++) {
                Map<String, String> env = Map.of("HOME", tmp.resolve("home" + round).toString());
                CountDownLatch go = new CountDownLatch(1);
                List<Future<String>> all = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    all.add(pool.submit(() -> {
                        go.await();
                        try {
                            return ProofSigner.forEnv(env).generate();
                        } catch (java.io.IOException e) {
                            assertThat(e.getMessage()).contains("already exists");
                            return null;
                        }
                    }));
                }
                go.countDown();
                List<String> made = new ArrayList<>();
                for (Future<String> f : all) {
                    String pub = f.get();
                    if (pub != null) {
                        made.add(pub);
                    }
                }
                assertThat(made).as("round %d: exactly one keygen made the key", round).hasSize(1);
                ProofSigner s = ProofSigner.forEnv(env);
                assertThat(Files.readString(s.publicKeyFile()).strip()).isEqualTo(made.get(0));
                try (var files = Files.list(s.privateKeyFile().getParent())) {
                    assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp"));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
