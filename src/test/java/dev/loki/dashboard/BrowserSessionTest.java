package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.dashboard.auth.Scope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Login links, session cookies, CSRF and Origin checks, the Host check and the security headers. */
class BrowserSessionTest {
    @TempDir
    static Path tmp;

    static ServerFixture f;

    @BeforeAll
    static void up() {
        f = ServerFixture.start(tmp, Map.of("LOKI_DASHBOARD_RATE_AUTH", "100000"));
    }

    @AfterAll
    static void down() {
        f.close();
    }

    /** Follows a login URL and returns the session cookie value. */
    static String loginWith(String loginUrl) {
        String path = loginUrl.substring(f.base().length());
        Api.Answer a = f.anonymous().get(path);
        assertThat(a.status()).as(a.toString()).isEqualTo(303);
        assertThat(a.header("Location")).contains("/");
        String cookie = a.header("Set-Cookie").orElseThrow();
        assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/");
        return cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
    }

    static Api session(String cookie) {
        return new Api(f.base()).with("Cookie", "loki_session=" + cookie);
    }

    @Test
    void a_login_link_works_once_and_sets_an_http_only_strict_cookie() {
        String url = f.server.loginUrl();
        String cookie = loginWith(url);
        JsonNode s = session(cookie).get("/api/auth/session").json();
        assertThat(s.path("scope").asText()).isEqualTo("admin");
        assertThat(s.path("csrf_token").asText()).hasSizeGreaterThan(20);

        Api.Answer again = f.anonymous().get(url.substring(f.base().length()));
        assertThat(again.status()).isEqualTo(401);
        assertThat(again.header("Set-Cookie")).isEmpty();
        assertThat(again.body()).contains("loki dashboard open");
    }

    @Test
    void state_changes_from_a_cookie_session_need_the_csrf_token_and_a_same_origin() {
        String cookie = loginWith(f.server.loginUrl());
        String csrf = session(cookie).get("/api/auth/session").json().path("csrf_token").asText();
        String origin = f.base();

        Api.Answer none = session(cookie).with("Origin", origin).post("/api/control/pause", null);
        assertThat(none.status()).isEqualTo(403);
        assertThat(none.json().path("error").asText()).isEqualTo("csrf");

        Api.Answer wrongToken = session(cookie).with("Origin", origin).with("X-CSRF-Token", csrf + "x")
                .post("/api/control/pause", null);
        assertThat(wrongToken.status()).isEqualTo(403);

        Api.Answer crossSite = session(cookie).with("Origin", "http://evil.example").with("X-CSRF-Token", csrf)
                .post("/api/control/pause", null);
        assertThat(crossSite.status()).isEqualTo(403);
        assertThat(crossSite.json().path("error").asText()).isEqualTo("bad_origin");

        Api.Answer noOrigin = session(cookie).with("X-CSRF-Token", csrf).post("/api/control/pause", null);
        assertThat(noOrigin.status()).isEqualTo(403);
        assertThat(Files.exists(f.loki.resolve("PAUSE"))).as("no refused request wrote the signal").isFalse();

        Api.Answer ok = session(cookie).with("Origin", origin).with("X-CSRF-Token", csrf)
                .post("/api/control/pause", null);
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(ok.json().path("success").asBoolean()).isTrue();
        assertThat(Files.exists(f.loki.resolve("PAUSE"))).isTrue();
        assertThat(session(cookie).with("Origin", origin).with("X-CSRF-Token", csrf)
                .post("/api/control/resume", null).status()).isEqualTo(200);
        assertThat(Files.exists(f.loki.resolve("PAUSE"))).isFalse();
    }

    @Test
    void bearer_tokens_need_no_csrf_token_and_reads_need_none_either() {
        assertThat(f.as(Scope.CONTROL).post("/api/control/stop", null).status()).isEqualTo(200);
        assertThat(Files.exists(f.loki.resolve("STOP"))).isTrue();
        assertThat(f.as(Scope.CONTROL).post("/api/control/resume", null).status()).isEqualTo(200);
        String cookie = loginWith(f.server.loginUrl());
        assertThat(session(cookie).get("/api/status").status()).isEqualTo(200);
    }

