package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.dashboard.auth.LoginTickets;
import dev.loki.dashboard.auth.Scope;
import dev.loki.store.Json;
import dev.loki.testing.Loki;
import io.javalin.http.HandlerType;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 1: a read-scoped token must never find a way to admin. Login tickets, API tokens,
 * bearer headers and session cookies that end up in logs or state files are masked in every
 * answer of every route; a ticket works once and expires; 'loki dashboard open' hands the link to
 * the browser through a private file, never through a command line or a log. (Its route walk uses
 * made-up ids over a fixture with no transcript or proof; {@link StoredContentRedactionTest} walks
 * every route over real stored content with other secret shapes.)
 */
class SecretsNeverReadBackTest {
    private static final Pattern TICKET = Pattern.compile("lt_[A-Za-z0-9_-]{20,}");
    private static final String PROVIDER_KEY = "sk-ant-api03-" + "Q".repeat(40);

    @TempDir
    Path tmp;

    /** Real secrets of this server, planted where a careless writer could have put them. */
    record Planted(String ticket, String adminToken, String cookie) {
        List<String> all() {
            return List.of(ticket, adminToken, cookie);
        }
    }

    static Planted plant(ServerFixture f) throws Exception {
        String ticket = new LoginTickets(f.loki).mint(LoginTickets.DEFAULT_TTL);
        String admin = f.token(Scope.ADMIN);
        // a real session cookie: log in with a second ticket
        String t2 = new LoginTickets(f.loki).mint(LoginTickets.DEFAULT_TTL);
        Api.Answer login = f.anonymous().get("/login?token=" + t2);
        assertThat(login.status()).isEqualTo(303);
        String cookie = login.header("Set-Cookie").orElseThrow().replaceAll("^loki_session=([^;]+);.*$", "$1");
        assertThat(cookie).hasSizeGreaterThan(20);
        String url = f.base() + "/login?token=" + ticket;
        String lines = "2026-01-01T00:00:00Z Dashboard: " + url + "\n"
                + "2026-01-01T00:00:01Z curl -H 'Authorization: Bearer " + admin + "' " + f.base() + "/api/status\n"
                + "2026-01-01T00:00:02Z token " + admin + " created\n"
                + "2026-01-01T00:00:03Z Cookie: loki_session=" + cookie + "\n"
                + "2026-01-01T00:00:04Z agent echoed " + PROVIDER_KEY + "\n";
        Files.createDirectories(f.loki.resolve("logs"));
        Files.writeString(f.loki.resolve("logs/session.log"), lines);
        Files.writeString(f.loki.resolve("logs/agent.log"), lines);
        Files.createDirectories(f.loki.eventsFile().getParent());
        Files.writeString(f.loki.eventsFile(), "{\"type\":\"iteration.end\",\"detail\":" + Json.MAPPER
                .writeValueAsString(lines) + "}\n");
        Files.createDirectories(f.loki.resolve("quality"));
        Files.writeString(f.loki.resolve("quality/latest.json"), "{\"output\":" + Json.MAPPER.writeValueAsString(lines)
                + "}\n");
        Files.createDirectories(f.loki.resolve("state"));
        Files.writeString(f.loki.resolve("state/provider"), "command " + ticket + "\n");
        return new Planted(ticket, admin, cookie);
    }

    static void assertNoSecret(String where, String body, Planted p) {
        for (String s : p.all()) {
            assertThat(body).as(where + " leaks a planted secret").doesNotContain(s);
        }
        assertThat(TICKET.matcher(body).find()).as(where + " carries a login ticket: " + body).isFalse();
    }

    @Test
    void a_read_token_finds_no_login_link_in_api_logs_and_cannot_become_admin() throws Exception {
        try (ServerFixture f = ServerFixture.start(tmp)) {
            Planted p = plant(f);
            Api read = f.as(Scope.READ);
            Api.Answer logs = read.get("/api/logs?lines=200");
            assertThat(logs.status()).isEqualTo(200);
            assertThat(logs.body()).contains("Dashboard: ").contains("login?token=[REDACTED]").contains("Bearer loki_[REDACTED]");
            assertNoSecret("/api/logs", logs.body(), p);
            Matcher m = Pattern.compile("lt_[^\"\\s&]*").matcher(logs.body());
            while (m.find()) {
                Api.Answer tryIt = f.anonymous().get("/login?token=" + m.group());
                assertThat(tryIt.status()).as("a ticket scraped from /api/logs logs in").isNotEqualTo(303);
            }
        }
    }

