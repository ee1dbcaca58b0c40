package dev.loki.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.ExitCode;
import dev.loki.LokiException;
import dev.loki.dashboard.audit.AuditLog;
import dev.loki.dashboard.audit.AuditVerifier;
import dev.loki.store.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loki audit}: check the dashboard's hash-chained audit log. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Inspect the tamper-evident audit log (.loki/audit/*.jsonl).",
        subcommands = {AuditCommand.Verify.class})
public final class AuditCommand extends BaseCommand {
    AuditCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() {
        return usage();
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Walk the hash chain from the first record and compare its end with the keyed head"
                + " (~/.loki/keys/audit.key). Exit 1 when a line was edited, removed, inserted, reordered or torn,"
                + " when records were dropped from the end, or the log was emptied or deleted. Says what it proves"
                + " and what it cannot.")
    static final class Verify extends BaseCommand {
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        Verify(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() throws Exception {
            AuditLog log = new AuditLog(ctx.lokiDir(), ctx.env());
            AuditVerifier.Report r = AuditVerifier.verify(log);
            AuditVerifier.Tail tail = r.tail();
            if (json) {
                ObjectNode o = Json.object();
                o.put("valid", r.valid());
                o.put("files", r.files());
                o.put("records", r.records());
                o.put("latest_hash", r.latestHash());
                r.firstBreak().ifPresent(b -> {
                    o.put("file", b.file().toString());
                    o.put("line", b.line());
                    o.put("reason", b.reason());
                });
                ObjectNode t = o.putObject("tail");
                t.put("status", tail.status().name().toLowerCase(java.util.Locale.ROOT));
                t.put("ok", tail.status().ok());
                t.put("message", tail.message());
                tail.head().ifPresent(h -> {
                    t.put("head_records", h.records());
                    t.put("head_last_hash", h.lastHash());
                    t.put("head_file", h.where().toString());
                });
                o.put("key_file", log.head().keyFile().toString());
                AuditVerifier.PROVES.forEach(o.putArray("proves")::add);
                AuditVerifier.CANNOT_PROVE.forEach(o.putArray("cannot_prove")::add);
                ctx.out().println(Json.pretty(o));
            } else if (r.valid()) {
                ctx.out().println("Audit log intact: " + r.records() + " records in " + r.files() + " file(s); latest"
                        + " hash " + r.latestHash());
                ctx.out().println("End of log: " + tail.message());
                if (tail.status() == AuditVerifier.TailStatus.NO_HEAD) {
                    ctx.err().println("Warning: " + tail.message());
                }
                ctx.out().println("This proves: " + String.join("; ", AuditVerifier.PROVES) + ".");
                ctx.out().println("It cannot prove: " + String.join("; ", AuditVerifier.CANNOT_PROVE) + ".");
            }
            if (r.firstBreak().isPresent()) {
                AuditVerifier.Break b = r.firstBreak().get();
                throw LokiException.failed("audit log tampered: " + b.file() + " line " + b.line() + ": " + b.reason()
                        + " (" + r.records() + " records verified before it)");
            }
            if (!tail.status().ok()) {
                throw LokiException.failed("audit log tampered: " + tail.message() + " (" + r.records()
                        + " records verified in the log; an attacker with the key can rewrite both, without it"
                        + " they cannot)");
            }
            return ExitCode.OK;
        }
    }
}
