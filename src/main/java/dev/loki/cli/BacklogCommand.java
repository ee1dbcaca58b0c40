package dev.loki.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.ExitCode;
import dev.loki.LokiException;
import dev.loki.store.Json;
import dev.loki.work.Backlog;
import dev.loki.work.BacklogItem;
import dev.loki.work.BacklogTable;
import dev.loki.work.GitHub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code loki backlog}: many issues at once, each an isolated run; stop, pause and resume them. */
@Command(name = "backlog", mixinStandardHelpOptions = true,
        description = {"Run many issues or tasks at once, each isolated in its own worktree and process.",
            "Commands: run, status, stop, pause, resume."},
        subcommands = {BacklogCommand.Run.class, BacklogCommand.Status.class, BacklogCommand.Stop.class,
            BacklogCommand.Pause.class, BacklogCommand.Resume.class})
public final class BacklogCommand extends BaseCommand {
    BacklogCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() {
        return usage();
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run issues (#12, owner/repo#12, URLs), spec files or quoted tasks, --parallel at a time.",
                "Each is 'loki start ITEM --isolation worktree' in its own process. Exit 0 only when every run",
                "completed with a verifying proof (and, with --pr, a pull request). Run it again after a crash or a",
                "stop to resume: finished runs are kept, the others resume in their worktrees."})
    static final class Run extends BaseCommand {
        @Parameters(arity = "0..*", paramLabel = "ISSUE", description = "What to run (none: resume the last backlog).")
        List<String> inputs = new ArrayList<>();

        @Option(names = "--from", paramLabel = "FILE", description = "Read items from FILE, one a line.")
        Path from;

        @Option(names = "--label", paramLabel = "LABEL", description = "Every open issue with this label (gh).")
        String label;

        @Option(names = "--parallel", paramLabel = "N",
                description = "Runs at once (default 2, or what the resumed backlog was started with).")
        Integer parallel;

        @Option(names = "--pr", description = "Open a pull request for each verified run.")
        boolean pr;

        @Option(names = "--draft", description = "Open the pull requests as drafts.")
        boolean draft;

        @Option(names = "--budget", paramLabel = "USD", description = "Spend limit of each run.")
        String budget;

        @Option(names = "--total-budget", paramLabel = "USD",
                description = "Spend limit of the whole backlog, across resumes: what is left is split over the runs"
                        + " not completed; when spent, the rest stop.")
        String totalBudget;

        @Option(names = "--base", paramLabel = "REF", description = "Where each run's branch starts (default: HEAD).")
        String base;

        @Option(names = "--provider", paramLabel = "NAME", description = "claude, codex, cline, aider or command.")
        String provider;

        @Option(names = "--max-iterations", paramLabel = "N", description = "Provider calls at most, per run.")
        Integer maxIterations;

        @Option(names = "--json", description = "Print the summary as JSON (progress lines go to stderr).")
        boolean json;

        Run(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() throws Exception {
            if (parallel != null && parallel < 1) {
                throw LokiException.badInput("--parallel must be at least 1");
            }
            if (draft && !pr) {
                throw LokiException.badInput("--draft is for the pull requests: add --pr");
            }
            for (String b : new String[] {budget, totalBudget}) {
                if (b != null && (!b.matches("^[0-9]+(\\.[0-9]+)?$") || Double.parseDouble(b) <= 0)) {
                    throw LokiException.badInput("Budgets are a number of USD more than 0, e.g. 5 or 2.50, not '"
                            + dev.loki.Quote.excerpt(b, 40) + "' (leave it out for no limit)");
                }
            }
            long poll = new dev.loki.provider.EnvReader(ctx.env()).integer("LOKI_BACKLOG_POLL_MS", 250, 1, 60_000);
            List<String> items = new ArrayList<>(inputs);
            if (from != null) {
                items.addAll(readList(ctx.cwd().resolve(from)));
            }
            if (label != null) {
                List<String> labelled = new GitHub(ctx.cwd(), ctx.env()).withLabel(label).stream()
                        .map(Object::toString).toList();
                if (labelled.isEmpty() && items.isEmpty()) {
                    throw LokiException.failed("No open issue is labelled '" + label + "'");
                }
                if (labelled.isEmpty()) {
                    ctx.err().println("Note: no open issue is labelled '" + label + "'; running the " + items.size()
                            + " other item(s)");
                }
                items.addAll(labelled);
            }
            Backlog backlog = Backlog.of(ctx.cwd(), ctx.env());
            boolean tty = !json && ctx.out() == System.out && System.console() != null
                    && !"dumb".equals(ctx.env().get("TERM"));
            Backlog.Display table = new BacklogTable(json ? ctx.err() : ctx.out(), tty);
            List<BacklogItem> done = backlog.run(new Backlog.Options(items, parallel == null ? 0 : parallel, pr, draft,
                    Optional.ofNullable(budget), Optional.ofNullable(totalBudget).map(Double::parseDouble),
                    Optional.ofNullable(base), Optional.ofNullable(provider), Optional.ofNullable(maxIterations),
                    Duration.ofMillis(poll)), table);
            print(ctx, done, json);
            return done.stream().allMatch(BacklogItem::verified) ? ExitCode.OK : ExitCode.FAILED;
        }

        private static List<String> readList(Path file) throws IOException {
            if (!Files.isRegularFile(file)) {
                throw LokiException.badInput("--from " + file + ": no such file");
            }
            List<String> out = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("# ") && !t.startsWith("//")) {
                    out.add(t);
                }
            }
            return out;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "The recorded backlog and its runs.")
    static final class Status extends BaseCommand {
        @Option(names = "--json", description = "Print JSON (for scripts).")
        boolean json;

