package dev.loki.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.ExitCode;
import dev.loki.LokiException;
import dev.loki.Quote;
import dev.loki.proof.Attestation;
import dev.loki.proof.GistPublisher;
import dev.loki.proof.HostedPublisher;
import dev.loki.proof.ProofSigner;
import dev.loki.proof.ProofStore;
import dev.loki.proof.Redactor;
import dev.loki.proof.SharePolicy;
import dev.loki.proof.TierGate;
import dev.loki.store.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code loki proof share ID}: to a GitHub gist with the user's {@code gh} (preview, then a
 * [y/N] prompt unless {@code --yes}), or with {@code --hosted} to the user's own endpoint. Either
 * way a proof whose redaction is not confirmed, that was altered, or whose payload still holds
 * secret-shaped text is refused. There is never a silent fallback from one path to the other.
 */
@Command(name = "share", mixinStandardHelpOptions = true,
        description = {"Share a proof: a GitHub gist via gh (default) or --hosted to LOKI_HOSTED_ENDPOINT.",
            "Only redacted, unaltered proofs are shared."})
final class ProofShareCommand extends BaseCommand {
    @Parameters(paramLabel = "ID", description = "The proof's run id.")
    String id;

    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
    boolean yes;

    @ArgGroup(exclusive = true)
    Visibility visibility = new Visibility();

    @Option(names = "--hosted", description = "POST to LOKI_HOSTED_ENDPOINT instead of creating a gist.")
    boolean hosted;

    @Option(names = "--format", paramLabel = "html|json", defaultValue = "html",
            description = "What --hosted sends: the page (default) or proof.json.")
    String format;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    static final class Visibility {
        @Option(names = "--public", description = "A public gist (default: secret).")
        boolean isPublic;

        @Option(names = "--private", description = "A secret gist (the default).")
        boolean isPrivate;
    }

    ProofShareCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() throws Exception {
        String fmt = format.toLowerCase(Locale.ROOT);
        if (!fmt.equals("html") && !fmt.equals("json")) {
            throw LokiException.badInput("--format must be html or json, not '" + format + "'");
        }
        if (!hosted && fmt.equals("json")) {
            throw LokiException.badInput("--format applies to --hosted only; a gist always gets the page");
        }
        ProofStore store = ProofCommand.store(ctx);
        Path dir = store.dirOf(id);
        Path payload = dir.resolve(fmt.equals("json") ? ProofStore.JSON : ProofStore.HTML);
        if (!Files.isRegularFile(payload)) {
            throw LokiException.failed("Proof page not found: " + id + "/" + payload.getFileName()
                    + ". Use 'loki proof list'.");
        }
        byte[] bytes = Files.readAllBytes(payload);
        Optional<JsonNode> proof = store.read(id);
        return hosted ? hosted(store, proof, payload, bytes, fmt) : gist(store, proof, payload, bytes);
    }

