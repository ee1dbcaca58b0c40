package dev.loki.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.proof.ProofListJson;
import dev.loki.proof.ProofSigner;
import dev.loki.proof.ProofStore;
import dev.loki.proof.Verification;
import dev.loki.run.RunStatus;
import dev.loki.run.StateStore;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.RunRecord;
import dev.loki.store.SessionLock;
import dev.loki.store.Signals;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** Status, state, quality, proofs, the completion claim and run control, over the CLI's services. */
final class ProjectTools {
    private ProjectTools() {
    }

    static List<ToolSpec> all(McpContext c) {
        return List.of(
                ToolSpec.read("loki_project_status", "The state of this project's loki run (as 'loki status --json').",
                        Schema.object(), (a, who) -> RunStatus.read(c.loki(), c.env(), McpContext.version())),
                ToolSpec.read("loki_state_get", "The saved loop state, the current run record and the control signals.",
                        Schema.object(), (a, who) -> state(c)),
                ToolSpec.read("loki_quality_report", "The latest quality-gate results and the failures fed to the"
                        + " next prompt.", Schema.object(), (a, who) -> quality(c)),
                ToolSpec.read("loki_proof_list", "The proofs of run in this project.", Schema.object(),
                        (a, who) -> proofs(c)),
                ToolSpec.read("loki_proof_verify", "Recompute a proof's sha256 and check its signature.",
                        Schema.object().id("run_id", "The proof's run id (see loki_proof_list).", true),
                        (a, who) -> verify(c, a.string("run_id"))),
                ToolSpec.control("loki_complete_task", "Claim that the run's task is complete; the loop checks the"
                        + " claim (gates, council) at the end of the iteration.",
                        Schema.object().string("completion_statement", "What is done.", true, 2000)
                                .string("evidence", "How you verified it (tests run, results).", false, 4000)
                                .enumeration("confidence", "How sure you are (default medium).",
                                        List.of("high", "medium", "low"), false),
                        (a, who) -> complete(c, a)),
                ToolSpec.control("loki_pause", "Pause the running loop before its next iteration.", Schema.object(),
                        (a, who) -> signal(c, "pause")),
                ToolSpec.control("loki_resume", "Resume a paused loop (clears PAUSE and STOP).", Schema.object(),
                        (a, who) -> signal(c, "resume")),
                ToolSpec.control("loki_stop", "Stop the running loop at its next iteration boundary; state is saved"
                        + " so a new start resumes.", Schema.object(), (a, who) -> signal(c, "stop")),
                ToolSpec.control("loki_start_project", "Start 'loki start' on a spec in the background; refused while"
                        + " a run is active.",
                        Schema.object().string("spec", "The spec (PRD) file, relative to the project root.", false, 500)
                                .enumeration("provider", "The coding agent (default: the project's).",
                                        List.of("claude", "codex", "cline", "aider", "command"), false)
                                .integer("max_iterations", "Provider calls at most.", 1, 1000),
                        (a, who) -> RunLauncher.start(c, a.optional("spec"), a.optional("provider"),
                                a.integer("max_iterations", 0))));
    }

    static ObjectNode state(McpContext c) {
        ObjectNode o = Json.object();
        o.set("autonomy_state", JsonFiles.peek(new StateStore(c.loki()).file()).orElse(Json.object()));
        o.set("run", RunRecord.current(c.loki()).<JsonNode>map(Json::toTree).orElse(Json.object()));
        Signals s = new Signals(c.loki());
        ObjectNode sig = o.putObject("signals");
        sig.put("pause", s.isSet(Signals.PAUSE));
        sig.put("stop", s.isSet(Signals.STOP));
        sig.put("completion_claimed", s.isSet(Signals.TASK_COMPLETION_CLAIMED));
        o.put("run_active", c.loki().exists() && SessionLock.holder(c.loki()).isPresent());
        return o;
    }