        Status(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            List<BacklogItem> items = Backlog.of(ctx.cwd(), ctx.env()).status();
            if (items.isEmpty() && !json) {
                ctx.out().println("No backlog recorded here. Start one with: loki backlog run '#12' '#13'");
                return ExitCode.OK;
            }
            print(ctx, items, json);
            return ExitCode.OK;
        }
    }

    /** The summary: each run's result, proof and pull request. */
    static void print(CliContext ctx, List<BacklogItem> items, boolean json) {
        if (json) {
            ObjectNode o = Json.object();
            o.put("verified", items.stream().allMatch(BacklogItem::verified));
            o.put("completed", items.stream().filter(BacklogItem::verified).count());
            o.put("total", items.size());
            ArrayNode a = o.putArray("runs");
            for (BacklogItem i : items) {
                ObjectNode r = a.addObject();
                r.put("run", i.slug());
                r.put("input", i.input());
                r.put("status", i.status());
                r.put("iterations", i.iterations());
                r.put("cost_usd", i.cost());
                r.put("proof", i.proof());
                r.put("pr_url", i.prUrl());
                r.put("reason", i.reason());
                if (!i.note().isEmpty()) {
                    r.put("note", i.note());
                }
            }
            ctx.out().println(Json.pretty(o));
            return;
        }
        long ok = items.stream().filter(BacklogItem::verified).count();
        ctx.out().println("Backlog: " + ok + " of " + items.size() + " run(s) completed with a verified proof");
        for (BacklogItem i : items) {
            ctx.out().println(String.format(Locale.ROOT, "  %-24s %-10s %3d iter  $%.4f  %s", i.slug(), i.status(),
                    i.iterations(), i.cost(), i.verified() ? (i.prUrl().isEmpty() ? "" : i.prUrl() + "  ")
                            + (i.note().isEmpty() ? "proof " + i.proof() : i.note()) : i.reason()));
        }
    }

    abstract static class SignalCommand extends BaseCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "RUN", description = "One run (default: all).")
        String run;

        SignalCommand(CliContext ctx) {
            super(ctx);
        }

        abstract String what();

        @Override
        protected int doCall() throws Exception {
            List<String> runs = Backlog.of(ctx.cwd(), ctx.env()).signal(Optional.ofNullable(run), what());
            ctx.out().println(what().toUpperCase(Locale.ROOT) + " sent to " + String.join(", ", runs));
            return ExitCode.OK;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop one run of the backlog, or all (no new run starts); 'backlog run' resumes.")
    static final class Stop extends SignalCommand {
        Stop(CliContext ctx) {
            super(ctx);
        }

        @Override
        String what() {
            return "stop";
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause one run of the backlog, or all.")
    static final class Pause extends SignalCommand {
        Pause(CliContext ctx) {
            super(ctx);
        }

        @Override
        String what() {
            return "pause";
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Resume one paused run of the backlog, or all.")
    static final class Resume extends SignalCommand {
        Resume(CliContext ctx) {
            super(ctx);
        }

        @Override
        String what() {
            return "resume";
        }
    }
}
