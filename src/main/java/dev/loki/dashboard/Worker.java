package dev.loki.dashboard;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs slow jobs (rollback, checkpoint creation: git work that may take minutes) on two
 * background threads with a short queue, so a request thread is never held by them. A full
 * queue answers 429; a job past its deadline answers 504 while the job itself finishes safely
 * in the background (a rollback is never cut in half).
 */
public final class Worker implements AutoCloseable {
    private final ThreadPoolExecutor pool;
    private final Duration timeout;

    public Worker(Duration timeout) {
        this.timeout = timeout;
        this.pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(8), r -> {
            Thread t = new Thread(r, "loki-dashboard-worker");
            t.setDaemon(true);
            return t;
        });
    }

    public <T> CompletableFuture<T> submit(Supplier<T> job) {
        CompletableFuture<T> f;
        try {
            f = CompletableFuture.supplyAsync(job, pool);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new ApiError(429, "busy",
                    "the dashboard is busy with other long jobs; retry shortly", java.util.Map.of("Retry-After", "5")));
        }
        return f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
            Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (c instanceof TimeoutException) {
                return CompletableFuture.failedFuture(new ApiError(504, "timeout", "the job is taking longer than "
                        + timeout.toSeconds() + "s; it goes on in the background: check /api/checkpoints shortly"));
            }
            return CompletableFuture.failedFuture(c);
        });
    }

    @Override
    public void close() {
        pool.shutdown();
        try {
            pool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
