package dev.loki.gate;

import dev.loki.store.LokiDir;
import dev.loki.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A temporary git repo, its .loki and an environment, for running the real gates. */
final class GateFixture {
    final TestRepo repo;
    final LokiDir loki;
    final Map<String, String> env;
    /** Every prompt the scripted reviewer was asked. */
    final List<String> prompts = new CopyOnWriteArrayList<>();

    GateFixture(Path tmp) {
        repo = TestRepo.create(tmp);
        loki = new LokiDir(repo.dir().resolve(".loki"), repo.dir()).ensureExists();
        env = repo.env();
    }

    GateFixture set(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Only the named gate(s) run; the others are switched off with their upstream switches. */
    GateFixture only(String gate) {
        set("PHASE_STATIC_ANALYSIS", String.valueOf(gate.equals(StaticAnalysis.NAME)));
        set("LOKI_PHASE_UNIT_TESTS", String.valueOf(gate.equals(TestGate.NAME)));
        set("LOKI_PHASE_CODE_REVIEW", String.valueOf(gate.equals(CodeReview.NAME)));
        return this;
    }

    GateReport run(int iteration, Reviewer reviewer) {
        Reviewer recording = (prompt, timeout) -> {
            prompts.add(prompt);
            return reviewer.ask(prompt, timeout);
        };
        return QualityGates.fromEnv(env).run(new GateContext(loki, repo.dir(), iteration, repo.head(), recording, env));
    }

    GateReport run(int iteration) {
        return run(iteration, (p, t) -> "VERDICT: PASS\n");
    }

    Path quality(String rel) {
        return loki.resolve("quality").resolve(rel);
    }

    String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static GateResult result(GateReport r, String name) {
        return r.results().stream().filter(g -> g.name().equals(name)).findFirst().orElseThrow();
    }
}
