package dev.loki.cli;

import dev.loki.ExitCode;
import dev.loki.checkpoint.Checkpoint;
import dev.loki.checkpoint.CheckpointRecords;
import dev.loki.checkpoint.CheckpointRequest;
import dev.loki.checkpoint.CheckpointService;
import dev.loki.store.Json;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code loki checkpoint}: create, list, show, roll back to, and garbage-collect checkpoints. */
@Command(name = "checkpoint", aliases = "cp", mixinStandardHelpOptions = true,
        description = {"Checkpoints of agent state and code.",
            "Commands: list (default), create, show, rollback, diff, gc, help."},
        subcommands = {
            CheckpointCommand.ListCmd.class,
            CheckpointCommand.Create.class,
            CheckpointCommand.Show.class,
            CheckpointCommand.RollbackAlias.class,
            CheckpointCommand.Diff.class,
            CheckpointCommand.Gc.class,
            picocli.CommandLine.HelpCommand.class,
        })
public final class CheckpointCommand extends BaseCommand {
    CheckpointCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() {
        return ListCmd.list(ctx, false, 20, false);
    }

    /**
     * The project's checkpoints; notices (orphans cleaned, a removed .loki recreated) go to
     * stderr. With {@code mustExist}, fails when the project has neither a .loki nor records
     * kept under its git directory (those outlive {@code rm -rf .loki}).
     */
    static CheckpointService service(CliContext ctx, boolean mustExist) {
        var dir = ctx.lokiDir();
        CheckpointService svc = CheckpointService.open(dir, ctx.env())
                .reportTo(line -> ctx.err().println("Note: " + dev.loki.Quote.line(line)));
        if (mustExist && !svc.hasRecords()) {
            dir.requireExisting();
        }
        return svc;
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true,
            description = "List checkpoints, oldest first (every kind, also upstream's).")
    static final class ListCmd extends BaseCommand {
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "20",
                description = "Show the newest N (default ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--all", description = "Show every checkpoint.")
        boolean all;

        ListCmd(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            return list(ctx, json, limit, all);
        }

        static int list(CliContext ctx, boolean json, int limit, boolean all) {
            if (limit < 1) {
                throw dev.loki.LokiException.badInput("--limit must be at least 1");
            }
            CheckpointService svc = service(ctx, false);
            CheckpointRecords.Scan scan = svc.hasRecords() ? svc.scan()
                    : new CheckpointRecords.Scan(List.of(), List.of(), List.of(), List.of());
            List<Checkpoint> cps = scan.checkpoints();
            List<Checkpoint> shown = all || cps.size() <= limit ? cps : cps.subList(cps.size() - limit, cps.size());
            // kept beyond the retention count: say which and why, or a list longer than the count puzzles
            java.util.Map<String, String> pinned = dev.loki.checkpoint.RetentionPins.of(svc.lokiDir(), cps);
            if (json) {
                var arr = Json.MAPPER.createArrayNode();
                for (Checkpoint c : shown) {
                    arr.add(dev.loki.checkpoint.CheckpointJson.of(c, pinned));
                }
                scan.corrupt().forEach(c -> arr.add(CheckpointOutput.toJson(c)));
                ctx.out().println(Json.pretty(arr));
            } else {
                CheckpointOutput.printList(ctx.out(), shown, cps.size());
                if (!pinned.isEmpty() && cps.size() > svc.settings().retention()) {
                    ctx.out().println("Kept in addition to the newest " + svc.settings().retention()
                            + " (LOKI_CHECKPOINT_RETENTION), whatever their age: " + String.join(", ",
                                    pinned.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")")
                                            .toList()));
                }
            }
            scan.corrupt().forEach(c -> ctx.err().println("Warning: " + dev.loki.Quote.line(c.line())));
            return ExitCode.OK;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Take a checkpoint of agent state and code (tracked and untracked files).")
    static final class Create extends BaseCommand {
        @Parameters(arity = "0..*", paramLabel = "MESSAGE", description = "What this checkpoint is for.")
        List<String> words;

        @Option(names = "--state-only", description = "Save agent state only, not the code.")
        boolean stateOnly;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        Create(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            String message = words == null ? "" : String.join(" ", words);
            CheckpointRequest req = CheckpointRequest.manual(message);
            ctx.err().println("Taking a checkpoint...");
            List<String> notices = new java.util.ArrayList<>();
            CheckpointService svc = service(ctx, false).reportTo(line -> {
                notices.add(line);
                ctx.err().println("Note: " + dev.loki.Quote.line(line));
            });
            Checkpoint cp = svc.create(stateOnly ? req.withoutCode() : req);
            if (json) {
                var o = dev.loki.checkpoint.CheckpointJson.of(cp);
                var arr = o.putArray("notices");
                notices.forEach(arr::add);
                ctx.out().println(Json.pretty(o));
            } else {
                CheckpointOutput.printCreated(ctx.out(), ctx.err(), cp);
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one checkpoint.")
    static final class Show extends BaseCommand {
        @Parameters(paramLabel = "ID", description = "The checkpoint id.")
        String id;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        Show(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            Checkpoint cp = service(ctx, true).get(id);
            if (json) {
                ctx.out().println(Json.pretty(dev.loki.checkpoint.CheckpointJson.of(cp)));
            } else {
                CheckpointOutput.printShow(ctx.out(), cp);
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Same as 'loki rollback to ID': restore agent state and code.")
    static final class RollbackAlias extends BaseCommand {
        @picocli.CommandLine.Mixin
        RollbackCommand.RollbackFlags flags;

        @Parameters(paramLabel = "ID", description = "The checkpoint id.")
        String id;

        RollbackAlias(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            return RollbackCommand.rollback(ctx, id, flags);
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = "Same as 'loki rollback diff ID': what a rollback would change.")
    static final class Diff extends BaseCommand {
        @Parameters(paramLabel = "ID", description = "The checkpoint id.")
        String id;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        Diff(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            return RollbackCommand.diff(ctx, id, json);
        }
    }

    @Command(name = "gc", mixinStandardHelpOptions = true,
            description = {"Apply retention and repack the snapshot store.",
                "Afterwards every kept snapshot holds its own copy of its files, so it stays restorable",
                "even if the repository's history is rewritten and garbage-collected."})
    static final class Gc extends BaseCommand {
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        Gc(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            ctx.err().println("Collecting garbage in the checkpoint store...");
            CheckpointService.PruneReport r = service(ctx, true).gc();
            if (json) {
                var o = Json.object();
                var removed = o.putArray("removed");
                r.removed().forEach(removed::add);
                o.put("bytes_before", r.bytesBefore());
                o.put("bytes_after", r.bytesAfter());
                o.put("repacked", r.repacked());
                var notes = o.putArray("notes");
                r.notes().forEach(notes::add);
                ctx.out().println(Json.pretty(o));
            } else {
                CheckpointOutput.printPrune(ctx.out(), r);
            }
            return ExitCode.OK;
        }
    }
}
