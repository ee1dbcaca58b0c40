package dev.loki.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.ExitCode;
import dev.loki.LokiException;
import dev.loki.Quote;
import dev.loki.proof.Attestation;
import dev.loki.proof.ProofResult;
import dev.loki.proof.ProofService;
import dev.loki.proof.ProofSigner;
import dev.loki.proof.ProofStore;
import dev.loki.proof.SharePolicy;
import dev.loki.store.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code loki proof}: generate, list, show, open, verify and share proofs of run. */
@Command(name = "proof", mixinStandardHelpOptions = true,
        description = {"Proof-of-run reports: redacted, integrity-hashed summaries of what a run did.",
            "Commands: list, show, open, verify, share, generate, keygen, pubkey."},
        subcommands = {
            ProofCommand.ListCmd.class,
            ProofCommand.Show.class,
            ProofCommand.Open.class,
            ProofCommand.Verify.class,
            ProofShareCommand.class,
            ProofCommand.Generate.class,
            ProofCommand.Keygen.class,
            ProofCommand.Pubkey.class,
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
                + " is not readable JSON (proof.json is corrupt): regenerate it with: "
                + Quote.command("loki", "proof", "generate", "--run-id", id)));
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
                    arr.add(dev.loki.proof.ProofListJson.of(e));
                }
                ctx.out().println(Json.pretty(arr));
                return ExitCode.OK;
            }
            if (entries.isEmpty()) {
                ctx.out().println("No proofs found. Run 'loki start' to generate one.");
                return ExitCode.OK;
            }
            String fmt = "%-26s  %-20s  %-10s  %-9s  %-5s  %s%n";
            ctx.out().printf(fmt, "RUN_ID", "GENERATED_AT", "VERDICT", "COST_USD", "FILES", "INTEGRITY");
            for (ProofStore.Entry e : entries) {
                JsonNode p = e.proof().orElse(Json.object());
                String at = cell(p.path("generated_at"));
                if (at.length() > 20) {
                    at = at.substring(0, 19) + "Z";
                }
                ctx.out().printf(fmt, e.id(), at, cell(p.path("council").path("final_verdict")),
                        cell(p.path("cost").path("usd")), cell(p.path("files_changed").path("count")),
                        e.proof().isEmpty() ? "unreadable" : SharePolicy.isLegacy(p) ? SharePolicy.LEGACY_MARK
                                : "hashed (see 'loki proof verify')");
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
            JsonNode p = load(ctx, id);
            if (SharePolicy.isLegacy(p)) {
                ctx.err().println("note: proof " + id + " is " + SharePolicy.LEGACY_MARK
                        + ": a legacy proof (upstream or hand-written); nothing shows whether it was changed");
            }
            ctx.out().println(Json.pretty(p));
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

    /** This machine's public key, and the one given with {@code --key} (PEM or base64 DER), if any. */
    static List<PublicKey> trustedKeys(CliContext ctx, Path keyFile) {
        List<PublicKey> keys = new ArrayList<>();
        ProofSigner.forEnv(ctx.env()).publicKey().ifPresent(keys::add);
        if (keyFile != null) {
            Path f = ctx.cwd().resolve(keyFile);
            try {
                keys.add(ProofSigner.parsePublicKey(Files.readString(f, StandardCharsets.UTF_8)).orElseThrow(
                        () -> LokiException.badInput("--key " + keyFile + " is not an Ed25519 public key "
                                + "(PEM 'BEGIN PUBLIC KEY' or base64 DER, as 'loki proof pubkey' prints)")));
            } catch (IOException e) {
                throw LokiException.badInput("cannot read --key " + keyFile + ": " + e.getMessage());
            }
        }
        return keys;
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check a proof's attestation (proof.intoto.json) against proof.json and index.html.",
                "Says one of: VERIFIED (signed by a trusted key), INTEGRITY ONLY (unsigned, or signed by a key",
                "you have not trusted: anyone can recompute it), ALTERED (which file, which field), NO HASH (legacy).",
                "A removed attestation, or another run's proof in this run's folder, is ALTERED; a re-formatted",
                "proof.json whose content and signature are intact is said to be so, and is not ALTERED.",
                "Exit codes: 0 VERIFIED or INTEGRITY ONLY (nothing altered), 1 ALTERED or unreadable,",
                "3 NO HASH; with --require-signature, INTEGRITY ONLY exits 1 too."})
    static final class Verify extends BaseCommand {
        static final int NO_HASH = 3;

        @Parameters(paramLabel = "ID", description = "The proof's run id.")
        String id;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Option(names = "--key", paramLabel = "FILE",
                description = "Also trust this Ed25519 public key (PEM or base64 DER, from 'loki proof pubkey').")
        Path key;

        @Option(names = "--require-signature", description = "Fail (exit 1) unless the verdict is VERIFIED.")
        boolean requireSignature;

        Verify(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            load(ctx, id);
            Attestation.Report r;
            try {
                r = Attestation.verify(store(ctx).dirOf(id), trustedKeys(ctx, key));
            } catch (IOException e) {
                throw LokiException.failed("Proof " + id + " cannot be checked: " + e.getMessage());
            }
            int code = switch (r.verdict()) {
                case VERIFIED -> ExitCode.OK;
                case INTEGRITY_ONLY -> requireSignature ? ExitCode.FAILED : ExitCode.OK;
                case ALTERED -> ExitCode.FAILED;
                case NO_HASH -> NO_HASH;
            };
            if (json) {
                ObjectNode o = Json.object();
                o.put("run_id", id);
                o.put("verdict", r.verdict().label());
                o.put("summary", r.summary());
                o.put("unaltered", r.verdict() == Attestation.Verdict.VERIFIED
                        || r.verdict() == Attestation.Verdict.INTEGRITY_ONLY);
                o.put("signed", !r.keyFingerprint().isEmpty());
                o.put("key_fingerprint", r.keyFingerprint());
                o.put("trusted_key", r.trustedKey());
                o.put("attestation", r.hasEnvelope());
                o.put("reformatted", r.reformatted());
                o.put("recorded_hash", r.recordedHash());
                o.put("computed_hash", r.computedHash());
                ArrayNode f = o.putArray("findings");
                r.findings().forEach(f::add);
                o.put("exit_code", code);
                ctx.out().println(Json.pretty(o));
                return code;
            }
            ctx.out().println("Proof " + id + ": " + r.verdict().label() + " (" + r.summary() + ")");
            r.findings().forEach(f -> ctx.out().println("  " + Quote.line(f)));
            if (r.verdict() == Attestation.Verdict.ALTERED) {
                throw LokiException.failed("Proof " + id + " does not verify: it was altered after it was written "
                        + "(see the findings above); regenerate it with "
                        + Quote.command("loki", "proof", "generate", "--run-id", id));
            }
            if (code != ExitCode.OK) {
                ctx.err().println(r.verdict() == Attestation.Verdict.NO_HASH
                        ? "Proof " + id + " has no integrity hash: it cannot be verified"
                        : "Proof " + id + " is not signed by a trusted key (--require-signature)");
            }
            return code;
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
            r.warnings().forEach(w -> ctx.err().println("warn: " + Quote.line(w)));
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
            signer.generate();
            PublicKey pub = signer.publicKey().orElseThrow();
            ctx.out().println("Signing key written: " + signer.privateKeyFile() + " (owner-only)");
            ctx.out().println("Fingerprint: " + ProofSigner.fingerprint(pub));
            ctx.out().println("Every proof is signed from now on; 'loki proof pubkey' prints the public key for others.");
            return ExitCode.OK;
        }
    }

    @Command(name = "pubkey", mixinStandardHelpOptions = true,
            description = {"Print the public key that checks this machine's proof signatures: PEM, then a JWK Set.",
                "Others verify offline with 'loki proof verify ID --key FILE' or openssl."})
    static final class Pubkey extends BaseCommand {
        @Option(names = "--pem", description = "Only the PEM.")
        boolean pemOnly;

        @Option(names = {"--jwks", "--json"}, description = "Only the JWK Set (JSON).")
        boolean jwksOnly;

        Pubkey(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            if (pemOnly && jwksOnly) {
                throw LokiException.badInput("--pem and --jwks each ask for one form of the key only: give one of"
                        + " them, or neither for both");
            }
            ProofSigner signer = ProofSigner.forEnv(ctx.env());
            PublicKey pub = signer.publicKey().orElseThrow(() -> LokiException.failed(
                    "No signing key at " + signer.publicKeyFile() + ": create one with 'loki proof keygen'"));
            if (!jwksOnly) {
                ctx.out().print(ProofSigner.pem(pub));
            }
            if (!pemOnly) {
                ctx.out().println(Json.pretty(ProofSigner.jwks(pub)));
            }
            return ExitCode.OK;
        }
    }
}
