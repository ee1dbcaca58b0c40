package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.dashboard.auth.Scope;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rate limits are per client and per route group, and answer 429 with Retry-After. */
class RateLimitTest {
    @TempDir
    Path tmp;

    @Test
    void a_client_over_its_control_budget_gets_429_and_other_clients_do_not() {
        try (ServerFixture f = ServerFixture.start(tmp, Map.of("LOKI_DASHBOARD_RATE_CONTROL", "3"))) {
            Api greedy = f.as(Scope.CONTROL);
            Api other = f.as(Scope.CONTROL);
            for (int i = 0; i < 3; i++) {
                assertThat(greedy.post("/api/control/pause", null).status()).isEqualTo(200);
            }
            Api.Answer limited = greedy.post("/api/control/pause", null);
            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.json().path("error").asText()).isEqualTo("rate_limited");
            assertThat(Long.parseLong(limited.header("Retry-After").orElseThrow())).isPositive();
            assertThat(greedy.get("/api/status").status()).as("the read group is separate").isEqualTo(200);
            assertThat(other.post("/api/control/pause", null).status()).as("another client is unaffected")
                    .isEqualTo(200);
        }
    }

    @Test
    void failed_authentications_are_throttled_per_address() {
        try (ServerFixture f = ServerFixture.start(tmp, Map.of("LOKI_DASHBOARD_RATE_AUTH", "5"))) {
            Api bad = Api.bearer(f.base(), "loki_wrong");
            int last = 0;
            for (int i = 0; i < 8; i++) {
                last = bad.get("/api/status").status();
            }
            assertThat(last).isEqualTo(429);
        }
    }
}