    @Test
    void api_login_trades_a_token_for_a_session_with_that_tokens_scope() {
        String token = f.token(Scope.READ);
        Api.Answer a = new Api(f.base()).with("Origin", f.base()).post("/api/auth/login",
                "{\"token\":\"" + token + "\"}");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().path("scope").asText()).isEqualTo("read");
        String set = a.header("Set-Cookie").orElseThrow();
        String cookie = set.substring(set.indexOf('=') + 1, set.indexOf(';'));
        String csrf = a.json().path("csrf_token").asText();
        Api.Answer pause = session(cookie).with("Origin", f.base()).with("X-CSRF-Token", csrf)
                .post("/api/control/pause", null);
        assertThat(pause.status()).as("a read session cannot pause").isEqualTo(403);

        assertThat(new Api(f.base()).post("/api/auth/login", "{\"token\":\"loki_nope\"}").status()).isEqualTo(401);
        assertThat(new Api(f.base()).with("Origin", "http://evil.example")
                .post("/api/auth/login", "{\"token\":\"" + token + "\"}").status()).isEqualTo(403);
    }

    @Test
    void logout_ends_the_session() {
        String cookie = loginWith(f.server.loginUrl());
        String csrf = session(cookie).get("/api/auth/session").json().path("csrf_token").asText();
        assertThat(session(cookie).with("Origin", f.base()).with("X-CSRF-Token", csrf).post("/api/auth/logout", null)
                .status()).isEqualTo(200);
        assertThat(session(cookie).get("/api/status").status()).isEqualTo(401);
    }

    @Test
    void revoking_a_token_stops_it_and_the_sessions_opened_with_it() {
        String token = f.token(Scope.READ);
        Api bearer = Api.bearer(f.base(), token);
        String cookie = loginWith(f.base() + "/login?token=" + token);
        assertThat(bearer.get("/api/status").status()).isEqualTo(200);
        assertThat(session(cookie).get("/api/status").status()).isEqualTo(200);
        String id = f.server.tokens().verify(token).orElseThrow().id();
        assertThat(f.server.tokens().revoke(id)).isTrue();
        assertThat(bearer.get("/api/status").status()).isEqualTo(401);
        assertThat(session(cookie).get("/api/status").status()).isEqualTo(401);
    }

    @Test
    void an_expired_token_is_refused() throws Exception {
        String token = f.server.tokens().create("short-lived", Scope.READ, Optional.of(java.time.Duration.ofDays(1)));
        Api bearer = Api.bearer(f.base(), token);
        assertThat(bearer.get("/api/status").status()).isEqualTo(200);
        Path file = f.server.tokens().file();
        String json = Files.readString(file);
        String expires = f.server.tokens().verify(token).orElseThrow().expiresAt().orElseThrow().toString();
        Files.writeString(file, json.replace(expires, "2020-01-01T00:00:00Z"));
        assertThat(bearer.get("/api/status").status()).isEqualTo(401);
    }

    @Test
    void a_foreign_host_header_is_refused_before_any_route_runs() {
        int port = f.server.port();
        assertThat(Api.rawStatusLine(port, "GET /health HTTP/1.1\r\nHost: evil.example:" + port
                + "\r\nConnection: close\r\n\r\n")).contains(" 403");
        assertThat(Api.rawStatusLine(port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1.evil.example\r\n"
                + "Connection: close\r\n\r\n")).contains(" 403");
        assertThat(Api.rawStatusLine(port, "GET /health HTTP/1.1\r\nHost: localhost:" + port
                + "\r\nConnection: close\r\n\r\n")).contains(" 200");
        assertThat(Api.rawStatusLine(port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nConnection: close\r\n\r\n")).contains(" 200");
    }

    @Test
    void every_response_carries_the_security_headers() {
        for (Api.Answer a : new Api.Answer[] {f.anonymous().get("/"), f.anonymous().get("/api/status"),
            f.as(Scope.READ).get("/api/status")}) {
            assertThat(a.header("Content-Security-Policy").orElseThrow()).contains("default-src 'self'")
                    .contains("frame-ancestors 'none'").doesNotContain("unsafe-inline");
            assertThat(a.header("X-Content-Type-Options")).contains("nosniff");
            assertThat(a.header("Referrer-Policy")).contains("no-referrer");
        }
        assertThat(f.as(Scope.READ).get("/api/status").header("Cache-Control")).contains("no-store");
    }

    @Test
    void a_bad_authorization_header_is_refused() {
        assertThat(new Api(f.base()).with("Authorization", "Basic Zm9vOmJhcg==").get("/api/status").status())
                .isEqualTo(401);
        assertThat(new Api(f.base()).with("Authorization", "Bearer a.b.c").get("/api/status").status())
                .as("a JWT without OIDC configured").isEqualTo(401);
        assertThat(new Api(f.base()).with("Cookie", "loki_session=forged").get("/api/status").status())
                .isEqualTo(401);
    }
}