    static ObjectNode quality(McpContext c) {
        ObjectNode o = Json.object();
        JsonNode latest = JsonFiles.peek(c.loki().resolve("quality/latest.json")).orElse(null);
        o.put("present", latest != null);
        o.set("latest", latest == null ? Json.object() : latest);
        Path failures = c.loki().resolve("quality/gate-failures.txt");
        String text = "";
        try {
            text = Files.isRegularFile(failures) ? Files.readString(failures, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            text = "";
        }
        o.put("failures_for_next_prompt", text.length() > 20_000 ? text.substring(0, 20_000) : text);
        return o;
    }

    static ObjectNode proofs(McpContext c) {
        ObjectNode o = Json.object();
        ArrayNode arr = o.putArray("proofs");
        for (ProofStore.Entry e : new ProofStore(c.loki()).list()) {
            // the item of 'loki proof list --json', plus the run's status and where to read the proof
            ObjectNode p = ProofListJson.of(e);
            p.put("status", e.proof().orElse(Json.object()).path("run").path("status").asText(""));
            p.put("resource", "loki://proofs/" + e.id());
            arr.add(p);
        }
        return o;
    }

    static ObjectNode verify(McpContext c, String id) {
        ProofStore store = new ProofStore(c.loki());
        if (!store.exists(id)) {
            throw ToolError.notFound("Proof not found: " + id + " (see loki_proof_list).");
        }
        JsonNode proof = store.read(id).orElseThrow(() -> new ToolError(422, "Proof " + id
                + " is not readable JSON; regenerate it with: "
                + dev.loki.Quote.command("loki", "proof", "generate", "--run-id", id)));
        Verification.Check ch = Verification.check(proof, ProofSigner.forEnv(c.env()));
        // the same verdict as 'loki proof verify': index.html and the attestation count too
        dev.loki.proof.Attestation.Report report;
        try {
            report = dev.loki.proof.Attestation.verifyWithLocalKey(store.dirOf(id), c.env());
        } catch (IOException e) {
            throw new ToolError(422, "Proof " + id + " cannot be checked: " + e.getMessage());
        }
        boolean verdictOk = report.verdict() == dev.loki.proof.Attestation.Verdict.VERIFIED
                || report.verdict() == dev.loki.proof.Attestation.Verdict.INTEGRITY_ONLY;
        ObjectNode o = Json.object();
        o.put("run_id", id);
        o.put("ok", ch.ok() && verdictOk);
        o.put("verdict", report.verdict().name());
        o.put("summary", report.summary());
        ArrayNode findings = o.putArray("findings");
        report.findings().forEach(findings::add);
        o.put("unaltered", ch.hashOk());
        o.put("recorded_hash", ch.recorded());
        o.put("computed_hash", ch.computed());
        o.put("signature", ch.signature());
        o.put("signed_by_local_key", ch.signedLocally());
        return o;
    }

    static ObjectNode complete(McpContext c, Args a) throws IOException {
        ObjectNode claim = Json.object();
        claim.put("type", "task_completion_claim");
        claim.put("statement", a.string("completion_statement").strip());
        claim.put("evidence", a.string("evidence"));
        claim.put("confidence", a.optional("confidence").orElse("medium"));
        claim.put("timestamp", Instant.now().toString());
        new Signals(c.loki().ensureExists()).raise(Signals.TASK_COMPLETION_CLAIMED, Json.pretty(claim) + "\n");
        ObjectNode o = Json.object();
        o.put("recorded", true);
        o.put("run_active", SessionLock.holder(c.loki()).isPresent());
        o.put("message", "Completion claim recorded; the loop reads it at the end of this iteration and accepts it"
                + " only if the gates and the council agree.");
        return o;
    }

    static ObjectNode signal(McpContext c, String what) throws IOException {
        Signals s = new Signals(c.loki().ensureExists());
        boolean live = SessionLock.holder(c.loki()).isPresent();
        String message;
        switch (what) {
            case "pause" -> {
                s.requestPause();
                message = live ? "Pause requested: the run pauses at the next iteration boundary."
                        : "Pause recorded (no run is active).";
            }
            case "resume" -> {
                s.requestResume();
                s.clear(Signals.PAUSE_AT_CHECKPOINT);
                message = live ? "Resume requested." : "Pause and stop signals cleared (no run is active).";
            }
            default -> {
                s.requestStop();
                message = live ? "Stop requested: the run stops at the next iteration boundary."
                        : "Stop recorded (no run is active).";
            }
        }
        ObjectNode o = Json.object();
        o.put("success", true);
        o.put("message", message);
        o.put("session_active", live);
        return o;
    }
}
