package dev.loki.dashboard.live;

import io.javalin.http.sse.SseClient;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fans live events out to every SSE subscriber. Each subscriber has its own bounded queue
 * drained by a small shared sender pool, so one slow or stalled browser never delays the others
 * (upstream's WebSocket broadcast wrote to each client in turn); a subscriber whose queue
 * overflows is disconnected and its EventSource reconnects.
 */
public final class LiveHub implements AutoCloseable {
    static final int QUEUE = 256;

    private final int maxSubscribers;
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final ExecutorService senders;
    private final AtomicLong ids = new AtomicLong();

    /** One queued message: an event, or a comment (heartbeat) when {@code name} is empty. */
    private record Message(String name, String data, long id) {
    }

    private final class Subscriber {
        final SseClient client;
        final ArrayDeque<Message> queue = new ArrayDeque<>();
        boolean draining;

        Subscriber(SseClient client) {
            this.client = client;
        }

        void offer(Message m) {
            boolean schedule;
            synchronized (this) {
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

    public LiveHub(int maxSubscribers) {
        this.maxSubscribers = maxSubscribers;
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
        Subscriber s = new Subscriber(client);
        subscribers.add(s);
        client.onClose(() -> subscribers.remove(s));
        client.keepAlive();
        s.offer(new Message(firstName, dev.loki.dashboard.LogRedaction.maskOwn(firstData), ids.incrementAndGet()));
    }

    /** Sends an event to every subscriber. */
    public void publish(String name, String jsonData) {
        // every reader of the stream is at least read-scoped: loki's own credentials never go out
        Message m = new Message(name, dev.loki.dashboard.LogRedaction.maskOwn(jsonData), ids.incrementAndGet());
        for (Subscriber s : subscribers) {
            s.offer(m);
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
