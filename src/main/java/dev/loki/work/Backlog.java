package dev.loki.work;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.LokiException;
import dev.loki.Quote;
import dev.loki.run.Budget;
import dev.loki.run.RunStatus;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import dev.loki.store.RunRecord;
import dev.loki.store.Signals;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A parallel backlog: each entry is an isolated {@code loki start} child process (its own JVM,
 * worktree, session lock, budget share and provider process), at most {@code parallel} at once.
 * Its state ({@code <git-common-dir>/loki/work/backlog.json}) is saved after every change, so a
 * backlog killed half-way is resumed by running it again: finished entries are kept, live
 * children of the dead backlog are adopted, the rest start again and resume their worktree.
 */
public final class Backlog {
    static final String ALL = "_all";

    /** What to run and how. */
    public record Options(List<String> inputs, int parallel, boolean pr, boolean draft, Optional<String> budgetPerRun,
            Optional<Double> totalBudget, Optional<String> base, Optional<String> provider,
            Optional<Integer> maxIterations, Duration poll) {
    }

    /** One line of the live table. */
    public record Row(String run, String status, String phase, int iteration, String gates, long elapsedSec,
            double cost) {
    }

    /** Where the live table goes. */
    public interface Display {
        void show(List<Row> rows);
    }

    private final Path cwd;
    private final Map<String, String> env;
    private final Worktrees trees;

    private Backlog(Path cwd, Map<String, String> env, Worktrees trees) {
        this.cwd = cwd;
        this.env = env;
        this.trees = trees;
    }

    public static Backlog of(Path cwd, Map<String, String> env) {
        return new Backlog(cwd, env, Worktrees.of(cwd, env));
    }

    Path stateFile() {
        return trees.workDir().resolve("backlog.json");
    }

    private Path signalDir() {
        return trees.workDir().resolve("backlog-signals");
    }

    /** The recorded backlog (empty when none ran here). */
    public List<BacklogItem> load() {
        return itemsOf(JsonFiles.peek(stateFile()));
    }

    /** The entries of a read of {@link #stateFile()} (empty when there was none). */
    private static List<BacklogItem> itemsOf(Optional<JsonNode> state) {
        List<BacklogItem> items = new ArrayList<>();
        state.ifPresent(j -> j.path("items").forEach(i -> items.add(BacklogItem.fromJson(i))));
        return items;
    }

    /** The slug (branch and worktree name) a start input gets, as {@code loki start} names it. */
    static String slugFor(String input) {
        String t = input.strip();
        if (IssueRef.looksLikeIssue(t)) {
            return IssueRef.parse(t).slug();
        }
        if (t.chars().anyMatch(Character::isWhitespace)) {
            return WorkStart.slugify(t);
        }
        String name = Path.of(t).getFileName().toString();
        return WorkStart.slugify(name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name);
    }

    /** Runs the backlog to its end; returns every entry with its outcome. */
    public List<BacklogItem> run(Options given, Display display) throws IOException, InterruptedException {
        if (given.parallel() < 0) {
            throw LokiException.badInput("--parallel must be at least 1");
        }
        Options o = given.inputs().isEmpty() ? resumed(given) : given;
        if (o.parallel() < 1) {
            o = withParallel(o, DEFAULT_PARALLEL);
        }
        Files.createDirectories(trees.workDir());
        try (FileChannel ch = FileChannel.open(trees.workDir().resolve("backlog.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                throw LokiException.failed("Another backlog is running in this repository: see 'loki backlog"
                        + " status', stop it with 'loki backlog stop', or wait for it.");
            }
            List<BacklogItem> items = merge(o.inputs(), load());
            clearSignals(Optional.empty());
            return new Scheduler(o, items, display).run();
        }
    }

    /** Runs at once when --parallel is not given (and no resumed backlog says otherwise). */
    public static final int DEFAULT_PARALLEL = 2;

