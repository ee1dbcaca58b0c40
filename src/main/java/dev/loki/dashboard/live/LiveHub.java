package dev.loki.dashboard.live;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.dashboard.LogRedaction;
import dev.loki.store.Json;
import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Fans live events out to every SSE subscriber. Each subscriber has its own bounded queue
 * drained by a small shared sender pool, so one slow or stalled browser never delays the others
 * (upstream's WebSocket broadcast wrote to each client in turn); a subscriber whose queue
 * overflows is disconnected and its EventSource reconnects.
 */
public final class LiveHub implements AutoCloseable {
    static final int QUEUE = 256;
    /** How often a subscriber's credential is checked again, at most (on its next event or heartbeat). */
    static final Duration RECHECK = Duration.ofSeconds(1);

    private final int maxSubscribers;
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final ExecutorService senders;
    private final AtomicLong ids = new AtomicLong();
    private final LogRedaction redaction;

    /** One queued message: an event, or a comment (heartbeat) when {@code name} is empty. */
    private record Message(String name, String data, long id) {
    }

    private final class Subscriber {
        final SseClient client;
        final BooleanSupplier allowed;
        final ArrayDeque<Message> queue = new ArrayDeque<>();
        boolean draining;
        long checkedAt = System.nanoTime();

        Subscriber(SseClient client, BooleanSupplier allowed) {
            this.client = client;
            this.allowed = allowed;
        }

        void offer(Message m) {
            boolean schedule;
            synchronized (this) {
                // the credential is checked again (at most every RECHECK): a revoked token, an expired
                // session or a logout ends the stream instead of leaving it open for good
                long now = System.nanoTime();
                if (now - checkedAt >= RECHECK.toNanos()) {
                    checkedAt = now;
                    if (!allowed.getAsBoolean()) {
                        drop(this);
                        return;
                    }
                }
                if (queue.size() >= QUEUE) {
                    drop(this);
                    return;
                }
                queue.addLast(m);
                schedule = !draining;
                draining = true;
            }
            if (schedule) {
                senders.execute(this::drain);
            }
        }

        void drain() {
            while (true) {
                Message m;
                synchronized (this) {
                    m = queue.pollFirst();
                    if (m == null) {
                        draining = false;
                        return;
                    }
                }
                if (client.terminated()) {
                    drop(this);
                    return;
                }
                try {
                    if (m.name().isEmpty()) {
                        client.sendComment(m.data());
                    } else {
                        client.sendEvent(m.name(), m.data(), Long.toString(m.id()));
                    }
                } catch (RuntimeException e) {
                    drop(this);
                    return;
                }
            }
        }
    }

    /**
     * @param redaction what every event passes before it is queued: the same redaction as every
     *                  {@code /api/} answer ({@link dev.loki.dashboard.AnswerRedaction}), so no
     *                  publisher can send a status, checkpoint, event or log line unmasked
     */
    public LiveHub(int maxSubscribers, LogRedaction redaction) {
        this.maxSubscribers = maxSubscribers;
        this.redaction = redaction;
        this.senders = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "loki-dashboard-sse");
            t.setDaemon(true);
            return t;
        });
    }

    /** False when the subscriber limit is reached. */
    public boolean hasRoom() {
        return subscribers.size() < maxSubscribers;
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    /** Registers a client and greets it with {@code firstEvent}. */
    public void subscribe(SseClient client, String firstName, String firstData) {
        subscribe(client, firstName, firstData, () -> true);
    }

    /**
     * Registers a client whose credential {@code allowed} checks again: once it fails the client
     * gets nothing more and is disconnected.
     */
    public void subscribe(SseClient client, String firstName, String firstData, BooleanSupplier allowed) {
        Subscriber s = new Subscriber(client, allowed);
        subscribers.add(s);
        client.onClose(() -> subscribers.remove(s));
        client.keepAlive();
        s.offer(new Message(firstName, redact(firstData), ids.incrementAndGet()));
    }

    /** Sends an event to every subscriber. */
    public void publish(String name, String jsonData) {
        // every reader of the stream is at least read-scoped: redacted once, before any queue
        Message m = new Message(name, redact(jsonData), ids.incrementAndGet());
        for (Subscriber s : subscribers) {
            s.offer(m);
        }
    }

    /**
     * Sends an event whose {@code redacted} top-level fields already passed this hub's redaction
     * (a log line, redacted where the key-block state across lines is known): the rest is redacted
     * as every event is, those fields not a second time.
     */
    public void publish(String name, com.fasterxml.jackson.databind.node.ObjectNode data,
            java.util.Set<String> redacted) {
        Message m = new Message(name, Json.compact(redaction.applyExcept(data, redacted)), ids.incrementAndGet());
        for (Subscriber s : subscribers) {
            s.offer(m);
        }
    }

    /** An event's JSON data redacted as a tree (as text when it is not JSON). */
    String redact(String data) {
        if (data == null || data.isEmpty()) {
            return data;
        }
        try {
            JsonNode n = Json.parse(data);
            return n == null ? redaction.apply(data) : Json.compact(redaction.apply(n));
        } catch (IOException e) {
            return redaction.apply(data);
        }
    }

    public void heartbeat() {
        Message m = new Message("", "ping", 0);
        for (Subscriber s : subscribers) {
            s.offer(m);
        }
    }

    private void drop(Subscriber s) {
        subscribers.remove(s);
        try {
            s.client.close();
        } catch (RuntimeException e) {
            // already gone
        }
    }

    @Override
    public void close() {
        for (Subscriber s : subscribers) {
            drop(s);
        }
        senders.shutdownNow();
    }
}
