package dev.loki.proof;

import dev.loki.checkpoint.Checkpoint;
import dev.loki.checkpoint.CheckpointRequest;
import dev.loki.checkpoint.CheckpointService;
import dev.loki.cli.Main;
import dev.loki.store.LokiDir;
import dev.loki.store.RunRecord;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real run's recorded files in a temporary repository: a run record with a base snapshot taken
 * at the start, code changed afterwards (committed, uncommitted, deleted, untracked), one
 * iteration checkpoint, and the gate, council, efficiency, queue and audit files the other parts
 * of loki write, in upstream's shapes.
 */
final class RunFixture {
    static final String RUN_ID = "run-20261202-010000-ab12";
    static final String TOKEN = "ghp_" + "F4ke".repeat(9);

    final TestRepo repo;
    final LokiDir dir;
    final RunRecord run;
    final Checkpoint iterationCheckpoint;

    private RunFixture(TestRepo repo, LokiDir dir, RunRecord run, Checkpoint cp) {
        this.repo = repo;
        this.dir = dir;
        this.run = run;
        this.iterationCheckpoint = cp;
    }

    static RunFixture create(Path tmp) {
        TestRepo repo = TestRepo.create(tmp);
        repo.write("src/app.txt", "one\ntwo\nthree\n").write("src/old.txt", "going away\n")
                .write("prd.md", "# Todo app\nBuild it. Deploy with GITHUB_TOKEN=" + TOKEN + " from "
                        + repo.env().get("HOME") + "/secrets\n")
                .commitAll("before the run");
        Map<String, String> env = repo.env();
        LokiDir dir = LokiDir.locate(Optional.empty(), env, repo.dir()).ensureExists();
        CheckpointService cps = CheckpointService.open(dir, env);
        Instant start = Instant.now().minusSeconds(1);
        Checkpoint base = cps.create(CheckpointRequest.manual("run start"));

        // what the agent did during the run
        repo.write("src/app.txt", "one\n2\nthree\nfour\n").commitAll("agent: edit app");
        repo.delete("src/old.txt");
        repo.write("src/new.txt", "brand new\nfile\n");
        repo.write("config.env", "API_TOKEN=" + TOKEN + "\n");
        Checkpoint cp = cps.create(CheckpointRequest.iteration(1, "task-1", "edit the app", "claude"));

        RunRecord run = new RunRecord(RUN_ID, start.toString(), Instant.now().plusSeconds(1).toString(), "completed",
                "claude", "prd.md", base.gitSha(), base.snapshotCommit().orElseThrow(), 2, 10, List.of(cp.id()),
                "council_approved");
        try {
            run.save(dir);
            write(dir, "quality/latest.json", "{\"iteration\": 2, \"passed\": false, \"results\": ["
                    + "{\"name\": \"tests\", \"status\": \"pass\", \"summary\": \"12 passed\", \"duration_ms\": 1200},"
                    + "{\"name\": \"lint\", \"status\": \"fail\", \"summary\": \"2 warnings\", \"duration_ms\": 300}],"
                    + " \"code_review_blocked\": false, \"timestamp\": \"2026-12-02T01:00:05Z\"}");
            write(dir, "state/quality-gates.json", "{\"passed\": 1, \"total\": 2, \"gates\": []}");
            write(dir, "council/state.json", "{\"initialized\": true, \"enabled\": true, \"verdicts\": ["
                    + "{\"iteration\": 2, \"timestamp\": \"2026-12-02T01:00:06Z\", \"approve\": 2, \"reject\": 1,"
                    + " \"result\": \"APPROVED\"}]}");
            write(dir, "council/votes/round-2.json", "{\"round\": 2, \"complete_votes\": 2, \"continue_votes\": 1,"
                    + " \"total_members\": 3, \"threshold\": 2, \"verdict\": \"COMPLETE\", \"votes\": ["
                    + "{\"member\": 1, \"role\": \"requirements_verifier\", \"vote\": \"COMPLETE\", \"reason\": \"all met\"},"
                    + "{\"member\": 2, \"role\": \"test_auditor\", \"vote\": \"COMPLETE\", \"reason\": \"tests pass\"},"
                    + "{\"member\": 3, \"role\": \"devils_advocate\", \"vote\": \"CONTINUE\", \"reason\": \"lint\"}]}");
            write(dir, "metrics/efficiency/iteration-1.json", "{\"iteration\": 1, \"model\": \"opus\", \"status\": \"failed\", "
                    + "\"provider\": \"claude\", \"input_tokens\": 1200, \"output_tokens\": 800, "
                    + "\"cache_read_tokens\": 10, \"cache_creation_tokens\": 5, \"cost_usd\": 0.5}");
            write(dir, "metrics/efficiency/iteration-3.json", "{\"iteration\": 3, \"model\": \"opus\", \"status\": \"completed\", "
                    + "\"provider\": \"claude\", \"input_tokens\": 0, \"output_tokens\": 0, \"cost_usd\": 0}");
            write(dir, "metrics/efficiency/iteration-2.json", "{\"iteration\": 2, \"model\": \"opus\", \"status\": \"completed\", "
                    + "\"provider\": \"claude\", \"input_tokens\": 300, \"output_tokens\": 200, \"cost_usd\": 1.34}");
            write(dir, "queue/completed.json", "[{\"id\": \"iteration-1\"}, {\"id\": \"iteration-2\"}]");
            write(dir, "queue/failed.json", "{\"tasks\": [{\"id\": \"iteration-0\"}]}");
            write(dir, "audit/audit-2026-12-01.jsonl", "{\"action\": \"login\", \"hash\": \"aaa111\"}\n");
            // not a file the audit log writes (a name sorted after the chain's): never the quoted head
            write(dir, "audit/zz-planted.jsonl", "{\"action\": \"forged\", \"hash\": \"fff999\"}\n");
            write(dir, "audit/audit-2026-12-02.jsonl", "{\"action\": \"pause\", \"hash\": \"bbb222\"}\n"
                    + "{\"action\": \"rollback\", \"hash\": \"ccc333\"}\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RunFixture(repo, dir, run, cp);
    }

    private static void write(LokiDir dir, String rel, String text) throws IOException {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    Path proofDir() {
        return dir.resolve("proofs").resolve(RUN_ID);
    }

    Loki.Result loki(String... args) {
        return Loki.run(repo, args);
    }

    Loki.Result loki(Map<String, String> env, String... args) {
        return Loki.run(repo.dir(), env, args);
    }

    /** The real entry point with something typed on stdin (the share prompt). */
    Loki.Result lokiWithInput(Map<String, String> env, String input, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), o, e, env,
                    repo.dir(), args);
        }
        return new Loki.Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
