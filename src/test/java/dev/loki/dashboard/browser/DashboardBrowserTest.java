package dev.loki.dashboard.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.ColorScheme;
import dev.loki.checkpoint.CheckpointRequest;
import dev.loki.checkpoint.CheckpointService;
import dev.loki.dashboard.DashboardConfig;
import dev.loki.dashboard.DashboardServer;
import dev.loki.dashboard.auth.Scope;
import dev.loki.store.LokiDir;
import dev.loki.store.Signals;
import dev.loki.testing.TestRepo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard UI in a real headless Chromium against the real server, a real .loki and real
 * checkpoints in a temporary git repository: sign-in both ways, live status from the loop's
 * files, session control, checkpoint create / rollback / undo checked on disk, phone width,
 * themes, and no console errors (a CSP violation is one).
 */
class DashboardBrowserTest {
    private static final String LONG_BRANCH = "feature/a-rather-long-branch-name-that-must-wrap-on-a-phone";

    @TempDir
    static Path tmp;

    static TestRepo repo;
    static LokiDir loki;
    static DashboardServer server;
    static Chromium chromium;

    PageProbe probe;

    /** A failing test leaves a screenshot of what the browser showed at that moment. */
    @RegisterExtension
    final AfterTestExecutionCallback screenshotOnFailure = ctx -> {
        if (ctx.getExecutionException().isPresent() && probe != null) {
            probe.screenshot("FAILED-" + ctx.getRequiredTestMethod().getName());
        }
    };

    @BeforeAll
    static void startServerAndBrowser() throws IOException {
        Chromium.requireInstalled();
        PageProbe.clearOldFailures();
        repo = TestRepo.create(tmp);
        repo.git("checkout", "-q", "-b", LONG_BRANCH);
        repo.write("src/app.txt", "version 1\n");
        repo.commitAll("app v1");
        loki = new LokiDir(repo.dir().resolve(".loki"), repo.dir()).ensureExists();
        Files.createDirectories(loki.resolve("logs"));
        Files.writeString(loki.resolve("logs/run.log"), "[2026-12-02T00:00:00Z] [INFO] run started\n");

        CheckpointService checkpoints = CheckpointService.open(loki, repo.env());
        checkpoints.create(CheckpointRequest.iteration(1, "task-1", "Parse the config file", "claude"));
        repo.write("src/app.txt", "version 2\n");
        checkpoints.create(CheckpointRequest.iteration(2, "task-2", "Add <b>escaping</b> & tests", "claude"));

        server = DashboardServer.start(DashboardConfig.ephemeral(loki, repo.env()));
        chromium = Chromium.launch();
    }

