package dev.loki.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.gate.GateResult;
import dev.loki.store.Json;
import dev.loki.work.Verifier;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code loki verify [BASE]}: gates, code review and council on a branch's diff, with a proof; for CI. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Run the quality gates, code review and completion council on the diff from BASE",
            "(default: the merge base with the default branch) and write a proof. For CI.",
            "Exit 0: verified. Exit 1: blocked (a gate failed or the code review blocked) or concerns (the",
            "gates passed but the council did not approve); the verdict is printed. Exit 2: bad input."})
public final class VerifyCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "BASE", description = "Commit, branch or tag to diff from.")
    String base;

    @Option(names = "--no-council", description = "Gates and code review only.")
    boolean noCouncil;

    @Option(names = "--json", description = "Print JSON (for scripts).")
    boolean json;

    VerifyCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() throws Exception {
        Verifier.Result r = Verifier.verify(ctx.cwd(), ctx.lokiDir(), ctx.env(), Optional.ofNullable(base),
                !noCouncil, ctx.err());
        String proof = r.proof().dir().map(d -> d.resolve("index.html").toString()).orElse("");
        if (json) {
            ObjectNode o = Json.object();
            o.put("verdict", r.verdict());
            o.put("exit_code", r.exitCode());
            o.put("base", r.base());
            o.put("reason", r.reason());
            o.put("head", r.subject().head());
            o.put("uncommitted_changes", r.subject().uncommitted());
            o.put("verified", r.subject().describe());
            ArrayNode g = o.putArray("gates");
            for (GateResult gr : r.gates()) {
                ObjectNode n = g.addObject();
                n.put("name", gr.name());
                n.put("status", gr.status());
            }
            o.put("code_review_blocked", r.reviewBlocked());
            o.put("council", r.council().map(d -> d.verdict().toString()).orElse("off"));
            o.put("proof", proof);
            o.put("proof_hash", r.proof().hash());
            ctx.out().println(Json.pretty(o));
            return r.exitCode();
        }
        ctx.out().println(r.verdict() + ": " + r.reason());
        for (GateResult gr : r.gates()) {
            ctx.out().println("  gate " + gr.name() + ": " + gr.status());
        }
        ctx.out().println("  council: " + r.council().map(d -> d.verdict().toString().toLowerCase(java.util.Locale.ROOT))
                .orElse("off"));
        if (!proof.isEmpty()) {
            ctx.out().println("  proof: " + proof + " (sha256 " + r.proof().hash() + ")");
        }
        r.proof().warnings().forEach(w -> ctx.err().println("Warning: proof: " + w));
        return r.exitCode();
    }
}
