package dev.loki.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.ExitCode;
import dev.loki.git.GitCli;
import dev.loki.git.GitException;
import dev.loki.provider.Provider;
import dev.loki.provider.Providers;
import dev.loki.run.ProviderChoice;
import dev.loki.store.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code loki doctor [--json]}: is this machine ready for a run? git, a provider CLI, the JDK,
 * free disk; each missing piece says how to get it. Exit 1 when a required piece is missing.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check that git, a provider CLI, the JDK and free disk are in place.")
public final class DoctorCommand extends BaseCommand {
    private static final long MIN_FREE = 1024L * 1024 * 1024;

    @Option(names = "--json", description = "Print JSON (for scripts).")
    boolean json;

    DoctorCommand(CliContext ctx) {
        super(ctx);
    }

    record Check(String name, boolean required, String status, String version, String path, String hint) {
        boolean ok() {
            return !status.equals("missing") && !status.equals("fail");
        }
    }

    @Override
    protected int doCall() throws IOException {
        List<Check> checks = new ArrayList<>();
        checks.add(git());
        String current = ProviderChoice.resolve(Optional.empty(), ctx.env(), ctx.lokiDir()).name();
        boolean anyProvider = false;
        for (String name : Providers.NAMES) {
            Provider p = Providers.byName(name, ctx.env());
            if (name.equals("command") && p.command().isEmpty()) {
                continue;
            }
            Optional<Path> at = p.locate(ctx.env());
            anyProvider |= at.isPresent();
            checks.add(new Check("provider:" + name, false, at.isPresent() ? "ok" : "missing", "",
                    at.map(Path::toString).orElse(""), at.isPresent() ? "" : p.installHint()));
        }
        Provider cur = Providers.byName(current, ctx.env());
        boolean currentOk = cur.locate(ctx.env()).isPresent();
        checks.add(new Check("provider (current: " + current + ")", true, currentOk ? "ok" : "missing", "",
                cur.locate(ctx.env()).map(Path::toString).orElse(""), currentOk ? ""
                        : anyProvider ? "pick an installed one: loki provider set <name>" : cur.installHint()));
        int feature = Runtime.version().feature();
        checks.add(new Check("jdk", true, feature >= 17 ? "ok" : "fail", System.getProperty("java.version"),
                System.getProperty("java.home"), feature >= 17 ? "" : "install JDK 17 or newer"));
        Path where = ctx.cwd();
        long free = Files.getFileStore(where).getUsableSpace();
        checks.add(new Check("disk", true, free >= MIN_FREE ? "ok" : free >= MIN_FREE / 10 ? "warn" : "fail",
                (free / (1024 * 1024)) + " MB free", where.toString(),
                free >= MIN_FREE ? "" : "free some disk space: checkpoints and agent output need room"));
        checks.addAll(checkpointChecks());
        boolean ok = checks.stream().filter(Check::required).allMatch(Check::ok);
        if (json) {
            ObjectNode o = Json.object();
            ArrayNode arr = o.putArray("checks");
            for (Check c : checks) {
                ObjectNode n = arr.addObject();
                n.put("name", c.name());
                n.put("required", c.required());
                n.put("status", c.status());
                n.put("found", c.ok());
                n.put("version", c.version());
                n.put("path", c.path());
                n.put("hint", c.hint());
            }
            o.putObject("disk").put("free_bytes", free).put("path", where.toString());
            o.put("ok", ok);
            ctx.out().println(Json.pretty(o));
        } else {
            for (Check c : checks) {
                String mark = c.ok() ? (c.status().equals("warn") ? "!" : "ok") : (c.required() ? "MISSING" : "-");
                ctx.out().println(String.format("%-8s %-28s %s%s", mark, c.name(),
                        c.version().isEmpty() ? c.path() : c.version(), c.hint().isEmpty() ? "" : "  -> " + c.hint()));
            }
            ctx.out().println(ok ? "Ready to run." : "Not ready: fix the MISSING items above.");
        }
        return ok ? ExitCode.OK : ExitCode.FAILED;
    }

    /**
     * This project's checkpoint records: corrupt ones (one line each, never dropped silently)
     * and an unfinished rollback. Warnings only: they do not stop a run.
     */
    private List<Check> checkpointChecks() {
        List<Check> out = new ArrayList<>();
        try {
            var dir = ctx.lokiDir();
            var journal = dev.loki.checkpoint.RollbackJournal.at(dir).read();
            journal.ifPresent(p -> out.add(new Check("rollback", false, "warn", "", p.target(), p.line())));
            var svc = CheckpointCommand.service(ctx, false);
            if (!svc.hasRecords()) {
                return out;
            }
            var scan = svc.scan();
            for (var c : scan.corrupt()) {
                out.add(new Check("checkpoint:" + c.id(), false, "warn", "", c.keptAs().toString(), c.line()));
            }
            if (scan.corrupt().isEmpty()) {
                out.add(new Check("checkpoints", false, "ok", scan.checkpoints().size() + " readable",
                        svc.recordsDir().toString(), ""));
            }
        } catch (RuntimeException e) {
            out.add(new Check("checkpoints", false, "warn", "", "", "cannot read the checkpoints: " + e.getMessage()));
        }
        return out;
    }

    private Check git() {
        try {
            GitCli.Result r = GitCli.in(ctx.cwd(), ctx.env()).exec("--version");
            if (r.ok()) {
                return new Check("git", true, "ok", r.out().strip().replace("git version ", ""), "", "");
            }
        } catch (GitException e) {
            // not installed: reported below
        }
        return new Check("git", true, "missing", "", "", "install git (apt-get install git / brew install git)");
    }
}
