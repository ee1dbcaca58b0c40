package dev.loki.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.ExitCode;
import dev.loki.LokiException;
import dev.loki.proof.ProofResult;
import dev.loki.proof.ProofService;
import dev.loki.proof.ProofSigner;
import dev.loki.proof.ProofStore;
import dev.loki.proof.Verification;
import dev.loki.store.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code loki proof}: generate, list, show, open, verify and share proofs of run. */
@Command(name = "proof", mixinStandardHelpOptions = true,
        description = {"Proof-of-run reports: redacted, integrity-hashed summaries of what a run did.",
            "Commands: list, show, open, verify, share, generate, keygen."},
        subcommands = {
            ProofCommand.ListCmd.class,
            ProofCommand.Show.class,
            ProofCommand.Open.class,
            ProofCommand.Verify.class,
            ProofShareCommand.class,
            ProofCommand.Generate.class,
            ProofCommand.Keygen.class,
        })
public final class ProofCommand extends BaseCommand {
    ProofCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() {
        return usage();
    }

    static ProofStore store(CliContext ctx) {
        return new ProofStore(ctx.lokiDir());
    }

    /** The proof's JSON, or the upstream "not found" failure. */
    static JsonNode load(CliContext ctx, String id) {
        ProofStore store = store(ctx);
        if (!store.exists(id)) {
            throw LokiException.failed("Proof not found: " + id + ". Use 'loki proof list' to see available proofs.");
        }
        return store.read(id).orElseThrow(() -> LokiException.failed("Proof " + id
                + " is not readable JSON (proof.json is corrupt): regenerate it with 'loki proof generate --run-id "
                + id + "'"));
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List proofs by run id.")
    static final class ListCmd extends BaseCommand {
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        ListCmd(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            List<ProofStore.Entry> entries = store(ctx).list();
            if (json) {
                ArrayNode arr = Json.MAPPER.createArrayNode();
                for (ProofStore.Entry e : entries) {
                    ObjectNode o = arr.addObject();
                    JsonNode p = e.proof().orElse(Json.object());
                    o.put("run_id", e.id());
                    o.set("generated_at", p.path("generated_at").isMissingNode() ? null : p.path("generated_at"));
                    o.set("final_verdict", p.path("council").path("final_verdict").isMissingNode() ? null
                            : p.path("council").path("final_verdict"));
                    o.set("cost_usd", p.path("cost").path("usd").isMissingNode() ? null : p.path("cost").path("usd"));
                    o.set("files_changed", p.path("files_changed").path("count").isMissingNode() ? null
                            : p.path("files_changed").path("count"));
                    o.put("has_html", e.hasHtml());
                    o.put("readable", e.proof().isPresent());
                }
                ctx.out().println(Json.pretty(arr));
                return ExitCode.OK;
            }
            if (entries.isEmpty()) {
                ctx.out().println("No proofs found. Run 'loki start' to generate one.");
                return ExitCode.OK;
            }
            String fmt = "%-26s  %-20s  %-10s  %-9s  %s%n";
            ctx.out().printf(fmt, "RUN_ID", "GENERATED_AT", "VERDICT", "COST_USD", "FILES");
            for (ProofStore.Entry e : entries) {
                JsonNode p = e.proof().orElse(Json.object());
                String at = cell(p.path("generated_at"));
                if (at.length() > 20) {
                    at = at.substring(0, 19) + "Z";
                }
                ctx.out().printf(fmt, e.id(), at, cell(p.path("council").path("final_verdict")),
                        cell(p.path("cost").path("usd")), cell(p.path("files_changed").path("count")));
            }
            return ExitCode.OK;
        }

        private static String cell(JsonNode n) {
            return n.isMissingNode() || n.isNull() || n.asText().isEmpty() ? "-" : n.asText();
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print a proof's JSON.")
    static final class Show extends BaseCommand {
        @Parameters(paramLabel = "ID", description = "The proof's run id (see 'loki proof list').")
        String id;

        Show(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            ctx.out().println(Json.pretty(load(ctx, id)));
            return ExitCode.OK;
        }
    }

    @Command(name = "open", mixinStandardHelpOptions = true, description = "Open a proof's page in a browser.")
    static final class Open extends BaseCommand {
        @Parameters(paramLabel = "ID", description = "The proof's run id.")
        String id;

        Open(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() throws Exception {
            Path page = store(ctx).dirOf(id).resolve(ProofStore.HTML);
            if (!Files.isRegularFile(page)) {
                throw LokiException.failed("Proof page not found: " + id + "/index.html. Use 'loki proof list'.");
            }
            ctx.out().println("Opening proof: " + page);
            if (!dev.loki.proof.Opener.open(page, ctx.env(), ctx.cwd())) {
                ctx.out().println("Could not detect browser opener.");
                ctx.out().println("Please open in browser: " + page);
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Recompute a proof's sha256 and check its signature.",
                "Exit 0 when the proof is unaltered (and any signature is valid), 1 otherwise."})
    static final class Verify extends BaseCommand {
        @Parameters(paramLabel = "ID", description = "The proof's run id.")
        String id;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        Verify(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            JsonNode proof = load(ctx, id);
            Verification.Check c = Verification.check(proof, ProofSigner.forEnv(ctx.env()));
            if (json) {
                ObjectNode o = Json.object();
                o.put("run_id", id);
                o.put("unaltered", c.hashOk());
                o.put("recorded_hash", c.recorded());
                o.put("computed_hash", c.computed());
                o.put("signature", c.signature());
                o.put("signed_by_local_key", c.signedLocally());
                o.put("ok", c.ok());
                ctx.out().println(Json.pretty(o));
                return c.ok() ? ExitCode.OK : ExitCode.FAILED;
            }
            if (c.hashOk()) {
                ctx.out().println("Proof " + id + ": unaltered (sha256 " + c.computed() + ")");
            } else {
                ctx.out().println("Proof " + id + ": ALTERED - recorded sha256 "
                        + (c.recorded().isEmpty() ? "(none)" : c.recorded()) + ", recomputed " + c.computed());
            }
            ctx.out().println("Signature: " + switch (c.signature()) {
                case "valid" -> c.signedLocally() ? "valid (this machine's key)"
                        : "valid (signed with a key that is not this machine's)";
                case "invalid" -> "INVALID";
                default -> "none";
            });
            if (!c.ok()) {
                throw LokiException.failed("Proof " + id + " does not verify: it was altered after it was written"
                        + ("invalid".equals(c.signature()) ? " (signature invalid)" : ""));
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Write the proof of a run now (default: the current or last run).")
    static final class Generate extends BaseCommand {
        @Option(names = "--run-id", paramLabel = "ID", description = "The run to describe (see .loki/runs/).")
        String runId;

        @Option(names = "--include-diffs", description = "Include each changed file's patch (redacted).")
        boolean includeDiffs;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        Generate(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            var dir = ctx.lokiDir().requireExisting();
            ctx.err().println("Generating the proof of run...");
            ProofResult r = ProofService.generateNow(dir, ctx.env(), runId == null ? "" : runId, includeDiffs);
            if (!r.written()) {
                throw LokiException.failed(r.warnings().isEmpty() ? "no proof was written" : r.warnings().get(0));
            }
            r.warnings().forEach(w -> ctx.err().println("warn: " + w));
            Path json0 = r.dir().orElseThrow().resolve(ProofStore.JSON);
            if (json) {
                ObjectNode o = Json.object();
                o.put("run_id", r.runId());
                o.put("proof", json0.toString());
                o.put("html", r.dir().get().resolve(ProofStore.HTML).toString());
                o.put("hash", r.hash());
                o.put("redactions_count", r.secretsRedacted());
                o.put("shareable", r.shareable());
                ArrayNode w = o.putArray("warnings");
                r.warnings().forEach(w::add);
                ctx.out().println(Json.pretty(o));
            } else {
                ctx.out().println("proof-of-run written: " + json0);
                ctx.out().println("  page:      " + r.dir().get().resolve(ProofStore.HTML));
                ctx.out().println("  sha256:    " + r.hash());
                ctx.out().println("  redacted:  " + r.secretsRedacted() + " secret(s)"
                        + (r.shareable() ? "" : " - NOT shareable: secret-shaped text survived redaction"));
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = "Create the Ed25519 key (~/.loki/keys/) that signs every proof from now on.")
    static final class Keygen extends BaseCommand {
        Keygen(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() throws Exception {
            ProofSigner signer = ProofSigner.forEnv(ctx.env());
            if (signer.hasKey()) {
                throw LokiException.failed("A signing key already exists: " + signer.privateKeyFile()
                        + " (remove it first to make a new one)");
            }
            String pub = signer.generate();
            ctx.out().println("Signing key written: " + signer.privateKeyFile());
            ctx.out().println("Public key: " + pub);
            return ExitCode.OK;
        }
    }
}
