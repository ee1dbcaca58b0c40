import dev.loki.checkpoint.Checkpoint;
import dev.loki.checkpoint.CheckpointRequest;
import dev.loki.checkpoint.CheckpointService;
import dev.loki.checkpoint.RollbackOptions;
import dev.loki.checkpoint.RollbackResult;
import dev.loki.store.LokiDir;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Measures, in one run on one tree, what a checkpoint costs against what git itself costs:
 * {@code git status}, {@code git stash create} (upstream's snapshot, tracked files only), our
 * checkpoint create (first, and repeated after each dirty iteration) in-process (how the loop
 * calls it) and through the CLI (JVM start included), and our rollback (pre-rollback
 * checkpoint included) plus its undo. Run by bench/checkpoint/run.sh.
 *
 *   java -cp target/loki.jar bench/checkpoint/CheckpointBench.java REPO ROUNDS LOKI_LAUNCHER
 */
public class CheckpointBench {
    static final Map<String, List<Double>> samples = new LinkedHashMap<>();

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args[0]).toAbsolutePath();
        int rounds = Integer.parseInt(args[1]);
        String launcher = args[2];
        Path gen = Path.of("bench/checkpoint/gen-repo.py").toAbsolutePath();
        Map<String, String> env = new LinkedHashMap<>(System.getenv());
        env.put("LOKI_CHECKPOINT_RETENTION", "1000");
        LokiDir loki = LokiDir.locate(Optional.empty(), env, repo);
        CheckpointService svc = CheckpointService.open(loki, env);

        run(repo, "git", "status", "--porcelain");                       // warm the page cache once
        time("checkpoint create, first (in-process)", () -> svc.create(CheckpointRequest.manual("first")));
        String previous = svc.latest().orElseThrow().id();
        for (int r = 1; r <= rounds; r++) {
            run(repo, "python3", gen.toString(), "dirty", repo.toString(), String.valueOf(r));
            time("git status", () -> run(repo, "git", "status", "--porcelain"));
            time("git stash create", () -> run(repo, "git", "stash", "create"));
            int iter = r;
            Checkpoint[] cp = new Checkpoint[1];
            time("checkpoint create, repeated (in-process)", () -> cp[0] = svc.create(
                    CheckpointRequest.iteration(iter, "bench", "bench iteration " + iter, "bench")));
            if (!cp[0].snapshot().status().equals("captured")) {
                throw new IllegalStateException("snapshot not captured: " + cp[0].snapshot());
            }
            // the same again through the launcher, as a user typing the command sees it
            run(repo, "python3", gen.toString(), "dirty", repo.toString(), String.valueOf(100 + r));
            time("checkpoint create, repeated (loki CLI)", () -> run(repo, launcher, "checkpoint", "create", "cli"));
            String target = previous;
            RollbackResult[] rb = new RollbackResult[1];
            time("rollback to previous iteration (in-process)", () ->
                    rb[0] = svc.rollback(target, RollbackOptions.defaults()));
            String undo = rb[0].preRollbackId().orElseThrow();
            time("undo the rollback (loki CLI)", () -> run(repo, launcher, "rollback", "to", undo));
            previous = cp[0].id();
            System.err.printf("round %d/%d done (%d paths restored)%n", r, rounds, rb[0].codeChanges().size());
        }
        report();
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
        Process p = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
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

    static void report() {
        double status = median(samples.get("git status"));
        double cp = median(samples.get("checkpoint create, repeated (in-process)"));
        System.out.println("| operation | runs | median ms | x git status |");
        System.out.println("|---|---|---|---|");
        samples.forEach((k, v) -> System.out.printf("| %s | %d | %.0f | %.2f |%n", k, v.size(), median(v),
                median(v) / status));
        double rb = median(samples.get("rollback to previous iteration (in-process)"));
        System.out.printf("%nrepeated checkpoint / git status = %.2f (target <= 1.5)%n", cp / status);
        System.out.printf("rollback / repeated checkpoint = %.2f (target <= 2.0)%n", rb / cp);
    }
}