    private int gist(ProofStore store, Optional<JsonNode> proof, Path page, byte[] bytes) throws IOException {
        refuseUnsafe(store, proof, bytes, true);
        GistPublisher gh = new GistPublisher(ctx.env(), ctx.cwd());
        Optional<String> unavailable = gh.unavailable();
        if (unavailable.isPresent()) {
            throw LokiException.failed(unavailable.get());
        }
        String vis = visibility.isPublic ? "public" : "secret";
        JsonNode p = proof.orElseThrow();
        // with --json, stdout carries only the result; the preview and prompt go to stderr
        var out = json ? ctx.err() : ctx.out();
        out.println("Publishing proof '" + id + "' as a " + vis + " GitHub Gist");
        out.println("What will be shared:");
        out.println("  - " + page);
        out.println("  cost.usd:        " + (p.path("cost").path("usd").isNumber() ? p.path("cost").path("usd").asText()
                : "not recorded"));
        out.println("  files_changed:   " + p.path("files_changed").path("count").asText("-"));
        out.println("  council verdict: " + (p.path("council").path("final_verdict").isTextual()
                ? p.path("council").path("final_verdict").asText() : "-"));
        JsonNode red = p.path("redaction");
        out.println("  redaction: applied=" + red.path("applied").asText() + " rules_version="
                + red.path("rules_version").asText() + " redactions_count=" + red.path("redactions_count").asText());
        if (SharePolicy.isLegacy(p)) {
            out.println("  integrity: " + SharePolicy.LEGACY_MARK + " - a legacy proof (upstream or hand-written);"
                    + " scanned for secrets just now, but nothing shows whether it was changed");
        }
        out.println("Secrets, API keys, tokens, env values, and absolute paths have already been stripped by the generator.");
        if (!yes) {
            out.print("Publish this proof to a " + vis + " gist? [y/N] ");
            out.flush();
            String answer = new BufferedReader(new InputStreamReader(ctx.in(), StandardCharsets.UTF_8)).readLine();
            String a = answer == null ? "" : answer.strip().toLowerCase(Locale.ROOT);
            if (!a.equals("y") && !a.equals("yes")) {
                out.println();
                out.println("Aborted. Nothing was published.");
                return ExitCode.OK;
            }
        }
        ctx.err().println("Uploading proof page...");
        GistPublisher.Outcome r = gh.publish(id, bytes, visibility.isPublic);
        if (r.url().isEmpty()) {
            throw LokiException.failed("Failed to create gist: " + r.error());
        }
        store.recordPublished(id, "gist", "github-gist", r.url().get(), ProofSigner.forEnv(ctx.env()))
                .ifPresent(n -> ctx.err().println("note: " + n));
        print("gist", r.url().get(), 0, SharePolicy.isLegacy(p));
        return ExitCode.OK;
    }

    private int hosted(ProofStore store, Optional<JsonNode> proof, Path payload, byte[] bytes, String fmt)
            throws IOException {
        TierGate.Decision gate = TierGate.check(ctx.env(), "hosted_publish");
        gate.notes().forEach(n -> ctx.err().println(n));
        if (!gate.allowed()) {
            throw LokiException.failed("Hosted publishing refused by the tier gate: set LOKI_LICENSE_KEY, or leave "
                    + "LOKI_TIER unset (oss) to publish to your own endpoint");
        }
        Optional<HostedPublisher.Settings> settings;
        try {
            settings = HostedPublisher.Settings.fromEnv(ctx.env());
        } catch (IllegalArgumentException e) {
            throw LokiException.badInput(e.getMessage());
        }
        if (settings.isEmpty()) {
            ctx.err().println("Hosted publishing backend not available.");
            ctx.err().println("There is no official Loki hosted service; this is a seam for your own endpoint.");
            ctx.err().println("To publish to your own hosted endpoint, set LOKI_HOSTED_ENDPOINT to its URL.");
            throw LokiException.failed("no LOKI_HOSTED_ENDPOINT set. Or publish to a GitHub Gist instead: "
                    + Quote.command("loki", "proof", "share", id));
        }
        Optional<Attestation.Report> checked = refuseUnsafe(store, proof, bytes, fmt.equals("html"));
        if (fmt.equals("json") && checked.map(Attestation.Report::reformatted).orElse(false)) {
            // re-formatted since it was written, content intact: send the content as loki writes it
            bytes = (Json.pretty(proof.orElseThrow()) + "\n").getBytes(StandardCharsets.UTF_8);
            Optional<String> no = SharePolicy.refusal(proof, bytes, ctx.env());
            if (no.isPresent()) {
                throw LokiException.failed(no.get());
            }
            (json ? ctx.err() : ctx.out()).println("note: proof.json was re-formatted after it was written (its "
                    + "content is intact): sending its content as loki writes it, not the re-formatted file");
        }
        String shown = new Redactor("", "").redact(settings.get().endpoint().toString()).text();
        var out = json ? ctx.err() : ctx.out();
        out.println("Publishing proof '" + id + "' to hosted endpoint");
        out.println("  endpoint: " + shown);
        out.println("  payload:  " + payload + " (already redacted by the generator)");
        if (proof.isPresent() && SharePolicy.isLegacy(proof.get())) {
            out.println("  integrity: " + SharePolicy.LEGACY_MARK);
        }
        HostedPublisher.Outcome r = new HostedPublisher(settings.get()).publish(id, bytes,
                fmt.equals("json") ? "application/json" : "text/html; charset=utf-8");
        if (r.ok()) {
            store.recordPublished(id, "hosted", shown, r.url().orElse(""), ProofSigner.forEnv(ctx.env()))
                    .ifPresent(n -> ctx.err().println("note: " + n));
            if (r.url().isPresent()) {
                print("hosted", r.url().get(), r.status(), proof.filter(SharePolicy::isLegacy).isPresent());
            } else {
                ctx.out().println("Published to " + shown + " (HTTP " + r.status() + ").");
                ctx.out().println("The endpoint did not return a 'url' field; check your endpoint's response.");
            }
            return ExitCode.OK;
        }
        if (r.status() > 0) {
            ctx.err().println("Hosted endpoint returned HTTP " + r.status() + ".");
            if (!r.body().isEmpty()) {
                String body = r.body().length() > 500 ? r.body().substring(0, 500) : r.body();
                ctx.err().println("Response: " + body);
            }
            throw LokiException.failed(r.error().isEmpty() ? "Nothing was published (HTTP " + r.status()
                    + "). Or publish to a gist: " + Quote.command("loki", "proof", "share", id)
                    : r.error() + ". Nothing was published.");
        }
        throw LokiException.failed("Failed to reach hosted endpoint after " + r.attempts() + " attempt(s): "
                + r.error() + ". Check LOKI_HOSTED_ENDPOINT or publish to a gist: "
                + Quote.command("loki", "proof", "share", id));
    }

