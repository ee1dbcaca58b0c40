package dev.loki.dashboard.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Browser sessions, in memory (a restart logs everyone out, which is the safe direction). The
 * cookie holds a random id; the map is keyed by its hash, so a heap dump does not hand out
 * live cookies. Each session carries its own CSRF token.
 */
public final class SessionStore {
    public static final String COOKIE = "loki_session";
    private static final int MAX_SESSIONS = 1000;

    private final Duration idle;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    /** A live session. */
    public record Session(Principal principal, String csrfToken, Instant created, Instant lastSeen) {
    }

    /** What to hand the browser: the cookie value and the session behind it. */
    public record Opened(String cookieValue, Session session) {
    }

    public SessionStore(Duration idle) {
        this.idle = idle;
    }

    public Opened open(Principal principal) {
        if (sessions.size() >= MAX_SESSIONS) {
            sessions.entrySet().stream().min(Comparator.comparing(e -> e.getValue().lastSeen()))
                    .ifPresent(e -> sessions.remove(e.getKey()));
        }
        String id = Secrets.newSecret("");
        Instant now = Instant.now();
        Principal p = new Principal(principal.subject(), principal.scope(), "session:" + principal.method(),
                principal.tokenId());
        Session s = new Session(p, Secrets.newSecret(""), now, now);
        sessions.put(Secrets.sha256Hex(id), s);
        return new Opened(id, s);
    }

    /** The live session for this cookie value, touched; expired sessions are dropped. */
    public Optional<Session> find(String cookieValue) {
        return live(cookieValue, true);
    }

    /** The live session for this cookie value, without counting as activity (an open live stream is not a user). */
    public Optional<Session> peek(String cookieValue) {
        return live(cookieValue, false);
    }

    /**
     * The one lookup behind {@link #find} and {@link #peek}: with {@code touch}, the session's last
     * activity becomes now and an expired one is dropped; without, nothing changes.
     */
    private Optional<Session> live(String cookieValue, boolean touch) {
        if (cookieValue == null || cookieValue.isEmpty() || cookieValue.length() > 200) {
            return Optional.empty();
        }
        String key = Secrets.sha256Hex(cookieValue);
        Session s = sessions.get(key);
        if (s == null) {
            return Optional.empty();
        }
        Instant now = Instant.now();
        if (s.lastSeen().plus(idle).isBefore(now)) {
            if (touch) {
                sessions.remove(key);
            }
            return Optional.empty();
        }
        if (!touch) {
            return Optional.of(s);
        }
        Session touched = new Session(s.principal(), s.csrfToken(), s.created(), now);
        sessions.put(key, touched);
        return Optional.of(touched);
    }

    public void close(String cookieValue) {
        if (cookieValue != null && !cookieValue.isEmpty()) {
            sessions.remove(Secrets.sha256Hex(cookieValue));
        }
    }
}
