package dev.loki.dashboard.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** find and peek share one lookup: find touches the session, peek leaves it as it is; neither returns an expired one. */
class SessionStoreTest {
    private static final Principal VIEWER = new Principal("viewer", Scope.READ, "token", "t1");

    @Test
    void findTouchesTheSessionAndPeekDoesNot() throws InterruptedException {
        SessionStore store = new SessionStore(Duration.ofHours(1));
        SessionStore.Opened opened = store.open(VIEWER);
        String cookie = opened.cookieValue();
        Thread.sleep(5);
        SessionStore.Session peeked = store.peek(cookie).orElseThrow();
        assertThat(peeked.lastSeen()).isEqualTo(opened.session().lastSeen());
        assertThat(peeked.principal().method()).isEqualTo("session:token");
        SessionStore.Session found = store.find(cookie).orElseThrow();
        assertThat(found.lastSeen()).isAfter(opened.session().lastSeen());
        assertThat(found.csrfToken()).isEqualTo(opened.session().csrfToken());
        assertThat(store.peek(cookie).orElseThrow().lastSeen()).isEqualTo(found.lastSeen());
    }

    @Test
    void unknownEmptyOversizedAndExpiredCookiesFindNothing() throws InterruptedException {
        SessionStore store = new SessionStore(Duration.ofMillis(1));
        String cookie = store.open(VIEWER).cookieValue();
        Thread.sleep(20);
        assertThat(store.peek(cookie)).isEmpty();
        assertThat(store.find(cookie)).isEmpty();
        SessionStore live = new SessionStore(Duration.ofHours(1));
        live.open(VIEWER);
        for (String bad : new String[] {null, "", "x".repeat(201), "not-a-session"}) {
            assertThat(live.peek(bad)).isEmpty();
            assertThat(live.find(bad)).isEmpty();
        }
    }
}