    /**
     * A backlog run again without items resumes the last one with the options it was started with
     * (--pr, --draft, budgets, --base, --provider, --max-iterations, --parallel), each unless given
     * again: otherwise a resume after a crash would quietly open no pull requests and spend
     * without the backlog's budget. ({@code --pr} and {@code --draft} cannot be taken back.)
     */
    private Options resumed(Options o) {
        Optional<JsonNode> saved = JsonFiles.peek(stateFile()).map(j -> j.path("options")).filter(JsonNode::isObject);
        if (saved.isEmpty()) {
            return o;
        }
        JsonNode s = saved.get();
        java.util.function.Function<String, Optional<String>> text = k -> Optional.of(s.path(k).asText(""))
                .filter(v -> !v.isEmpty());
        return new Options(o.inputs(), o.parallel() > 0 ? o.parallel() : s.path("parallel").asInt(0),
                o.pr() || s.path("pr").asBoolean(false), o.draft() || s.path("draft").asBoolean(false),
                o.budgetPerRun().or(() -> text.apply("budget")),
                o.totalBudget().or(() -> text.apply("total_budget").map(Double::parseDouble)),
                o.base().or(() -> text.apply("base")), o.provider().or(() -> text.apply("provider")),
                o.maxIterations().or(() -> s.path("max_iterations").isInt()
                        ? Optional.of(s.path("max_iterations").asInt()) : Optional.empty()),
                o.poll());
    }

    private static Options withParallel(Options o, int parallel) {
        return new Options(o.inputs(), parallel, o.pr(), o.draft(), o.budgetPerRun(), o.totalBudget(), o.base(),
                o.provider(), o.maxIterations(), o.poll());
    }

    private static ObjectNode optionsJson(Options o) {
        ObjectNode j = Json.object();
        j.put("parallel", o.parallel());
        j.put("pr", o.pr());
        j.put("draft", o.draft());
        j.put("budget", o.budgetPerRun().orElse(""));
        j.put("total_budget", o.totalBudget().map(t -> Double.toString(t)).orElse(""));
        j.put("base", o.base().orElse(""));
        j.put("provider", o.provider().orElse(""));
        o.maxIterations().ifPresent(n -> j.put("max_iterations", n));
        return j;
    }

    /** New entries, keeping what a previous (crashed or stopped) run of the same backlog achieved. */
    private List<BacklogItem> merge(List<String> inputs, List<BacklogItem> previous) {
        Map<String, BacklogItem> old = new LinkedHashMap<>();
        previous.forEach(i -> old.put(i.input.strip(), i));
        if (inputs.isEmpty()) {
            if (previous.isEmpty()) {
                throw LokiException.badInput("Nothing to run: name issues (loki backlog run '#12' '#13'), --from FILE"
                        + " or --label LABEL");
            }
            return previous;
        }
        Map<String, BacklogItem> items = new LinkedHashMap<>();
        for (String in : inputs) {
            if (items.values().stream().anyMatch(i -> Worktrees.sameSource(i.input, in))) {
                continue; // the same task or issue twice
            }
            BacklogItem prev = old.get(in.strip());
            if (prev != null && !items.containsKey(prev.slug)) {
                items.put(prev.slug, prev);
                continue;
            }
            // a different task whose text reduces to the same slug gets a worktree of its own
            String slug = trees.slugFor(slugFor(in), in, items.keySet());
            items.put(slug, new BacklogItem(in, slug));
        }
        return new ArrayList<>(items.values());
    }

