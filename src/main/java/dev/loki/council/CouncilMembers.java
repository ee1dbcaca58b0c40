package dev.loki.council;

import dev.loki.gate.Reviewer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The council's members and how they are asked: each gets the same evidence and its own role,
 * all are asked in parallel, and a member that throws, times out or answers nothing is a REJECT
 * with the reason recorded. Nothing here throws.
 */
final class CouncilMembers {
    record Role(String name, String focus) {
    }

    static final List<Role> ROLES = List.of(
            new Role("requirements-verifier", "whether every requirement of the specification is implemented"),
            new Role("test-auditor", "whether tests exist for the work, run, and pass, and whether they can fail"),
            new Role("convergence-voter", "whether the work has converged: no open tasks, no half-done changes"));

    private CouncilMembers() {
    }

    static Role role(int index) {
        return ROLES.get(index % ROLES.size());
    }

    static String memberName(int index) {
        Role r = role(index);
        return index < ROLES.size() ? r.name() : r.name() + "-" + (index / ROLES.size() + 1);
    }

    static String prompt(Role role, String evidence) {
        return "You are a member of Loki's completion council: the " + role.name() + ".\n"
                + "Your focus: " + role.focus() + ".\n"
                + "Decide independently whether the work described below is COMPLETE. Do not change any files.\n"
                + "Approve only with evidence; when in doubt, reject.\n\n"
                + evidence + "\n\n"
                + "Answer in exactly this format:\n"
                + "VOTE: APPROVE or REJECT or CANNOT_VALIDATE\n"
                + "REASON: one sentence\n"
                + "ISSUES:\n"
                + "- SEVERITY: description   (SEVERITY is CRITICAL, HIGH, MEDIUM or LOW; write ISSUES: none if none)\n";
    }

    static String contrarianPrompt(String evidence, List<Ballot> ballots) {
        StringBuilder sb = new StringBuilder("ANTI-SYCOPHANCY CHECK. The council voted unanimously that the work is"
                + " complete. Your job is to challenge that: look for any requirement that is not met, any test that"
                + " fails or is missing, any broken or unfinished change. Do not change any files.\n\nTheir reasons:\n");
        ballots.forEach(b -> sb.append("- ").append(b.member()).append(": ").append(b.reason()).append('\n'));
        sb.append('\n').append(evidence).append("\n\n")
                .append("Answer VOTE: APPROVE only if you found nothing that makes the work incomplete;"
                        + " otherwise VOTE: REJECT.\nREASON: one sentence\nISSUES:\n- SEVERITY: description\n");
        return sb.toString();
    }

    /** Asks every prompt in parallel with one shared deadline; answers in prompt order. */
    static List<Ballot> askAll(Reviewer reviewer, List<String> names, List<String> prompts, Duration timeout) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, prompts.size()), r -> {
            Thread t = new Thread(r, "loki-council");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (String p : prompts) {
                futures.add(pool.submit(() -> reviewer.ask(p, timeout)));
            }
            long deadline = System.nanoTime() + timeout.toNanos() + TimeUnit.SECONDS.toNanos(2);
            List<Ballot> out = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                String name = names.get(i);
                Ballot b;
                try {
                    b = Ballot.parse(name, futures.get(i).get(Math.max(1, deadline - System.nanoTime()),
                            TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    futures.get(i).cancel(true);
                    b = Ballot.rejected(name, "ERROR", "reviewer timed out after " + timeout.toSeconds()
                            + "s (counted as REJECT)", "");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    b = Ballot.rejected(name, "ERROR", "interrupted (counted as REJECT)", "");
                } catch (ExecutionException | RuntimeException e) {
                    Throwable c = e.getCause() == null ? e : e.getCause();
                    b = Ballot.rejected(name, "ERROR", "reviewer failed: " + c.getClass().getSimpleName() + ": "
                            + c.getMessage() + " (counted as REJECT)", "");
                }
                out.add(b);
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
