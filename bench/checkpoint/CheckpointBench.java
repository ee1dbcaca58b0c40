import dev.loki.checkpoint.Checkpoint;
import dev.loki.checkpoint.CheckpointRequest;
import dev.loki.checkpoint.CheckpointService;
import dev.loki.checkpoint.RollbackOptions;
import dev.loki.checkpoint.RollbackResult;
import dev.loki.git.WorkTreeWatcher;
import dev.loki.store.LokiDir;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Measures, in one run on one tree, interleaved round by round, what a checkpoint costs against
 * what git itself costs: {@code git status}, {@code git stash create} (upstream's snapshot,
 * tracked files only) and {@code java -version}; our first checkpoint (fresh store), the loop's
 * checkpoint (in-process, file watcher on), an in-process checkpoint with a full scan (watcher
 * suspended), {@code loki checkpoint create} through the CLI, and rollback (pre-rollback
 * checkpoint included) plus its undo through the CLI. Each checkpoint follows its own dirty
 * iteration (1% modified, 200 new, 20 deleted). Then, in rounds of their own, {@code loki
 * checkpoint create} through the CLI with {@code loki daemon} running: after the daemon's own
 * previous checkpoint, and after another process's. Run by bench/checkpoint/run.sh.
 *
 *   java -cp target/loki.jar bench/checkpoint/CheckpointBench.java REPO ROUNDS LOKI_LAUNCHER
 */
