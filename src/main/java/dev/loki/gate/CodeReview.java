package dev.loki.gate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The code_review gate: three blind reviewers read the iteration's diff in parallel. The gate
 * fails (and blocks a completion claim) when any reviewer gives a FAIL verdict with a Critical
 * or High finding. A reviewer that errors, times out or answers nothing never blocks, but when
 * no reviewer answered at all the gate is an "error", not a silent pass.
 */
final class CodeReview {
    static final String NAME = "code_review";
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final int KEEP_REVIEWS = 50;

    /** The gate result plus what the ladder and the next prompt need. */
    record Outcome(GateResult result, boolean blocking, List<ReviewVerdict> verdicts, String reviewId) {
    }

    private CodeReview() {
    }

    static Outcome run(GateContext ctx, ChangedFiles changes, Duration timeout, Path qualityDir) {
        long start = System.nanoTime();
        if (changes.diff().isBlank()) {
            return new Outcome(new GateResult(NAME, GateResult.SKIPPED, "empty diff: nothing to review",
                    BoundedRun.millisSince(start)), false, List.of(), "");
        }
        String reviewId = "review-" + ID_TIME.format(Instant.now()) + "-" + ctx.iteration();
        Retention.keepNewest(qualityDir.resolve("reviews"), "review-", KEEP_REVIEWS - 1);
        Path dir = qualityDir.resolve("reviews").resolve(reviewId);
        List<ReviewerRole> roles = ReviewerRole.select(changes.files(), changes.diff());
        QualityFiles.writeText(dir.resolve("diff.txt"), changes.diff());
        QualityFiles.writeText(dir.resolve("files.txt"), String.join("\n", changes.files()) + "\n");
        ObjectNode sel = Json.object();
        sel.put("review_id", reviewId);
        sel.put("iteration", ctx.iteration());
        ArrayNode names = sel.putArray("reviewers");
        roles.forEach(r -> names.add(r.name()));
        QualityFiles.writeJson(dir.resolve("selection.json"), sel);

        List<ReviewVerdict> verdicts = askAll(ctx.reviewer(), roles, changes, timeout, dir);
        boolean blocking = verdicts.stream().anyMatch(ReviewVerdict::blocking);
        long answered = verdicts.stream().filter(ReviewVerdict::answered).count();
        long passes = verdicts.stream().filter(v -> v.kind() == ReviewVerdict.Kind.PASS).count();
        long fails = verdicts.stream().filter(v -> v.kind() == ReviewVerdict.Kind.FAIL).count();
        writeAggregate(dir, reviewId, ctx.iteration(), passes, fails, blocking, verdicts);
        if (passes == verdicts.size()) {
            QualityFiles.writeText(dir.resolve("anti-sycophancy.txt"), "All " + passes
                    + " reviewers passed the change unanimously. Unanimous approval can mean the reviewers"
                    + " were not critical enough; the completion council will look again.\n");
        }
        FindingsFile.write(ctx.lokiDir(), reviewId, ctx.iteration(), verdicts);
        String status;
        String summary;
        if (blocking) {
            status = GateResult.FAIL;
            summary = "blocking findings from " + verdicts.stream().filter(ReviewVerdict::blocking)
                    .map(ReviewVerdict::reviewer).collect(Collectors.joining(", ")) + ":" + blockingLines(verdicts);
        } else if (answered == 0) {
            status = GateResult.ERROR;
            summary = "no reviewer gave a verdict (" + verdicts.stream().map(v -> v.reviewer() + "=" + v.kind())
                    .collect(Collectors.joining(", ")) + ")";
        } else {
            status = GateResult.PASS;
            summary = passes + " pass, " + fails + " fail without Critical/High findings"
                    + (answered < verdicts.size() ? ", " + (verdicts.size() - answered) + " without a verdict" : "");
        }
        return new Outcome(new GateResult(NAME, status, summary, BoundedRun.millisSince(start)), blocking, verdicts,
                reviewId);
    }

    private static List<ReviewVerdict> askAll(Reviewer reviewer, List<ReviewerRole> roles, ChangedFiles changes,
            Duration timeout, Path dir) {
        ExecutorService pool = Executors.newFixedThreadPool(roles.size(), r -> {
            Thread t = new Thread(r, "loki-reviewer");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (ReviewerRole role : roles) {
                String prompt = role.prompt(changes.files(), changes.diff(), changes.diffTruncated());
                QualityFiles.writeText(dir.resolve(role.name() + "-prompt.txt"), prompt);
                futures.add(pool.submit(() -> reviewer.ask(prompt, timeout)));
            }
            List<ReviewVerdict> out = new ArrayList<>();
            // one shared deadline: the reviews run in parallel, so the gate waits about one timeout
            long deadline = System.nanoTime() + timeout.toNanos() + TimeUnit.SECONDS.toNanos(2);
            for (int i = 0; i < roles.size(); i++) {
                String name = roles.get(i).name();
                ReviewVerdict v;
                try {
                    String answer = futures.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    v = ReviewVerdict.parse(name, answer);
                } catch (TimeoutException e) {
                    futures.get(i).cancel(true);
                    v = ReviewVerdict.error(name, "timed out after " + timeout.toSeconds() + "s");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    v = ReviewVerdict.error(name, "interrupted");
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable c = e.getCause() == null ? e : e.getCause();
                    v = ReviewVerdict.error(name, c.getClass().getSimpleName() + ": " + c.getMessage());
                }
                QualityFiles.writeText(dir.resolve(name + ".txt"), v.kind() == ReviewVerdict.Kind.ERROR
                        ? "ERROR: " + v.raw() + "\n" : v.raw());
                out.add(v);
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String blockingLines(List<ReviewVerdict> verdicts) {
        StringBuilder sb = new StringBuilder();
        for (ReviewVerdict v : verdicts) {
            for (ReviewVerdict.Finding f : v.findings()) {
                if (f.blocking() && v.blocking()) {
                    sb.append("\n  [").append(f.severity()).append("] ").append(f.description())
                            .append(" (").append(v.reviewer()).append(')');
                }
            }
        }
        return sb.toString();
    }

    private static void writeAggregate(Path dir, String id, int iteration, long passes, long fails, boolean blocking,
            List<ReviewVerdict> verdicts) {
        ObjectNode a = Json.object();
        a.put("review_id", id);
        a.put("iteration", iteration);
        a.put("pass_count", passes);
        a.put("fail_count", fails);
        a.put("has_blocking", blocking);
        a.put("verdicts", verdicts.stream().map(v -> v.reviewer() + ":" + v.kind()).collect(Collectors.joining(" ")));
        QualityFiles.writeJson(dir.resolve("aggregate.json"), a);
    }
}
