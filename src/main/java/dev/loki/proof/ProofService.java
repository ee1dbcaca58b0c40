package dev.loki.proof;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.Ids;
import dev.loki.checkpoint.Checkpoint;
import dev.loki.checkpoint.CheckpointService;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import dev.loki.store.RunRecord;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Writes the proof of one run: {@code .loki/proofs/<run_id>/proof.json} and {@code index.html}.
 * The run is named by its id (fixed when it started), never "whatever ran last". Everything is
 * redacted once before it is serialised; a second scan of the output marks the proof unshareable
 * if anything secret-shaped survived. Ordinary failures come back as warnings, never thrown.
 */
public final class ProofService {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProofService.class);

    private ProofService() {
    }

    /**
     * The end-of-run proof the loop writes after every run (success, failure or stop);
     * {@code LOKI_PROOF=0} turns it off.
     */
    public static ProofResult generate(LokiDir dir, Map<String, String> env, String runId, boolean includeDiffs) {
        if ("0".equals(env.get("LOKI_PROOF"))) {
            return ProofResult.notWritten(runId, "proof generation is off (LOKI_PROOF=0)");
        }
        return generateNow(dir, env, runId, includeDiffs);
    }

    /** A proof asked for by hand ({@code loki proof generate}); an empty id means the current run. */
    public static ProofResult generateNow(LokiDir dir, Map<String, String> env, String runId, boolean includeDiffs) {
        try {
            return build(dir, env, runId, includeDiffs);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            LOG.debug("proof generation failed", e);
            return ProofResult.notWritten(runId, "proof-of-run generation failed: " + e.getMessage());
        }
    }

    private static ProofResult build(LokiDir dir, Map<String, String> env, String requested, boolean includeDiffs)
            throws IOException, GeneralSecurityException {
        if (!requested.isEmpty() && !Ids.isSafe(requested)) {
            return ProofResult.notWritten(requested, "invalid run id '" + requested
                    + "': use 1-128 letters, digits, '-' or '_'");
        }
        Optional<RunRecord> found = requested.isEmpty() ? RunRecord.current(dir)
                : RunRecord.load(dir, requested).or(() -> RunRecord.current(dir)
                        .filter(r -> r.runId().equals(requested)));
        if (found.isEmpty()) {
            return ProofResult.notWritten(requested, requested.isEmpty()
                    ? "no run is recorded in " + dir.path() + " (state/run.json): start one with 'loki start'"
                    : "no run with id '" + requested + "' is recorded: see .loki/runs/");
        }
        RunRecord run = found.get();
        if (!Ids.isSafe(run.runId())) {
            return ProofResult.notWritten(run.runId(), "the recorded run id is not a safe directory name");
        }
        List<String> warnings = new ArrayList<>();
        ObjectNode raw = assemble(dir, env, run, includeDiffs, warnings);

        String home = env.getOrDefault("HOME", "");
        // the patterns, plus the literal values of this process's secret-named variables
        Redactor redactor = new Redactor(dir.workTree().toAbsolutePath().normalize().toString(), home, env);
        Redactor.Result red = redactor.redact(raw);
        if (!(red.tree() instanceof ObjectNode proof)) {
            return ProofResult.notWritten(run.runId(), "redaction did not run; refusing to write the proof");
        }
        RunSections.capBrief(proof);
        ObjectNode redaction = proof.putObject("redaction");
        redaction.put("applied", true);
        redaction.put("rules_version", Redactor.RULES_VERSION);
        redaction.put("redactions_count", red.counts().secrets());
        redaction.put("path_rewrites", red.counts().pathRewrites());
        redaction.put("env_values_masked", redactor.maskedVariables().size());

        // The second scan reads what will really be written: the JSON and the rendered page.
        Verification.seal(proof, ProofSigner.none());
        List<String> survivors = new ArrayList<>(redactor.survivorsIn(Json.pretty(proof)));
        redactor.survivorsIn(ProofReport.render(proof)).stream().filter(s -> !survivors.contains(s))
                .forEach(survivors::add);
        ObjectNode scan = redaction.putObject("second_scan");
        scan.put("clean", survivors.isEmpty());
        ArrayNode findings = scan.putArray("findings");
        survivors.forEach(findings::add);
        redaction.put("shareable", survivors.isEmpty());
        if (!survivors.isEmpty()) {
            warnings.add("the second scan found secret-shaped text (" + String.join(", ", survivors)
                    + ") after redaction: the proof is marked and sharing will refuse it");
        }
        proof.remove("verification");
        ProofSigner signer = ProofSigner.forEnv(env);
        Verification.seal(proof, signer);
        String html = ProofReport.render(proof);
        ProofStore store = new ProofStore(dir);
        store.write(run.runId(), proof, html);
        Attestation.write(store.dirOf(run.runId()), signer);
        ProofRetention.Report pruned = ProofRetention.prune(dir, env, Set.of(run.runId()));
        warnings.addAll(pruned.notes());
        return new ProofResult(true, run.runId(), Optional.of(store.dirOf(run.runId())),
                proof.path("verification").path("hash").asText(), red.counts().secrets(), survivors.isEmpty(), warnings);
    }

    private static ObjectNode assemble(LokiDir dir, Map<String, String> env, RunRecord run, boolean includeDiffs,
            List<String> warnings) {
        RunSections s = new RunSections(dir, run, env);
        List<JsonNode> efficiency = s.efficiencyRecords();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        ObjectNode p = Json.object();
        p.put("schema_version", "1.0");
        p.put("run_id", run.runId());
        p.put("generated_at", now.toString());
        p.put("loki_version", lokiVersion());
        p.put("started_at", run.startedAt());
        p.put("ended_at", run.endedAt());
        p.put("wall_clock_sec", wallClock(run, now));
        ObjectNode r = p.putObject("run");
        r.put("status", run.status());
        r.put("exit_reason", run.exitReason());
        r.put("base_head", run.baseHead());
        r.put("base_snapshot", run.baseSnapshot());
        p.set("spec", s.spec());
        p.set("provider", s.provider(efficiency));
        p.set("iterations", s.iterations(efficiency));
        FilesChanged.Outcome files = FilesChanged.compute(dir, env, run, includeDiffs);
        warnings.addAll(files.notes());
        p.set("files_changed", files.section());
        if (files.diffs().isPresent()) {
            p.set("diffs", files.diffs().get());
        } else {
            p.putNull("diffs");
        }
        p.set("council", CouncilSection.read(dir, env));
        p.set("quality_gates", s.qualityGates());
        p.set("cost", s.cost(efficiency));
        ObjectNode dep = p.putObject("deployment");
        String deployed = env.getOrDefault("LOKI_DEPLOYED_URL", "");
        if (deployed.isEmpty()) {
            dep.putNull("deployed_url");
        } else {
            dep.put("deployed_url", deployed);
        }
        dep.putNull("public_url");
        p.set("checkpoints", checkpoints(dir, env, run, warnings));
        p.set("audit", s.audit());
        // the GitHub issue a run was started from (written by work/ before the run)
        dev.loki.store.JsonFiles.peek(dir.resolve("work/issue.json")).ifPresent(i -> p.set("issue", i));
        p.set("memories", s.memories());
        ArrayNode notes = p.putArray("notes");
        warnings.forEach(notes::add);
        return p;
    }

    /** The run's checkpoint chain: the ids the run recorded, else those taken since it started. */
    private static ArrayNode checkpoints(LokiDir dir, Map<String, String> env, RunRecord run, List<String> warnings) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        List<Checkpoint> all;
        try {
            all = CheckpointService.open(dir, env).list();
        } catch (RuntimeException e) {
            warnings.add("could not read the checkpoints: " + e.getMessage());
            return out;
        }
        Set<String> ids = Set.copyOf(run.checkpointIds());
        Optional<Instant> start = parse(run.startedAt());
        Optional<Instant> end = parse(run.endedAt());
        for (Checkpoint c : all) {
            boolean mine = ids.isEmpty()
                    ? start.isPresent() && !c.createdAt().isBefore(start.get())
                            && (end.isEmpty() || !c.createdAt().isAfter(end.get().plusSeconds(5)))
                    : ids.contains(c.id());
            if (!mine) {
                continue;
            }
            ObjectNode o = out.addObject();
            o.put("id", c.id());
            o.put("kind", c.kind().toString().toLowerCase(java.util.Locale.ROOT));
            o.put("iteration", c.iteration());
            o.put("created_at", c.createdAt().toString());
            o.put("message", c.summary());
            o.put("snapshot", c.snapshotCommit().orElse(""));
            o.put("snapshot_status", c.snapshot().status());
        }
        return out;
    }

    /** An ISO-8601 instant, or empty when there is none (null, empty) or it does not parse. */
    static Optional<Instant> parse(String ts) {
        try {
            return ts == null || ts.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(ts));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static long wallClock(RunRecord run, Instant now) {
        Optional<Instant> start = parse(run.startedAt());
        Instant end = parse(run.endedAt()).orElse(now);
        return start.map(s -> Math.max(0, Duration.between(s, end).getSeconds())).orElse(0L);
    }

    private static String lokiVersion() {
        java.util.Properties p = new java.util.Properties();
        try (var in = ProofService.class.getResourceAsStream("/dev/loki/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }
}
