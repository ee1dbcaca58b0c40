package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.dashboard.auth.Scope;
import io.javalin.http.HandlerType;
import io.javalin.router.ParsedEndpoint;
import io.javalin.security.Roles;
import io.javalin.security.RouteRole;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deny by default: every route Javalin really serves declares a scope, and each scope is enforced. */
class RouteScopeTest {
    private static final Set<String> PUBLIC = Set.of("GET /health", "GET /login", "POST /api/auth/login", "GET /",
            "GET /<path>");

    @TempDir
    static Path tmp;

    static ServerFixture f;

    @BeforeAll
    static void up() {
        f = ServerFixture.start(tmp, java.util.Map.of("LOKI_DASHBOARD_RATE_AUTH", "100000",
                "LOKI_DASHBOARD_RATE_CONTROL", "100000"));
    }

    @AfterAll
    static void down() {
        f.close();
    }

    @Test
    void every_registered_route_declares_exactly_one_scope_and_only_the_allowlist_is_public() {
        List<ParsedEndpoint> all = f.server.javalin().unsafe.internalRouter.allHttpHandlers().stream()
                .filter(pe -> !pe.endpoint.method.name().startsWith("BEFORE")
                        && !pe.endpoint.method.name().startsWith("AFTER"))
                .toList();
        assertThat(all).hasSizeGreaterThan(20);
        List<String> publicRoutes = new ArrayList<>();
        for (ParsedEndpoint pe : all) {
            String key = pe.endpoint.method.name() + " " + pe.endpoint.path;
            Roles roles = pe.endpoint.metadata(Roles.class);
            assertThat(roles).as("roles of " + key).isNotNull();
            List<RouteRole> scopes = roles.getRoles().stream().filter(r -> r instanceof Scope).toList();
            assertThat(scopes).as("scope of " + key).hasSize(1);
            if (scopes.get(0) == Scope.PUBLIC) {
                publicRoutes.add(key);
            }
        }
        assertThat(publicRoutes).containsExactlyInAnyOrderElementsOf(PUBLIC);
        assertThat(f.server.routes()).hasSize(all.size());
    }

    @Test
    void every_non_public_route_refuses_anonymous_callers_with_401() {
        Api anon = f.anonymous();
        for (RouteTable.Route r : f.server.routes()) {
            if (r.scope() == Scope.PUBLIC) {
                continue;
            }
            Api.Answer a = call(anon, r);
            assertThat(a.status()).as(r.method() + " " + r.path()).isEqualTo(401);
            assertThat(a.json().path("error").asText()).isEqualTo("unauthorized");
            assertThat(a.header("WWW-Authenticate")).contains("Bearer");
        }
    }

    @Test
    void routes_above_a_tokens_scope_answer_403_and_the_rest_do_not() {
        Api read = f.as(Scope.READ);
        Api control = f.as(Scope.CONTROL);
        for (RouteTable.Route r : f.server.routes()) {
            if (r.scope() == Scope.PUBLIC || r.path().equals("/api/events/stream")) {
                continue;
            }
            int asRead = call(read, r).status();
            if (r.scope().ordinal() > Scope.READ.ordinal()) {
                assertThat(asRead).as("read token on " + r.method() + " " + r.path()).isEqualTo(403);
            } else {
                assertThat(asRead).as("read token on " + r.method() + " " + r.path()).isNotIn(401, 403);
            }
            if (r.scope() == Scope.CONTROL) {
                assertThat(call(control, r).status()).as("control token on " + r.path()).isNotIn(401, 403);
            }
        }
    }

    @Test
    void admin_includes_control_includes_read() {
        assertThat(Scope.ADMIN.includes(Scope.CONTROL)).isTrue();
        assertThat(Scope.ADMIN.includes(Scope.READ)).isTrue();
        assertThat(Scope.CONTROL.includes(Scope.READ)).isTrue();
        assertThat(Scope.CONTROL.includes(Scope.ADMIN)).isFalse();
        assertThat(Scope.READ.includes(Scope.CONTROL)).isFalse();
        assertThat(Scope.PUBLIC.includes(Scope.READ)).as("no scope grants nothing").isFalse();
    }

    private static Api.Answer call(Api api, RouteTable.Route r) {
        String path = r.path().replace("{id}", "does-not-exist");
        if (r.method() == HandlerType.GET) {
            return api.send(HttpRequest.newBuilder(java.net.URI.create(f.base() + path))
                    .header("Accept", "application/json").timeout(java.time.Duration.ofSeconds(5)).GET());
        }
        return api.post(path, "{}");
    }
}