    @AfterAll
    static void stopServerAndBrowser() {
        if (chromium != null) {
            chromium.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @AfterEach
    void noConsoleErrors() {
        if (probe != null) {
            probe.assertNoConsoleErrorsAndClose();
        }
    }

    @Test
    void login_link_opens_the_dashboard_and_status_follows_the_loop_files_live() throws IOException {
        Page page = signedIn(1280, 900);
        expect(page.locator("#live")).hasAttribute("data-state", "live");
        long statusFetches = probe.requestsTo("/api/status");

        writeLoopState("development", 7);

        expect(page.locator("#status-badge")).hasText("running");
        expect(page.locator("#fact-phase")).hasText("development");
        expect(page.locator("#fact-iteration")).containsText("7");
        expect(page.locator("#fact-provider")).hasText("claude");
        assertThat(probe.requestsTo("/api/status")).as("the change arrived over SSE, not by polling")
                .isEqualTo(statusFetches);

        expect(page.locator("#log-view")).containsText("run started");
        Files.writeString(loki.resolve("logs/run.log"), "[2026-12-02T00:01:00Z] [WARN] iteration 7: one flaky test\n",
                StandardOpenOption.APPEND);
        expect(page.locator("#log-view")).containsText("iteration 7: one flaky test");
        page.fill("#log-filter", "no such words");
        expect(page.locator("#log-view")).not().containsText("flaky");
        page.fill("#log-filter", "");
        page.selectOption("#log-level", "warning");
        expect(page.locator("#log-view")).containsText("flaky");
        expect(page.locator("#log-view")).not().containsText("run started");
        page.selectOption("#log-level", "all");

        assertThat(probe.scrollsHorizontally()).as("horizontal scroll at 1280 px").isFalse();
        probe.screenshot("dashboard-1280");
    }

    @Test
    void live_indicator_shows_reconnecting_while_the_server_is_down_and_a_lost_session_asks_to_sign_in()
            throws IOException {
        Page page = signedIn(1280, 900);
        probe.tolerateConsoleErrorsContaining("ERR_CONNECTION_REFUSED");
        // the server is stopped on purpose: a request in flight at that moment is cut (seen under load in CI)
        probe.tolerateConsoleErrorsContaining("ERR_CONNECTION_RESET");
        probe.tolerateConsoleErrorsContaining("ERR_EMPTY_RESPONSE");
        expect(page.locator("#live")).hasAttribute("data-state", "live");

        int port = server.port();
        server.stop();
        expect(page.locator("#live")).hasAttribute("data-state", "reconnecting");
        expect(page.locator("#live")).hasText("Reconnecting…");
        writeLoopState("review", 9);
        // A restarted server has forgotten every browser session: the page must notice and ask.
        server = DashboardServer.start(new DashboardConfig(loki, repo.env(), DashboardConfig.DEFAULT_HOST, port));

        expect(page.locator("#login-view")).isVisible(new LocatorAssertions.IsVisibleOptions().setTimeout(20_000));
        expect(page.locator("#login-error")).containsText("session has ended");
        page.navigate(server.loginUrl());
        expect(page.locator("#live")).hasAttribute("data-state", "live");
        expect(page.locator("#fact-phase")).hasText("review");
        expect(page.locator("#fact-iteration")).containsText("9");
    }

    @Test
    void panels_render_the_task_council_cost_and_proof_files_and_gates_update_live() throws IOException {
        write("queue/pending.json", "[{\"id\":\"t-1\",\"title\":\"Write the parser\",\"priority\":2}]");
        write("council/state.json", "{\"enabled\":true,\"total_votes\":3,\"verdicts\":[{\"iteration\":4,"
                + "\"timestamp\":\"2026-12-02T00:00:00Z\",\"approve\":1,\"reject\":2,\"result\":\"REJECTED\"}]}");
        write("council/transcripts/iter-4-20261202.json", "{\"iteration_id\":\"iter-4-20261202\",\"iteration\":4,"
                + "\"outcome\":\"REJECTED\",\"approve_count\":1,\"reject_count\":2,\"voters\":[{\"name\":\"architect\","
                + "\"verdict\":\"REJECT\",\"reasoning\":\"Tests do not cover <script>.\",\"issues\":[]}]}");
        write("metrics/efficiency/iteration-1.json", "{\"iteration\":1,\"model\":\"sonnet\",\"phase\":\"development\","
                + "\"provider\":\"claude\",\"input_tokens\":1000,\"output_tokens\":500,\"cost_usd\":0.25}");
        write("proofs/run-20261202-a/proof.json", "{\"generated_at\":\"2026-12-02T00:00:00Z\",\"final_verdict\":"
                + "\"APPROVE\",\"cost_usd\":0.25,\"files_changed\":2}");
        write("metrics/budget.json", "{\"limit\":2.0}");
        write("proofs/run-20261202-a/index.html", "<!doctype html><title>proof</title><h1>Proof of run a</h1>");

        Page page = signedIn(1280, 900);
        expect(page.locator("#task-list")).containsText("Write the parser");
        expect(page.locator("#verdict-list")).containsText("REJECTED");
        page.locator("#transcript-list summary").first().click();
        expect(page.locator("#transcript-list")).containsText("Tests do not cover <script>.");
        expect(page.locator("#cost-total")).hasText("$0.25");
        expect(page.locator("#cost-breakdown")).containsText("sonnet");
        expect(page.locator("#budget-label")).hasText("Spent $0.25 of $2.00 (13%)");
        expect(page.locator("#budget-meter")).isVisible();

        // what 'loki proof verify' says of it: a hand-written proof has no hash
        expect(page.locator("#proof-list")).containsText("no hash");
        Page report = page.waitForPopup(() -> page.locator("#proof-list a", new Page.LocatorOptions()
                .setHasText("run-20261202-a")).click());
        expect(report.locator("h1")).hasText("Proof of run a");
        report.close();

        expect(page.locator("#quality-empty")).isVisible();
        write("quality/latest.json", "{\"iteration\":4,\"passed\":false,\"code_review_blocked\":true,\"results\":["
                + "{\"name\":\"tests\",\"status\":\"pass\",\"summary\":\"12 passed\"},"
                + "{\"name\":\"static-analysis\",\"status\":\"fail\",\"summary\":\"2 new warnings\"}]}");
        expect(page.locator("#gate-list")).containsText("2 new warnings");
        expect(page.locator("#gate-list")).containsText("failed");
        expect(page.locator("#quality-summary")).containsText("1 of 2 passing");
        expect(page.locator("#quality-summary")).containsText("blocked by code review");
    }

    @Test
    void token_form_refuses_a_wrong_token_accepts_a_real_one_and_signs_out() {
        probe = new PageProbe(chromium.browser().newContext(viewport(1280, 900)));
        Page page = probe.page;
        page.navigate(server.baseUrl() + "/");
        expect(page.locator("#login-view")).isVisible();
        expect(page.locator("#app-view")).isHidden();

        page.fill("#login-token", "loki_this-token-was-never-issued");
        page.click("#login-submit");
        expect(page.locator("#login-error")).containsText("not accepted");
        expect(page.locator("#app-view")).isHidden();

        String token = server.tokens().create("browser-form", Scope.CONTROL, Optional.empty());
        page.fill("#login-token", token);
        page.click("#login-submit");
        expect(page.locator("#app-view")).isVisible();
        expect(page.locator("#checkpoint-list .checkpoint").first()).isVisible();
        expect(page.locator("#read-only-note")).isHidden();
        assertThat(page.url()).doesNotContain(token);

        page.click("#logout");
        expect(page.locator("#login-view")).isVisible();
        Object status = page.evaluate("() => fetch('/api/status').then(r => r.status)");
        assertThat(status).as("the session cookie no longer works").isEqualTo(401);
    }

    @Test
    void read_only_token_sees_everything_but_gets_no_control_buttons() {
        probe = new PageProbe(chromium.browser().newContext(viewport(1280, 900)));
        Page page = probe.page;
        page.navigate(server.baseUrl() + "/");
        page.fill("#login-token", server.tokens().create("browser-viewer", Scope.READ, Optional.empty()));
        page.click("#login-submit");
        expect(page.locator("#checkpoint-list .checkpoint").first()).isVisible();
        expect(page.locator("#read-only-note")).isVisible();
        expect(page.locator("#ctl-stop")).isDisabled();
        expect(page.locator("#checkpoint-create")).isDisabled();
        expect(page.locator("#checkpoint-list [data-action=rollback]").first()).isDisabled();
    }

    @Test
    void checkpoint_list_shows_iteration_provider_branch_sha_and_escapes_text() {
        Page page = signedIn(1280, 900);
        Locator row = page.locator(".checkpoint", new Page.LocatorOptions().setHasText("Add <b>escaping</b> & tests"));
        expect(row).isVisible();
        expect(row).containsText("iteration 2");
        expect(row).containsText("provider claude");
        expect(row).containsText(LONG_BRANCH);
        expect(row).containsText(repo.head().substring(0, 10));
        assertThat(page.locator(".checkpoint b").count()).as("message text was not parsed as markup").isZero();
    }

    @Test
    void checkpoint_made_in_the_page_rolls_back_files_on_disk_after_two_clicks_and_the_undo_restores_them() {
        Page page = signedIn(1280, 900);
        repo.write("src/app.txt", "version 2\n");
        repo.write("notes/plan.md", "plan A\n");
        page.fill("#checkpoint-message", "before the risky refactor");
        page.click("#checkpoint-create");
        Locator row = page.locator(".checkpoint", new Page.LocatorOptions().setHasText("before the risky refactor"));
        expect(row).isVisible();
        expect(page.locator("#notice-text")).containsText("created");
        String id = row.getAttribute("data-id");

        repo.write("src/app.txt", "version 3 (broken by the agent)\n");
        repo.delete("notes/plan.md");
        repo.write("src/extra.txt", "added after the checkpoint\n");

        row.locator("[data-action=rollback]").click();
        expect(row.locator(".confirm-box")).isVisible();
        assertThat(repo.read("src/app.txt")).as("the first click only asks").startsWith("version 3");
        row.locator("[data-action=confirm-rollback]").click();

        expect(page.locator("#notice-text")).containsText("Rolled back to " + id);
        expect(page.locator("#notice-text")).containsText("1 changed back, 1 brought back, 1 removed");
        assertThat(repo.read("src/app.txt")).isEqualTo("version 2\n");
        assertThat(repo.read("notes/plan.md")).isEqualTo("plan A\n");
        assertThat(repo.exists("src/extra.txt")).isFalse();

        probe.screenshot("dashboard-rollback-notice");

        page.click("#notice-undo");
        expect(page.locator("#notice-text")).containsText("Rollback undone");
        assertThat(repo.read("src/app.txt")).isEqualTo("version 3 (broken by the agent)\n");
        assertThat(repo.read("src/extra.txt")).isEqualTo("added after the checkpoint\n");
        assertThat(repo.exists("notes/plan.md")).isFalse();
    }

    @Test
    void pause_resume_and_a_confirmed_stop_write_the_signal_files() throws IOException {
        Page page = signedIn(1280, 900);
        writeLoopState("development", 3);
        expect(page.locator("#status-badge")).hasText("running");
        try {
            page.click("#ctl-pause");
            expect(page.locator("#status-badge")).hasText("paused");
            assertThat(Files.exists(loki.resolve(Signals.PAUSE))).isTrue();

            page.click("#ctl-resume");
            expect(page.locator("#status-badge")).hasText("running");
            assertThat(Files.exists(loki.resolve(Signals.PAUSE))).isFalse();

            page.click("#ctl-stop");
            expect(page.locator("#confirm-dialog")).isVisible();
            page.click("#confirm-cancel");
            expect(page.locator("#confirm-dialog")).isHidden();
            assertThat(Files.exists(loki.resolve(Signals.STOP))).as("cancel sends nothing").isFalse();

            page.click("#ctl-stop");
            page.click("#confirm-ok");
            expect(page.locator("#confirm-dialog")).isHidden();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(loki.resolve(Signals.STOP)));
            expect(page.locator("#ctl-message")).containsText("Stop");
        } finally {
            Files.deleteIfExists(loki.resolve(Signals.STOP));
            Files.deleteIfExists(loki.resolve(Signals.PAUSE));
        }
    }

    @Test
    void phone_width_renders_every_panel_without_horizontal_scroll() {
        Page page = signedIn(390, 844);
        expect(page.locator("#checkpoint-list .checkpoint").first()).isVisible();
        expect(page.locator("#proofs")).isVisible();
        assertThat(probe.scrollsHorizontally()).as("horizontal scroll at 390 px").isFalse();
        probe.screenshot("dashboard-phone");
    }

    @Test
    void theme_toggle_overrides_the_system_preference_and_is_remembered() {
        probe = new PageProbe(chromium.browser().newContext(viewport(1280, 900).setColorScheme(ColorScheme.LIGHT)));
        Page page = probe.page;
        page.navigate(server.loginUrl());
        expect(page.locator("#app-view")).isVisible();
        String light = background(page);

        page.click("#theme-toggle");
        expect(page.locator("html")).hasAttribute("data-theme", "dark");
        expect(page.locator("#theme-toggle")).hasAttribute("aria-pressed", "true");
        String dark = background(page);
        assertThat(dark).isNotEqualTo(light);

        page.reload();
        expect(page.locator("#app-view")).isVisible();
        expect(page.locator("html")).hasAttribute("data-theme", "dark");
        assertThat(background(page)).isEqualTo(dark);
        probe.screenshot("dashboard-dark");
    }

    private Page signedIn(int width, int height) {
        probe = new PageProbe(chromium.browser().newContext(viewport(width, height)));
        return probe.signIn(server);
    }

    private static Browser.NewContextOptions viewport(int width, int height) {
        return new Browser.NewContextOptions().setViewportSize(width, height);
    }

    private static String background(Page page) {
        return (String) page.evaluate("() => getComputedStyle(document.body).backgroundColor");
    }

    /** What a running loop writes (upstream shape): orchestrator phase, iteration, a fresh session. */
    private static void writeLoopState(String phase, int iteration) throws IOException {
        String now = Instant.now().toString();
        Files.createDirectories(loki.resolve("state"));
        write("autonomy-state.json", "{\"status\":\"running\",\"iterationCount\":" + iteration + "}");
        write("dashboard-state.json", "{\"mode\":\"autonomous\",\"phase\":\"" + phase + "\",\"iteration\":" + iteration
                + ",\"tasks\":{\"pending\":[],\"inProgress\":[],\"review\":[],\"completed\":[],\"failed\":[]}}");
        write("session.json", "{\"status\":\"running\",\"startedAt\":\"" + now + "\",\"updatedAt\":\"" + now
                + "\",\"provider\":\"claude\"}");
        write("state/provider", "claude");
    }

    private static void write(String rel, String content) throws IOException {
        Path target = loki.resolve(rel);
        Files.createDirectories(target.getParent());
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(temp, content, StandardCharsets.UTF_8);
        Files.move(temp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static LocatorAssertions expect(Locator locator) {
        return PlaywrightAssertions.assertThat(locator);
    }
}