    @Test
    void every_route_answers_a_read_token_without_any_planted_secret() throws Exception {
        try (ServerFixture f = ServerFixture.start(tmp, Map.of("LOKI_DASHBOARD_RATE_AUTH", "100000",
                "LOKI_DASHBOARD_RATE_CONTROL", "100000", "LOKI_DASHBOARD_WATCH_MS", "100"))) {
            Planted p = plant(f);
            String readToken = f.token(Scope.READ);
            Api read = Api.bearer(f.base(), readToken);
            List<String> walked = new ArrayList<>();
            for (RouteTable.Route r : f.server.routes()) {
                if (r.path().equals("/api/events/stream")) {
                    continue;
                }
                for (String id : List.of("does-not-exist", "latest")) {
                    String path = r.path().replace("{id}", id).replace("<path>", "index.html");
                    Api.Answer a = r.method() == HandlerType.GET
                            ? read.send(HttpRequest.newBuilder(URI.create(f.base() + path))
                                    .header("Accept", "application/json").timeout(Duration.ofSeconds(10)).GET())
                            : read.post(path, "{}");
                    assertNoSecret(r.method() + " " + path + " (" + a.status() + ")", a.body(), p);
                    a.raw().headers().map().forEach((k, v) -> assertNoSecret("header " + k + " of " + path,
                            String.join(",", v), p));
                    if (List.of("/api/logs", "/api/events", "/api/quality").contains(r.path())) {
                        assertThat(a.body()).as(r.path() + " passes the full redactor").doesNotContain(PROVIDER_KEY)
                                .contains("agent echoed");
                    }
                    walked.add(r.method() + " " + r.path());
                }
            }
            assertThat(walked).contains("GET /api/logs", "GET /api/events", "GET /api/quality", "GET /api/status",
                    "GET /api/auth/session");
            assertThat(walked.size() / 2).isEqualTo(f.server.routes().size() - 1);

            // the live stream: the watcher follows the newest log; a line appended now must arrive masked
            try (SseClient sse = new SseClient(SseClient.newHttp(), f.base() + "/api/events/stream", readToken)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (sse.status() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                // append to the log the watcher follows (the newest) until a line arrives: the first
                // poll after a switch of file starts at its end, so one append alone could race it
                while (!sse.has("log", "later:") && System.nanoTime() < deadline) {
                    Path newest = dev.loki.dashboard.api.ReadRoutes.newestLog(f.loki.resolve("logs")).orElseThrow();
                    Files.writeString(newest, "later: " + f.base() + "/login?token=" + p.ticket() + " and Bearer "
                            + p.adminToken() + "\n", java.nio.file.StandardOpenOption.APPEND);
                    Thread.sleep(300);
                }
                assertThat(sse.has("log", "later:")).as("the appended line reached the stream").isTrue();
                for (SseClient.Event e : sse.events) {
                    assertNoSecret("SSE " + e.name(), e.data(), p);
                }
            }
        }
    }

    @Test
    void a_login_ticket_works_once_and_expires() throws Exception {
        try (ServerFixture f = ServerFixture.start(tmp, Map.of("LOKI_DASHBOARD_RATE_AUTH", "100000"))) {
            LoginTickets tickets = new LoginTickets(f.loki);
            String once = tickets.mint(LoginTickets.SHORT_TTL);
            assertThat(f.anonymous().get("/login?token=" + once).status()).isEqualTo(303);
            assertThat(f.anonymous().get("/login?token=" + once).status()).as("second use").isEqualTo(401);

            String shortLived = tickets.mint(Duration.ofMillis(300));
            Thread.sleep(600);
            assertThat(f.anonymous().get("/login?token=" + shortLived).status()).as("expired").isEqualTo(401);
            assertThat(LoginTickets.SHORT_TTL).isLessThanOrEqualTo(Duration.ofMinutes(2));
        }
    }

    @Test
    void dashboard_open_passes_a_private_file_to_the_opener_never_the_link() throws Exception {
        try (ServerFixture f = ServerFixture.start(tmp, Map.of("LOKI_DASHBOARD_RATE_AUTH", "100000"))) {
            new DashboardInstance(ProcessHandle.current().pid(), "127.0.0.1", f.server.port(),
                    f.server.instanceId(), Instant.now().toString()).write(f.loki);
            Path bin = Files.createDirectories(tmp.resolve("bin"));
            Path argvOut = tmp.resolve("opener-argv.txt");
            Path fake = bin.resolve("xdg-open");
            // a fake opener: records its argv and what it could read, and prints to its log like a real one
            Files.writeString(fake, "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + argvOut + "\n"
                    + "f=\"${1#file://}\"\ncp \"$f\" " + tmp.resolve("page-copy.html") + "\n"
                    + "stat -c '%a' \"$f\" > " + tmp.resolve("page-mode.txt") + "\n"
                    + "stat -c '%a' \"$(dirname \"$f\")\" > " + tmp.resolve("dir-mode.txt") + "\n"
                    + "echo \"opening $1\"\n");
            Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
            Map<String, String> env = new HashMap<>(f.repo.env());
            env.put("PATH", bin + ":" + env.get("PATH"));
            env.remove("XDG_RUNTIME_DIR");

            Loki.Result r = Loki.run(f.repo.dir(), env, "dashboard", "open");
            assertThat(r.exit()).as(r.toString()).isZero();
            String argv = Files.readString(argvOut);
            assertThat(argv).doesNotContain("lt_").doesNotContain("token=").startsWith("file:");
            String page = Files.readString(tmp.resolve("page-copy.html"));
            Matcher m = TICKET.matcher(page);
            assertThat(m.find()).as("the private page carries the link").isTrue();
            assertThat(Files.readString(tmp.resolve("page-mode.txt")).strip()).isEqualTo("600");
            assertThat(Files.readString(tmp.resolve("dir-mode.txt")).strip()).isEqualTo("700");
            Path pageFile = Path.of(URI.create(argv.strip()));
            assertThat(pageFile.startsWith(f.loki.path())).as("not under .loki").isFalse();
            assertThat(r.out() + r.err()).doesNotContain(m.group());

            String ticket = m.group();
            try (Stream<Path> s = Files.walk(f.loki.path())) {
                for (Path file : s.filter(Files::isRegularFile).toList()) {
                    assertThat(Files.readString(file)).as(file + " holds the login link").doesNotContain(ticket);
                }
            }
            assertThat(Files.readString(f.loki.resolve("dashboard/logs/open.log"))).doesNotContain("lt_");
            assertThat(f.anonymous().get("/login?token=" + ticket).status()).as("the link works once")
                    .isEqualTo(303);
        }
    }
}
