package dev.loki.dashboard.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.loki.checkpoint.Checkpoint;
import dev.loki.checkpoint.CheckpointRequest;
import dev.loki.checkpoint.CheckpointService;
import dev.loki.dashboard.DashboardConfig;
import dev.loki.dashboard.DashboardServer;
import dev.loki.store.LokiDir;
import dev.loki.store.SessionLock;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 12 in a real Chromium: controls are disabled when they cannot act (a finished run,
 * a run that holds the project), the rollback confirmation lists the files the dry run says will
 * be changed back, brought back and removed with a diff per file, each checkpoint row shows what
 * its iteration changed, and after a rollback from the page the overview agrees with `loki status`.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunControlsBrowserTest {
    @TempDir
    static Path tmp;

    static TestRepo repo;
    static LokiDir loki;
    static DashboardServer server;
    static Chromium chromium;
    static Checkpoint first;
    static Checkpoint second;

    PageProbe probe;

    @RegisterExtension
    final AfterTestExecutionCallback screenshotOnFailure = ctx -> {
        if (ctx.getExecutionException().isPresent() && probe != null) {
            probe.screenshot("FAILED-" + ctx.getRequiredTestMethod().getName());
        }
    };

    @BeforeAll
    static void start() throws IOException {
        Chromium.requireInstalled();
        repo = TestRepo.create(tmp);
        repo.write("src/app.txt", "version 1\n");
        repo.commitAll("app v1");
        loki = new LokiDir(repo.dir().resolve(".loki"), repo.dir()).ensureExists();
        CheckpointService checkpoints = CheckpointService.open(loki, repo.env());
        write("autonomy-state.json", "{\"retryCount\":0,\"status\":\"running\",\"iterationCount\":1}");
        first = checkpoints.create(CheckpointRequest.iteration(1, "task-1", "First iteration", "claude"));
        repo.write("src/app.txt", "version 2\n");
        repo.write("notes/plan.md", "plan A\n");
        write("autonomy-state.json", "{\"retryCount\":0,\"status\":\"running\",\"iterationCount\":2}");
        second = checkpoints.create(CheckpointRequest.iteration(2, "task-2", "Second iteration", "claude"));
        // the run went on and finished
        repo.write("src/app.txt", "version 3 (after the checkpoint)\n");
        repo.delete("notes/plan.md");
        repo.write("src/extra.txt", "added after the checkpoint\n");
        write("autonomy-state.json", "{\"retryCount\":0,\"status\":\"completed\",\"iterationCount\":3}");
        server = DashboardServer.start(DashboardConfig.ephemeral(loki, repo.env()));
        chromium = Chromium.launch();
    }

    @AfterAll
    static void stop() {
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
    @Order(1)
    void controls_are_disabled_when_they_cannot_act_and_enabled_while_a_run_holds_the_project() throws Exception {
        Page page = signedIn();
        expect(page.locator("#status-badge")).hasText("completed");
        expect(page.locator("#ctl-stop")).isDisabled();
        expect(page.locator("#ctl-pause")).isDisabled();
        expect(page.locator("#ctl-resume")).isDisabled();
        assertThat(page.locator("#ctl-stop").getAttribute("title")).contains("no run is active");
        expect(rollbackButton(page, second)).isEnabled();

        try (SessionLock lock = SessionLock.tryAcquire(loki).orElseThrow()) {
            expect(page.locator("#status-badge")).hasText("running");
            expect(page.locator("#ctl-stop")).isEnabled();
            expect(page.locator("#ctl-pause")).isEnabled();
            expect(page.locator("#ctl-resume")).isDisabled();
            expect(rollbackButton(page, second)).isDisabled();
            assertThat(rollbackButton(page, second).getAttribute("title")).contains("A run is active");
        }
        expect(page.locator("#status-badge")).hasText("completed");
        expect(page.locator("#ctl-stop")).isDisabled();
        expect(rollbackButton(page, second)).isEnabled();
    }

    @Test
    @Order(2)
    void a_checkpoint_row_shows_what_its_iteration_changed_with_a_diff() {
        Page page = signedIn();
        Locator row = row(page, second);
        row.locator("[data-action=changes]").click();
        Locator box = row.locator(".changes-box");
        expect(box).containsText("changed since " + first.id());
        Locator app = box.locator(".file-item[data-path='src/app.txt']");
        expect(app).containsText("modified");
        expect(box.locator(".file-item[data-path='notes/plan.md']")).containsText("added");
        app.locator("[data-action=diff]").click();
        expect(app.locator("pre.diff")).containsText("-version 1");
        expect(app.locator("pre.diff")).containsText("+version 2");
    }

    @Test
    @Order(3)
    void the_rollback_confirmation_lists_the_dry_run_with_per_file_diffs_and_the_overview_then_agrees_with_loki_status()
            throws Exception {
        Page page = signedIn();
        Locator row = row(page, second);
        rollbackButton(page, second).click();
        Locator box = row.locator(".confirm-box");
        expect(box.locator("[data-plan=ready]")).containsText("3 files");
        expect(box.locator("[data-group=changed_back]")).containsText("src/app.txt");
        expect(box.locator("[data-group=brought_back]")).containsText("notes/plan.md");
        expect(box.locator("[data-group=removed]")).containsText("src/extra.txt");
        Locator app = box.locator("[data-group=changed_back] .file-item[data-path='src/app.txt']");
        app.locator("[data-action=diff]").click();
        expect(app.locator("pre.diff")).containsText("-version 3 (after the checkpoint)");
        expect(app.locator("pre.diff")).containsText("+version 2");
        assertThat(repo.read("src/app.txt")).as("the dry run changed nothing").startsWith("version 3");
        assertThat(repo.exists("src/extra.txt")).isTrue();
        probe.screenshot("dashboard-rollback-plan");

        box.locator("[data-action=confirm-rollback]").click();
        expect(page.locator("#notice-text")).containsText("Rolled back to " + second.id());
        assertThat(repo.read("src/app.txt")).isEqualTo("version 2\n");
        assertThat(repo.read("notes/plan.md")).isEqualTo("plan A\n");
        assertThat(repo.exists("src/extra.txt")).isFalse();

        Loki.Result status = Loki.run(repo, "status", "--json");
        assertThat(status.exit()).as(status.toString()).isZero();
        JsonNode cli = status.json();
        expect(page.locator("#status-badge")).hasText(cli.path("status").asText());
        expect(page.locator("#fact-iteration")).containsText(Integer.toString(cli.path("iteration").asInt()));
        assertThat(cli.path("iteration").asInt()).as("the restored agent state").isEqualTo(2);
        expect(page.locator("#ctl-stop")).isDisabled();
        expect(page.locator("#ctl-pause")).isDisabled();
    }

    private Page signedIn() {
        probe = new PageProbe(chromium.browser().newContext(new Browser.NewContextOptions().setViewportSize(1280, 900)));
        return probe.signIn(server);
    }

    private static Locator row(Page page, Checkpoint c) {
        return page.locator(".checkpoint[data-id='" + c.id() + "']");
    }

    private static Locator rollbackButton(Page page, Checkpoint c) {
        return row(page, c).locator("[data-action=rollback]");
    }

    private static void write(String rel, String content) throws IOException {
        Path target = loki.resolve(rel);
        Files.createDirectories(target.getParent());
        Files.writeString(target, content);
    }

    private static LocatorAssertions expect(Locator locator) {
        return PlaywrightAssertions.assertThat(locator);
    }
}
