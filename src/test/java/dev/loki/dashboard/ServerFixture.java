package dev.loki.dashboard;

import dev.loki.dashboard.auth.Scope;
import dev.loki.store.LokiDir;
import dev.loki.testing.TestRepo;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** A real dashboard on an ephemeral loopback port over a real .loki in a temporary git repo. */
public final class ServerFixture implements AutoCloseable {
    public final TestRepo repo;
    public final LokiDir loki;
    public final DashboardServer server;

    private ServerFixture(TestRepo repo, LokiDir loki, DashboardServer server) {
        this.repo = repo;
        this.loki = loki;
        this.server = server;
    }

    public static ServerFixture start(Path tmp) {
        return start(tmp, Map.of());
    }

    public static ServerFixture start(Path tmp, Map<String, String> extraEnv) {
        TestRepo repo = TestRepo.create(tmp);
        Map<String, String> env = repo.env();
        env.putAll(extraEnv);
        LokiDir loki = LokiDir.locate(Optional.empty(), env, repo.dir()).ensureExists();
        DashboardServer server = DashboardServer.start(DashboardConfig.ephemeral(loki, env));
        return new ServerFixture(repo, loki, server);
    }

    public String base() {
        return server.baseUrl();
    }

    public String token(Scope scope) {
        return server.tokens().create(null, scope, Optional.empty());
    }

    public Api as(Scope scope) {
        return Api.bearer(base(), token(scope));
    }

    public Api anonymous() {
        return new Api(base());
    }

    @Override
    public void close() {
        server.stop();
    }
}
