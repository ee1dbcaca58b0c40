package dev.loki.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.ExitCode;
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
            description = {"Walk the hash chain from the first record; exit 1 and name the first line that was",
                "edited, removed, inserted or reordered."})
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
                ctx.out().println(Json.pretty(o));
            } else if (r.valid()) {
                ctx.out().println("Audit log intact: " + r.records() + " records in " + r.files() + " file(s); latest"
                        + " hash " + r.latestHash());
            }
            if (!r.valid()) {
                AuditVerifier.Break b = r.firstBreak().orElseThrow();
                ctx.err().println("Error: audit log tampered: " + b.file() + " line " + b.line() + ": " + b.reason()
                        + " (" + r.records() + " records verified before it)");
                return ExitCode.FAILED;
            }
            return ExitCode.OK;
        }
    }
}
