package dev.loki.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.ExitCode;
import dev.loki.store.Json;
import dev.loki.work.Worktrees;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code loki runs}: the isolated runs (worktrees) of this repository; {@code loki runs clean}. */
@Command(name = "runs", mixinStandardHelpOptions = true,
        description = {"List the isolated runs of this repository: worktree, branch, state, disk, unpushed commits.",
            "Commands: clean."},
        subcommands = RunsCommand.Clean.class)
public final class RunsCommand extends BaseCommand {
    @Option(names = "--json", description = "Print JSON (for scripts).")
    boolean json;

    RunsCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() throws Exception {
        List<Worktrees.Entry> entries = Worktrees.of(ctx.cwd(), ctx.env()).list();
        if (json) {
            ArrayNode a = Json.MAPPER.createArrayNode();
            entries.forEach(e -> a.add(e.toJson()));
            ctx.out().println(Json.pretty(a));
            return ExitCode.OK;
        }
        if (entries.isEmpty()) {
            ctx.out().println("No isolated runs. Start one with: loki start '#123' (or --isolation worktree)");
            return ExitCode.OK;
        }
        ctx.out().println(String.format("%-28s %-16s %-7s %9s %8s %-5s %s", "RUN", "STATE", "ACTIVE", "DISK",
                "UNPUSHED", "DIRTY", "WORKTREE"));
        for (Worktrees.Entry e : entries) {
            ctx.out().println(String.format("%-28s %-16s %-7s %9s %8d %-5s %s", e.worktree().slug(), e.status(),
                    e.active() ? "yes" : "no", CheckpointOutput.humanBytes(e.diskBytes()), e.unpushed(),
                    e.dirty() ? "yes" : "no", dev.loki.Quote.path(e.worktree().path().toString())));
        }
        return ExitCode.OK;
    }

    @Command(name = "clean", mixinStandardHelpOptions = true,
            description = {"Remove finished isolated runs: their worktree and branch.",
                "A live run is never touched; a branch with unpushed commits or a tree with uncommitted changes is",
                "kept unless --force, which first keeps a restorable copy (a bundle and the tree)."})
    static final class Clean extends BaseCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "RUN", description = "Only this run (see 'loki runs').")
        String run;

        @Option(names = "--force", description = "Also runs with unpushed or uncommitted work (a copy is kept).")
        boolean force;

        @Option(names = "--json", description = "Print JSON (for scripts).")
        boolean json;

        Clean(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() throws Exception {
            List<Worktrees.Cleaned> done = Worktrees.of(ctx.cwd(), ctx.env()).clean(Optional.ofNullable(run), force);
            boolean keptAny = done.stream().anyMatch(c -> !c.removed());
            if (json) {
                ArrayNode a = Json.MAPPER.createArrayNode();
                for (Worktrees.Cleaned c : done) {
                    ObjectNode o = a.addObject();
                    o.put("run", c.slug());
                    o.put("removed", c.removed());
                    o.put("note", c.note());
                }
                ctx.out().println(Json.pretty(a));
            } else if (done.isEmpty()) {
                ctx.out().println("No isolated runs to clean.");
            } else {
                for (Worktrees.Cleaned c : done) {
                    ctx.out().println((c.removed() ? "removed  " : "kept     ") + c.slug() + ": "
                            + dev.loki.Quote.line(c.note()));
                }
            }
            return keptAny && run != null ? ExitCode.FAILED : ExitCode.OK;
        }
    }
}