    /** Writes STOP, PAUSE or resume for one run (by run name or input) or all; returns the runs signalled. */
    public List<String> signal(Optional<String> run, String what) throws IOException {
        List<BacklogItem> items = load();
        if (items.isEmpty()) {
            throw LokiException.failed("No backlog recorded in this repository: start one with 'loki backlog run'");
        }
        List<BacklogItem> targets = new ArrayList<>();
        for (BacklogItem i : items) {
            if (run.isEmpty() || run.get().equals(i.slug) || run.get().equals(i.input)) {
                targets.add(i);
            }
        }
        if (targets.isEmpty()) {
            throw LokiException.failed("No run '" + Quote.excerpt(run.get(), 80) + "' in the backlog: see 'loki"
                    + " backlog status'");
        }
        String key = run.isEmpty() ? ALL : targets.get(0).slug;
        Files.createDirectories(signalDir());
        List<String> done = new ArrayList<>();
        for (BacklogItem i : targets) {
            Path wt = trees.root().resolve(i.slug);
            LokiDir ld = new LokiDir(wt.resolve(".loki"), wt);
            Signals s = new Signals(ld);
            switch (what) {
                case "stop" -> {
                    if (Files.isDirectory(wt)) {
                        s.requestStop();
                    }
                }
                case "pause" -> {
                    if (Files.isDirectory(wt)) {
                        s.requestPause();
                    }
                }
                default -> {
                    if (Files.isDirectory(ld.path())) {
                        s.requestResume();
                    }
                }
            }
            done.add(i.slug);
        }
        switch (what) {
            case "stop" -> Files.writeString(signalDir().resolve(key + ".stop"), Instant.now() + "\n");
            case "pause" -> Files.writeString(signalDir().resolve(key + ".pause"), Instant.now() + "\n");
            default -> clearSignals(run.isEmpty() ? Optional.empty() : Optional.of(key));
        }
        return done;
    }