    /** {@code page}: what is sent is index.html, so it must be covered by what was hashed or signed. */
    private Optional<Attestation.Report> refuseUnsafe(ProofStore store, Optional<JsonNode> proof, byte[] bytes,
            boolean page) {
        Optional<String> no = SharePolicy.refusal(proof, bytes, ctx.env());
        if (no.isPresent()) {
            throw LokiException.failed(no.get());
        }
        if (proof.isPresent() && !SharePolicy.isLegacy(proof.get())) {
            Attestation.Report r;
            try {
                r = Attestation.verify(store.dirOf(id), ProofCommand.trustedKeys(ctx, null));
            } catch (IOException e) {
                throw LokiException.failed("Refusing to publish: the proof could not be checked: " + e.getMessage());
            }
            if (r.verdict() == Attestation.Verdict.ALTERED) {
                throw LokiException.failed("Refusing to publish: the proof was altered after it was written ("
                        + String.join("; ", r.findings()) + "). Regenerate it with 'loki proof generate'.");
            }
            try {
                // what was checked is what goes out: the bytes read before, the file verified just now
                Path sent = store.dirOf(id).resolve(page ? ProofStore.HTML : ProofStore.JSON);
                if (!java.util.Arrays.equals(bytes, Files.readAllBytes(sent))) {
                    throw LokiException.failed("Refusing to publish: " + sent.getFileName() + " changed while it was"
                            + " being checked (is a run writing this proof?). Try again when it is finished.");
                }
            } catch (IOException e) {
                throw LokiException.failed("Refusing to publish: the proof could not be read again: " + e.getMessage());
            }
            if (page && r.pageUnchecked()) {
                throw LokiException.failed("Refusing to publish: index.html is not covered by an attestation and "
                        + "differs from the page proof.json renders, so nothing shows it is the page loki wrote. "
                        + "Regenerate it with 'loki proof generate'.");
            }
            return Optional.of(r);
        }
        return Optional.empty();
    }

    /** The result; {@code legacy}: the proof read before publishing (publishing never changes that). */
    private void print(String target, String url, int status, boolean legacy) {
        if (json) {
            ObjectNode o = Json.object();
            o.put("run_id", id);
            o.put("target", target);
            o.put("url", url);
            if (legacy) {
                o.put("integrity", SharePolicy.LEGACY_MARK);
            }
            if (status > 0) {
                o.put("status", status);
            }
            ctx.out().println(Json.pretty(o));
        } else {
            ctx.out().println(("gist".equals(target) ? "Shared: " : "Published: ") + url
                    + (legacy ? " (" + SharePolicy.LEGACY_MARK + ")" : ""));
        }
    }
}
