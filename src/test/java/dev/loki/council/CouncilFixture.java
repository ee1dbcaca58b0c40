package dev.loki.council;

import dev.loki.gate.GateReport;
import dev.loki.gate.Reviewer;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import dev.loki.testing.TestRepo;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** A temporary git repo with .loki, and a council run against it with scripted member answers. */
final class CouncilFixture {
    static final String APPROVE = "VOTE: APPROVE\nREASON: all requirements met\nISSUES: none\n";
    static final String REJECT = "VOTE: REJECT\nREASON: login is missing\nISSUES:\n- HIGH: no login page\n";

    final TestRepo repo;
    final LokiDir loki;
    final Map<String, String> env;
    final List<String> prompts = new CopyOnWriteArrayList<>();

    CouncilFixture(Path tmp) {
        repo = TestRepo.create(tmp);
        loki = new LokiDir(repo.dir().resolve(".loki"), repo.dir()).ensureExists();
        env = repo.env();
    }

    CouncilFixture set(String k, String v) {
        env.put(k, v);
        return this;
    }

    CompletionCouncil council() {
        return CompletionCouncil.fromEnv(env);
    }

    CouncilDecision evaluate(int iteration, Reviewer reviewer) {
        return evaluate(iteration, reviewer, Optional.empty());
    }

    CouncilDecision evaluate(int iteration, Reviewer reviewer, Optional<GateReport> gates) {
        Reviewer recording = (p, t) -> {
            prompts.add(p);
            return reviewer.ask(p, t);
        };
        return council().evaluate(new CouncilContext(loki, repo.dir(), iteration, 10, "# Spec\nBuild a login page.\n",
                gates, recording, env));
    }

    /** Answers by role: the member prompt names its role; the contrarian prompt starts with its check. */
    static Reviewer byRole(String verifier, String auditor, String convergence, String contrarian) {
        return (p, t) -> {
            if (p.startsWith("ANTI-SYCOPHANCY CHECK")) {
                return contrarian;
            }
            if (p.contains("the requirements-verifier.")) {
                return verifier;
            }
            if (p.contains("the test-auditor.")) {
                return auditor;
            }
            return convergence;
        };
    }

    long contrarianCalls() {
        return prompts.stream().filter(p -> p.startsWith("ANTI-SYCOPHANCY CHECK")).count();
    }

    JsonNode json(String rel) {
        try {
            return Json.parse(Files.readString(loki.resolve(rel)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    Path transcript() {
        try (var s = Files.list(loki.resolve("council/transcripts"))) {
            return s.sorted().reduce((a, b) -> b).orElseThrow();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
