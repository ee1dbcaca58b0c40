package dev.loki.dashboard.live;

/** Test access to the live hub's package-private timing. */
public final class LiveHubAccess {
    private LiveHubAccess() {
    }

    public static long recheckMillis() {
        return LiveHub.RECHECK.toMillis();
    }
}