    private void clearSignals(Optional<String> key) throws IOException {
        for (String s : List.of("stop", "pause")) {
            if (key.isPresent()) {
                Files.deleteIfExists(signalDir().resolve(key.get() + "." + s));
            } else if (Files.isDirectory(signalDir())) {
                try (var files = Files.list(signalDir())) {
                    for (Path p : files.filter(f -> f.getFileName().toString().endsWith("." + s)).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    private boolean marked(String slug, String what) {
        return Files.exists(signalDir().resolve(slug + "." + what)) || Files.exists(signalDir().resolve(ALL + "." + what));
    }

    /** The one thread that starts children, watches them and saves the state. */
    private final class Scheduler {
        private final Options o;
        private final List<BacklogItem> items;
        private final Display display;
        private final Map<String, ProcessHandle> live = new HashMap<>();
        private final Map<String, Process> children = new HashMap<>();
        private final Instant startedAt = Instant.now();
        private boolean budgetStopped;
        /** Each run's part of what {@code --total-budget} had left when this backlog (or its resume) began. */
        private double share;
        /** What each entry not running now spent, read once: it changes only while the entry runs. */
        private final Map<String, Double> spentIdle = new HashMap<>();

        Scheduler(Options o, List<BacklogItem> items, Display display) {
            this.o = o;
            this.items = items;
            this.display = display;
        }

        List<BacklogItem> run() throws IOException, InterruptedException {
            for (BacklogItem i : items) {
                if (BacklogItem.RUNNING.equals(i.status)) {
                    Optional<ProcessHandle> h = lokiAlive(i.pid) ? ProcessHandle.of(i.pid) : Optional.empty();
                    if (h.isPresent()) {
                        live.put(i.slug, h.get());
                    } else {
                        i.status = BacklogItem.PENDING;
                    }
                } else if (!BacklogItem.COMPLETED.equals(i.status)) {
                    i.status = BacklogItem.PENDING;
                    i.reason = "";
                }
            }
            shareWhatIsLeft();
            save();
            Thread hook = new Thread(this::onShutdown, "loki-backlog-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                while (true) {
                    synchronized (this) {
                        reap();
                        relaySignals();
                        startMore();
                        display.show(rows());
                        enforceBudget();
                        if (live.isEmpty() && items.stream().allMatch(BacklogItem::finished)) {
                            break;
                        }
                    }
                    Thread.sleep(o.poll().toMillis());
                }
            } finally {
                if (!live.isEmpty()) {
                    stopChildren();
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // the JVM is already shutting down: the hook runs anyway
                }
                save();
            }
            return items;
        }

        private void startMore() throws IOException {
            for (BacklogItem i : items) {
                if (live.size() >= o.parallel()) {
                    return;
                }
                if (!BacklogItem.PENDING.equals(i.status)) {
                    continue;
                }
                if (marked(i.slug, "stop")) {
                    i.status = BacklogItem.STOPPED;
                    i.reason = "stopped before it started (loki backlog stop)";
                    save();
                    continue;
                }
                if (budgetStopped) {
                    i.status = BacklogItem.SKIPPED;
                    i.reason = String.format(Locale.ROOT, "the backlog budget ($%.2f) was spent",
                            o.totalBudget().orElse(0.0));
                    save();
                    continue;
                }
                List<String> args = new ArrayList<>(List.of("start", i.input, "--isolation", "worktree"));
                if (o.pr()) {
                    args.add("--pr");
                }
                if (o.draft()) {
                    args.add("--draft");
                }
                if (i.attempts == 0) {
                    i.spendBefore = spentInWorktree(i);
                }
                perRunBudget(i).ifPresent(b -> args.addAll(List.of("--budget", b)));
                o.base().ifPresent(b -> args.addAll(List.of("--base", b)));
                o.provider().ifPresent(p -> args.addAll(List.of("--provider", p)));
                o.maxIterations().ifPresent(n -> args.addAll(List.of("--max-iterations", n.toString())));
                Map<String, String> childEnv = new HashMap<>(env);
                childEnv.remove("LOKI_DIR");
                childEnv.put(WorkStart.BACKLOG_SLUG, i.slug + ":" + Worktrees.shortHash(i.input.strip()));
                Process p = WorkProcesses.startLoki(args, cwd, childEnv, logOf(i));
                spentIdle.remove(i.slug);
                children.put(i.slug, p);
                live.put(i.slug, p.toHandle());
                i.status = BacklogItem.RUNNING;
                i.pid = p.pid();
                i.attempts++;
                i.startedAt = Instant.now().toString();
                i.worktree = trees.root().resolve(i.slug).toString();
                save();
            }
        }

        /**
         * {@code --total-budget} when the backlog begins or resumes: what its entries spent so far
         * counts, and the entries not completed share what is left (a fresh backlog: the total over
         * the entries). Nothing left: nothing new starts.
         */
        private void shareWhatIsLeft() throws IOException {
            if (o.totalBudget().isEmpty()) {
                return;
            }
            double left = o.totalBudget().get() - spent();
            long runs = items.stream().filter(i -> !BacklogItem.COMPLETED.equals(i.status)).count();
            share = left / Math.max(1, runs);
            if (share < 0.0001) { // under what --budget can say: spent
                stopForBudget();
            }
        }

        /**
         * Each run's limit: {@code --budget}, else its share of what {@code --total-budget} had left,
         * plus what its run spent so far when it continues that run (its own limit counts it).
         */
        private Optional<String> perRunBudget(BacklogItem i) {
            if (o.budgetPerRun().isPresent()) {
                return o.budgetPerRun();
            }
            if (o.totalBudget().isEmpty()) {
                return Optional.empty();
            }
            LokiDir ld = lokiDirOf(i);
            double carried = Files.isDirectory(ld.path()) && dev.loki.run.RunStarter.continuesRun(ld)
                    ? new Budget(ld, Optional.empty()).spend() : 0;
            return Optional.of(String.format(Locale.ROOT, "%.4f", share + carried));
        }

        /** What the backlog's runs spent, every run of every entry, across resumes. */
        private double spent() {
            double sum = 0;
            for (BacklogItem i : items) {
                if (live.containsKey(i.slug)) {
                    sum += spentBy(i);
                } else {
                    sum += spentIdle.computeIfAbsent(i.slug, k -> spentBy(i));
                }
            }
            return sum;
        }

        private double spentBy(BacklogItem i) {
            if (i.attempts == 0) {
                return 0;
            }
            if (!Files.isDirectory(lokiDirOf(i).path())) {
                return i.cost; // its worktree was cleaned away: its last run's spend is what is known
            }
            return Math.max(i.cost, spentInWorktree(i) - i.spendBefore);
        }

        private double spentInWorktree(BacklogItem i) {
            LokiDir ld = lokiDirOf(i);
            return Files.isDirectory(ld.path()) ? Budget.spendOfEveryRun(ld) : 0;
        }

        private LokiDir lokiDirOf(BacklogItem i) {
            Path wt = trees.root().resolve(i.slug);
            return new LokiDir(wt.resolve(".loki"), wt);
        }

        /** Finished children: their outcome is read from their worktree (proof, finish record). */
        private void reap() throws IOException {
            for (BacklogItem i : items) {
                ProcessHandle h = live.get(i.slug);
                if (h == null || h.isAlive()) {
                    continue;
                }
                Process p = children.remove(i.slug);
                live.remove(i.slug);
                int exit = -1;
                if (p != null) {
                    try {
                        exit = p.waitFor();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                conclude(i, exit, o.pr());
                spentIdle.remove(i.slug);
                save();
            }
        }

        /**
         * The backlog's budget: once the runs together spent it (every run of every entry, earlier
         * attempts and resumes included), nothing new starts and the rest stop.
         */
        private void enforceBudget() throws IOException {
            if (o.totalBudget().isEmpty() || budgetStopped) {
                return;
            }
            if (spent() >= o.totalBudget().get()) {
                stopForBudget();
            }
        }

        private void stopForBudget() throws IOException {
            budgetStopped = true;
            for (String slug : live.keySet()) {
                Path wt = trees.root().resolve(slug);
                new Signals(new LokiDir(wt.resolve(".loki"), wt)).requestStop();
            }
        }

        /**
         * Stop and pause asked for through {@code loki backlog}: raised again on a run that started
         * after them (a starting run clears stale signals).
         */
        private void relaySignals() throws IOException {
            for (String slug : live.keySet()) {
                Path wt = trees.root().resolve(slug);
                LokiDir ld = new LokiDir(wt.resolve(".loki"), wt);
                if (!Files.isDirectory(ld.resolve("state"))) {
                    continue;
                }
                Signals s = new Signals(ld);
                if (marked(slug, "stop") && !s.isSet(Signals.STOP)) {
                    s.requestStop();
                }
                if (marked(slug, "pause") && !s.isSet(Signals.PAUSE)) {
                    s.requestPause();
                }
            }
        }

        List<Row> rows() {
            List<Row> rows = new ArrayList<>();
            for (BacklogItem i : items) {
                Path wt = trees.root().resolve(i.slug);
                LokiDir ld = new LokiDir(wt.resolve(".loki"), wt);
                if (!live.containsKey(i.slug) || !Files.isDirectory(ld.resolve("state"))) {
                    rows.add(new Row(i.slug, i.status, "", i.iterations, "-", elapsed(i), i.cost));
                    continue;
                }
                ObjectNode s = RunStatus.read(ld, env, "");
                rows.add(new Row(i.slug, BacklogItem.RUNNING + (s.path("signals").path("PAUSE").asBoolean(false)
                        ? " (paused)" : ""), s.path("phase").asText(""), s.path("iteration").asInt(),
                        gates(ld), s.path("elapsed_time").asLong(), s.path("budget").path("used").asDouble()));
            }
            return rows;
        }

        /**
         * SIGTERM or Ctrl+C: the main thread's finally never runs, so the children are stopped here
         * and their outcome saved, or backlog.json would say "running" for processes that are gone.
         */
        private void onShutdown() {
            stopChildren();
            synchronized (this) {
                for (BacklogItem i : items) {
                    if (BacklogItem.RUNNING.equals(i.status) && !lokiAlive(i.pid)) {
                        conclude(i, GONE, o.pr()); // its process is gone: its run's files say how it ended
                    }
                }
                try {
                    save();
                } catch (IOException e) {
                    // status derives the same outcome from the runs' files
                }
            }
        }

        private void stopChildren() {
            Map<String, ProcessHandle> live;
            synchronized (this) {
                live = new HashMap<>(this.live);
            }
            for (String slug : List.copyOf(live.keySet())) {
                Path wt = trees.root().resolve(slug);
                try {
                    new Signals(new LokiDir(wt.resolve(".loki"), wt)).requestStop();
                } catch (IOException e) {
                    // killed below
                }
            }
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            for (ProcessHandle h : List.copyOf(live.values())) {
                long left = until - System.nanoTime();
                try {
                    h.onExit().get(Math.max(1, left), java.util.concurrent.TimeUnit.NANOSECONDS);
                } catch (Exception e) {
                    WorkProcesses.killTree(h);
                }
                WorkProcesses.killTree(h);
            }
        }

        private void save() throws IOException {
            ObjectNode o2 = Json.object();
            o2.put("started_at", startedAt.toString());
            o2.put("pid", ProcessHandle.current().pid());
            o2.put("parallel", o.parallel());
            o2.put("pr", o.pr());
            o2.set("options", optionsJson(o));
            ArrayNode a = o2.putArray("items");
            items.forEach(i -> a.add(i.toJson()));
            JsonFiles.write(stateFile(), o2);
        }
    }

    /** The exit code {@link #conclude} gets for an entry whose process is gone without one. */
    private static final int GONE = -1;

    /** A run that ended: its outcome from its worktree (run record, proof, finish record). */
    void conclude(BacklogItem i, int exit, boolean pr) {
        i.exitCode = exit;
        i.endedAt = Instant.now().toString();
        Path wt = trees.root().resolve(i.slug);
        LokiDir ld = new LokiDir(wt.resolve(".loki"), wt);
        Optional<RunRecord> run = Files.isDirectory(ld.path()) ? RunRecord.current(ld) : Optional.empty();
        Optional<JsonNode> fin = JsonFiles.peek(ld.resolve(Finisher.FINISH_JSON));
        run.ifPresent(r -> {
            i.runId = r.runId();
            i.elapsedSec = runElapsed(r);
            i.iterations = r.iterations();
            Path html = ld.resolve("proofs").resolve(r.runId()).resolve("index.html");
            i.proof = Files.isRegularFile(html) ? html.toString() : "";
        });
        i.cost = Files.isDirectory(ld.path()) ? new Budget(ld, Optional.empty()).spend() : 0;
        boolean sameRun = fin.isPresent() && run.isPresent()
                && fin.get().path("run_id").asText().equals(run.get().runId());
        i.prUrl = sameRun ? fin.get().path("pr_url").asText("") : "";
        i.proofHash = sameRun ? fin.get().path("proof_hash").asText("") : "";
        boolean verified = sameRun && fin.get().path("verified").asBoolean(false)
                && fin.get().path("refused").asText("").isEmpty();
        String runStatus = run.map(RunRecord::status).orElse("");
        if (exit == GONE && (run.isEmpty() || "running".equals(runStatus))) {
            i.status = BacklogItem.STOPPED; // its process is gone and the run never recorded an end
            i.reason = "its process is gone (the backlog was stopped or killed); 'loki backlog run' resumes it";
        } else if ((exit == 0 || exit == GONE) && "completed".equals(runStatus) && verified
                && (!pr || !i.prUrl.isEmpty())) {
            i.status = BacklogItem.COMPLETED;
            i.reason = run.get().exitReason();
        } else if ("stopped".equals(runStatus) || marked(i.slug, "stop")) {
            i.status = BacklogItem.STOPPED;
            i.reason = "stopped" + run.map(r -> ": " + r.exitReason()).orElse("");
        } else {
            i.status = BacklogItem.FAILED;
            String refused = sameRun ? fin.get().path("refused").asText("") : "";
            i.reason = !refused.isEmpty() ? refused
                    : run.filter(r -> !"running".equals(r.status())).map(r -> r.status() + ": " + r.exitReason())
                            .orElse("loki start exited " + exit + ": " + dev.loki.process.Processes.lastLine(logOf(i), Integer.MAX_VALUE));
        }
    }

    Path logOf(BacklogItem i) {
        return trees.workDir().resolve("logs").resolve(i.slug + ".log");
    }

    /** "pass", "fail 1/3" or "-" from the run's latest gate report. */
    static String gates(LokiDir ld) {
        Optional<JsonNode> latest = JsonFiles.peek(ld.resolve("quality/latest.json"));
        if (latest.isEmpty() || !latest.get().path("results").isArray() || latest.get().path("results").isEmpty()) {
            return "-";
        }
        int total = 0;
        int failed = 0;
        for (JsonNode r : latest.get().path("results")) {
            total++;
            String st = r.path("status").asText();
            if (!"pass".equals(st) && !"skipped".equals(st)) {
                failed++;
            }
        }
        return failed == 0 ? "pass" : "fail " + failed + "/" + total;
    }

    /**
     * Seconds since the run began, across resumes: what the live table shows for a running entry
     * (the run's own clock), so a finished line does not jump back to its last attempt's time.
     */
    private static long elapsed(BacklogItem i) {
        if (i.elapsedSec > 0) {
            return i.elapsedSec;
        }
        try {
            return i.startedAt.isEmpty() || i.endedAt.isEmpty() ? 0
                    : Duration.between(Instant.parse(i.startedAt), Instant.parse(i.endedAt)).toSeconds();
        } catch (java.time.format.DateTimeParseException e) {
            return 0;
        }
    }

    /** The run's elapsed time as its status reports it: from its start to its end (or now). */
    static long runElapsed(RunRecord r) {
        try {
            Instant start = Instant.parse(r.startedAt());
            Instant end = r.endedAt().isEmpty() ? Instant.now() : Instant.parse(r.endedAt());
            return Math.max(0, Duration.between(start, end).toSeconds());
        } catch (java.time.format.DateTimeParseException e) {
            return 0;
        }
    }

    /**
     * The recorded backlog as it is now, for {@code loki backlog status}: a "running" entry whose
     * process is gone (the backlog was stopped or killed) takes its outcome from its run's own
     * files, and a proof whose worktree was cleaned away is not shown as a path that no longer
     * exists. Nothing is written.
     */
    public List<BacklogItem> status() {
        // one read: the entries and the backlog's --pr from the same state, not from two saves of it
        Optional<JsonNode> state = JsonFiles.peek(stateFile());
        List<BacklogItem> items = itemsOf(state);
        boolean pr = state.map(j -> j.path("pr").asBoolean(false)).orElse(false);
        for (BacklogItem i : items) {
            if (BacklogItem.RUNNING.equals(i.status) && !lokiAlive(i.pid)) {
                conclude(i, GONE, pr);
            }
            if (!i.proof.isEmpty() && !Files.exists(Path.of(i.proof))) {
                Optional<Path> kept = keptProof(i);
                i.note = "worktree removed (loki runs clean)" + kept.map(k -> "; its proof is kept at " + k)
                        .orElse("; its proof went with it") + (i.prUrl.isEmpty() ? "" : "; see the pull request");
                i.proof = kept.map(Path::toString).orElse("");
            }
        }
        return items;
    }


    /** The proof inside the copy {@code loki runs clean --force} keeps of a removed worktree, newest first. */
    private Optional<Path> keptProof(BacklogItem i) {
        Path trash = trees.workDir().resolve("trash");
        if (i.runId.isEmpty() || !Files.isDirectory(trash)) {
            return Optional.empty();
        }
        try (var s = Files.list(trash)) {
            return s.filter(p -> p.getFileName().toString().matches(java.util.regex.Pattern.quote(i.slug) + "-\\d+"))
                    .sorted(java.util.Comparator.comparing(Path::toString).reversed())
                    .map(p -> p.resolve("tree/.loki/proofs").resolve(i.runId).resolve("index.html"))
                    .filter(Files::isRegularFile).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** True when {@code pid} is a live loki process (not a recycled pid of something else). */
    static boolean lokiAlive(long pid) {
        return pid > 0 && ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().orElse("").contains("dev.loki.cli.Main")).isPresent();
    }
}
