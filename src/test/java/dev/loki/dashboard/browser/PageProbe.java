package dev.loki.dashboard.browser;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
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