public class CheckpointBench {
    static final Map<String, List<Double>> samples = new LinkedHashMap<>();
    /**
     * Checkpoints kept (LOKI_BENCH_RETENTION, default 1000: nothing is pruned in a run). A small
     * count (10) measures the steady state of a long run, where every checkpoint also prunes the
     * oldest; the rollback's target, one round back, is still kept.
     */
    static final String RETENTION = System.getenv().getOrDefault("LOKI_BENCH_RETENTION", "1000");
    static final String STATUS = "git status";
    static final String JAVA = "java -version";
    static final String FIRST = "checkpoint create, first of a fresh store (in-process)";
    static final String LOOP = "checkpoint create, loop (in-process, watcher)";
    static final String SCAN = "checkpoint create, full scan (in-process, no watcher)";
    static final String CLI = "checkpoint create (loki CLI)";
    static final String ROLLBACK = "rollback to previous iteration (in-process)";
    static final String DAEMON = "checkpoint create (loki CLI, loki daemon running)";
    static final String DAEMON_AFTER = "checkpoint create (loki CLI, daemon, after another process's checkpoint)";
    static final String UNDO = "undo the rollback (loki CLI)";
    static final String VERSION = "loki --version (floor of any CLI command: the JVM and loki's classes)";
    static final String READ_ALL = "cat every tracked file (floor of a first snapshot: each file read once)";

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args[0]).toAbsolutePath();
        int rounds = Integer.parseInt(args[1]);
        String launcher = args[2];
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path gen = Path.of("bench/checkpoint/gen-repo.py").toAbsolutePath();
        Map<String, String> env = new LinkedHashMap<>(System.getenv());
        env.put("LOKI_CHECKPOINT_RETENTION", RETENTION);
        LokiDir loki = LokiDir.locate(Optional.empty(), env, repo);
        CheckpointService svc = CheckpointService.open(loki, env);

        run(repo, "git", "status", "--porcelain");                       // warm the page cache once
        time(STATUS, () -> run(repo, "git", "status", "--porcelain"));
        time(FIRST, () -> svc.create(CheckpointRequest.manual("first")));
        WorkTreeWatcher watcher = svc.watchWorkTree().orElseThrow(() -> new IllegalStateException("no watcher"));
        svc.create(CheckpointRequest.manual("watcher's first: a full scan by design"));
        String previous = svc.latest().orElseThrow().id();
        int seed = 0;
        for (int r = 1; r <= rounds; r++) {
            // the loop checkpoints after every iteration: the measured one sees one iteration's
            // changes, not also those of the previous round's scan, CLI and rollback steps
            svc.create(CheckpointRequest.manual("settle " + r));
            run(repo, "python3", gen.toString(), "dirty", repo.toString(), String.valueOf(++seed));
            time(STATUS, () -> run(repo, "git", "status", "--porcelain"));
            time("git stash create", () -> run(repo, "git", "stash", "create"));
            time(JAVA, () -> run(repo, java, "-version"));
            int iter = r;
            Checkpoint[] cp = new Checkpoint[1];
            time(LOOP, () -> cp[0] = svc.create(
                    CheckpointRequest.iteration(iter, "bench", "bench iteration " + iter, "bench")));
            check(cp[0]);

            run(repo, "python3", gen.toString(), "dirty", repo.toString(), String.valueOf(++seed));
            watcher.suspend();
            time(SCAN, () -> check(svc.create(CheckpointRequest.manual("scan " + iter))));
            watcher.resume();

            run(repo, "python3", gen.toString(), "dirty", repo.toString(), String.valueOf(++seed));
            time(CLI, () -> run(repo, launcher, "checkpoint", "create", "cli"));

            String target = previous;
            RollbackResult[] rb = new RollbackResult[1];
            time(ROLLBACK, () -> rb[0] = svc.rollback(target, RollbackOptions.defaults()));
            String undo = rb[0].preRollbackId().orElseThrow();
            time(UNDO, () -> run(repo, launcher, "rollback", "to", undo));
            // the floors last, so their load does not fall on the next measured step
            time(VERSION, () -> run(repo, launcher, "--version"));
            time(READ_ALL, () -> run(repo, "bash", "-c", "git ls-files -z | xargs -0 cat >/dev/null 2>&1; true"));
            previous = cp[0].id();
            System.err.printf("round %d/%d done (%d paths restored)%n", r, rounds, rb[0].codeChanges().size());
        }
        watcher.close();

        // loki daemon: the same CLI command, handed to a daemon that watches the tree. Its own
        // rounds, so its watcher does not load the steps above; a first command primes it (a
        // full scan by design, as the loop's first). The second CLI step of each round follows
        // a checkpoint taken by another process, which makes the daemon scan in full.
        run(repo, launcher, "daemon", "start");
        try {
            run(repo, launcher, "checkpoint", "create", "daemon's first: a full scan by design");
            for (int r = 1; r <= rounds; r++) {
                run(repo, "python3", gen.toString(), "dirty", repo.toString(), String.valueOf(++seed));
                time(STATUS, () -> run(repo, "git", "status", "--porcelain"));
                time(JAVA, () -> run(repo, java, "-version"));
                time(DAEMON, () -> run(repo, launcher, "checkpoint", "create", "cli, daemon"));
                svc.create(CheckpointRequest.manual("another process's checkpoint"));
                run(repo, "python3", gen.toString(), "dirty", repo.toString(), String.valueOf(++seed));
                time(DAEMON_AFTER, () -> run(repo, launcher, "checkpoint", "create", "cli, daemon, after another"));
                System.err.printf("daemon round %d/%d done%n", r, rounds);
            }
        } finally {
            run(repo, launcher, "daemon", "stop");
        }
        report();
    }

    static void check(Checkpoint cp) {
        if (!cp.snapshot().status().equals("captured")) {
            throw new IllegalStateException("snapshot not captured: " + cp.snapshot());
        }
    }

    interface Step {
        void run() throws Exception;
    }

    static void time(String name, Step step) throws Exception {
        long t0 = System.nanoTime();
        step.run();
        samples.computeIfAbsent(name, k -> new ArrayList<>()).add((System.nanoTime() - t0) / 1e6);
    }

    static void run(Path dir, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("LOKI_CHECKPOINT_RETENTION", RETENTION);
        Process p = pb.start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed");
        }
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static double m(String k) {
        return median(samples.get(k));
    }

    static void report() {
        double status = m(STATUS);
        System.out.println("retention: " + RETENTION + " checkpoints (LOKI_BENCH_RETENTION)");
        System.out.println("| operation | runs | median ms | x git status |");
        System.out.println("|---|---|---|---|");
        samples.forEach((k, v) -> System.out.printf("| %s | %d | %.0f | %.2f |%n", k, v.size(), median(v),
                median(v) / status));
        System.out.println();
        target("loop checkpoint / git status", m(LOOP) / status, 1.0);
        target("CLI checkpoint / (java -version + git status)", m(CLI) / (m(JAVA) + status), 1.5);
        target("CLI checkpoint with loki daemon / (java -version + git status)", m(DAEMON) / (m(JAVA) + status), 1.5);
        System.out.printf("CLI checkpoint with loki daemon, after another process's checkpoint / (java -version + git"
                + " status) = %.2f%n", m(DAEMON_AFTER) / (m(JAVA) + status));
        target("first checkpoint / git status", m(FIRST) / status, 3.0);
        target("rollback / full-scan checkpoint", m(ROLLBACK) / m(SCAN), 2.0);
        target("rollback / loop checkpoint", m(ROLLBACK) / m(LOOP), 2.0);
        System.out.printf("full-scan checkpoint / git status = %.2f; / git stash create = %.2f%n", m(SCAN) / status,
                m(SCAN) / m("git stash create"));
        System.out.printf("floors: loki --version / (java -version + git status) = %.2f; reading every tracked file"
                + " / git status = %.2f%n", m(VERSION) / (m(JAVA) + status), m(READ_ALL) / status);
    }

    static void target(String what, double ratio, double limit) {
        System.out.printf("%s = %.2f (target <= %.1f: %s)%n", what, ratio, limit, ratio <= limit ? "met" : "NOT met");
    }
}
