package dev.loki.run;

import dev.loki.gate.Reviewer;
import dev.loki.provider.Invocation;
import dev.loki.provider.ProcessOutcome;
import dev.loki.provider.ProcessRunner;
import dev.loki.provider.Provider;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The provider as a {@link Reviewer} for gates and council: one non-interactive call per
 * question, prompt and answer kept under {@code logs/reviews/}, the answer returned as text.
 * The loop binds it to a throwaway checkout of the iteration's snapshot ({@link #in}), so a
 * reviewer that writes files never changes the user's tree; a stopping run asks nobody.
 */
public final class ProviderReviewer implements Reviewer {
    private static final AtomicLong SEQ = new AtomicLong();

    private final LokiDir dir;
    private final Provider provider;
    private final Map<String, String> env;
    private final Interrupts interrupts;
    private final Path workDir;
    private final String call;
    private final Spend spend;

    /**
     * What the review and council calls cost since the last {@link #drainSpend}: shared by every
     * copy ({@link #in}, {@link #asCouncil}), added to by the reviewers' threads at once.
     */
    public static final class Spend {
        private final java.util.concurrent.atomic.DoubleAdder usd = new java.util.concurrent.atomic.DoubleAdder();
        private final java.util.concurrent.atomic.LongAdder calls = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder input = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder output = new java.util.concurrent.atomic.LongAdder();

        void add(dev.loki.provider.Usage u) {
            calls.increment();
            usd.add(u.cost());
            input.add(u.inputTokens());
            output.add(u.outputTokens());
        }
    }

    /** The calls made and their cost since the last drain (then reset). */
    public record CallSpend(long calls, double usd, long inputTokens, long outputTokens) {
    }

    public ProviderReviewer(LokiDir dir, Provider provider, Map<String, String> env, Interrupts interrupts) {
        this(dir, provider, env, interrupts, dir.workTree(), "review", new Spend());
    }

    private ProviderReviewer(LokiDir dir, Provider provider, Map<String, String> env, Interrupts interrupts,
            Path workDir, String call, Spend spend) {
        this.dir = dir;
        this.provider = provider;
        this.env = env;
        this.interrupts = interrupts;
        this.workDir = workDir;
        this.call = call;
        this.spend = spend;
    }

    /** The same reviewer working in {@code checkout} (a throwaway copy of a snapshot), not the user's tree. */
    public ProviderReviewer in(Path checkout) {
        return new ProviderReviewer(dir, provider, env, interrupts, checkout, call, spend);
    }

    @Override
    public ProviderReviewer asCouncil() {
        return new ProviderReviewer(dir, provider, env, interrupts, workDir, "council", spend);
    }

    /** What the review and council calls made since the last drain cost; resets the count. */
    public CallSpend drainSpend() {
        return new CallSpend(spend.calls.sumThenReset(), spend.usd.sumThenReset(), spend.input.sumThenReset(),
                spend.output.sumThenReset());
    }

    public Path workDir() {
        return workDir;
    }

    @Override
    public String ask(String prompt, Duration timeout) throws IOException, InterruptedException {
        if (interrupts.ending()) {
            throw new InterruptedException("not asked: the run is stopping");
        }
        long n = SEQ.incrementAndGet();
        Path base = dir.resolve("logs/reviews");
        Files.createDirectories(base);
        String stem = "review-" + System.currentTimeMillis() + "-" + ProcessHandle.current().pid() + "-" + n;
        Path promptFile = base.resolve(stem + ".prompt.md");
        Files.writeString(promptFile, prompt, StandardCharsets.UTF_8);
        Invocation inv = provider.review(prompt, promptFile, call);
        ProcessOutcome out = ProcessRunner.run(inv, workDir, env, base.resolve(stem + ".out.txt"), timeout,
                interrupts::ending);
        if (out.cancelled()) {
            throw new InterruptedException("review cancelled");
        }
        dev.loki.provider.ProviderOutput answer = provider.interpretReview(out);
        spend.add(answer.usage());
        String text = answer.text();
        if (out.timedOut()) {
            throw new IOException("reviewer timed out after " + timeout.toSeconds() + "s");
        }
        if (out.exitCode() != 0 && text.isBlank()) {
            throw new IOException("reviewer exited " + out.exitCode() + " with no output");
        }
        return text;
    }
}
