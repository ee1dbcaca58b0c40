package dev.loki.dashboard.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.loki.dashboard.DashboardServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One browser context and page for one test, recording what a person would not see but a
 * reviewer must: console errors (CSP violations show up there), uncaught page errors, and the
 * API requests the page made.
 */
final class PageProbe implements AutoCloseable {
    static final Path SCREENSHOTS = Paths.get("target", "browser-screenshots");

    final BrowserContext context;
    final Page page;
    final List<String> consoleErrors = new CopyOnWriteArrayList<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> tolerated = new CopyOnWriteArrayList<>();

    PageProbe(BrowserContext context) {
        this.context = context;
        this.context.setDefaultTimeout(10_000);
        this.page = context.newPage();
        page.onConsoleMessage(m -> {
            if ("error".equals(m.type()) && !expectedAuthFailure(m.text())
                    && tolerated.stream().noneMatch(m.text()::contains)) {
                consoleErrors.add(m.text());
            }
        });
        page.onPageError(e -> consoleErrors.add("uncaught: " + e));
        page.onRequest(r -> requests.add(r.method() + " " + r.url()));
    }

    /**
     * Opens the server's login link and waits for the signed-in dashboard at the base URL with
     * its checkpoint list drawn.
     */
    Page signIn(DashboardServer server) {
        page.navigate(server.loginUrl());
        PlaywrightAssertions.assertThat(page.locator("#app-view")).isVisible();
        PlaywrightAssertions.assertThat(page).hasURL(server.baseUrl() + "/");
        PlaywrightAssertions.assertThat(page.locator("#checkpoint-list .checkpoint").first()).isVisible();
        return page;
    }

    /** The end of every browser test: nothing went wrong on the console; the context closes either way. */
    void assertNoConsoleErrorsAndClose() {
        try {
            assertThat(consoleErrors).as("console errors (CSP violations, script errors, failed loads)").isEmpty();
        } finally {
            close();
        }
    }

    /** A 401 is how the page learns it is signed out (and how a wrong token is refused). */
    private static boolean expectedAuthFailure(String text) {
        return text.startsWith("Failed to load resource: the server responded with a status of 401");
    }

    /** For a test that cuts the network on purpose: its failed loads are expected. */
    void tolerateConsoleErrorsContaining(String text) {
        tolerated.add(text);
    }

    /** Screenshots of failures from an earlier run would mislead; the record shots are rewritten. */
    static void clearOldFailures() {
        try (var files = Files.exists(SCREENSHOTS) ? Files.list(SCREENSHOTS) : java.util.stream.Stream.<Path>empty()) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.getFileName().toString().startsWith("FAILED-")) {
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long requestsTo(String pathAndQueryPrefix) {
        return requests.stream().filter(r -> r.substring(r.indexOf(' ') + 1).replaceFirst("^https?://[^/]+", "")
                .startsWith(pathAndQueryPrefix)).count();
    }

    /** Whether the page is wider than its viewport (a horizontal scroll bar). */
    boolean scrollsHorizontally() {
        Object wider = page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth"
                + " || document.body.scrollWidth > window.innerWidth");
        return Boolean.TRUE.equals(wider);
    }

    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        context.close();
    }
}
