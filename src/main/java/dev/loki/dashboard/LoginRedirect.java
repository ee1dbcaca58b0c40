package dev.loki.dashboard;

import dev.loki.LokiException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Hands a login link to the browser without putting it on a command line: a tiny HTML page
 * that redirects to the link, written 0600 into a private 0700 directory outside the project
 * ({@code $XDG_RUNTIME_DIR/loki-open}, else {@code ~/.loki/open}). The opener gets the page's
 * path. Pages older than {@link #KEEP} are removed on the next open (their tickets expired).
 */
public final class LoginRedirect {
    static final Duration KEEP = Duration.ofMinutes(5);

    private LoginRedirect() {
    }

    public static Path write(Map<String, String> env, String loginUrl) {
        Path dir = directory(env);
        try {
            Files.createDirectories(dir.getParent());
            if (!Files.isDirectory(dir)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            sweep(dir);
            Path page = Files.createTempFile(dir, "login-", ".html",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            String href = loginUrl.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
            String html = "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"referrer\" content=\"no-referrer\">"
                    + "<meta http-equiv=\"refresh\" content=\"0;url=" + href + "\"><title>Loki dashboard</title></head>"
                    + "<body><a href=\"" + href + "\">Open the Loki dashboard</a></body></html>\n";
            Files.writeString(page, html, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            return page;
        } catch (IOException | UnsupportedOperationException e) {
            throw LokiException.failed("Cannot write the private login page in " + dir + ": " + e.getMessage()
                    + "; use 'loki dashboard url' and paste the link instead");
        }
    }

    public static void delete(Path page) {
        try {
            Files.deleteIfExists(page);
        } catch (IOException e) {
            // its ticket expires in 2 minutes anyway
        }
    }

    static Path directory(Map<String, String> env) {
        String runtime = env.getOrDefault("XDG_RUNTIME_DIR", "");
        if (!runtime.isBlank() && Files.isDirectory(Path.of(runtime))) {
            return Path.of(runtime, "loki-open");
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home, ".loki", "open");
    }

    private static void sweep(Path dir) throws IOException {
        FileTime cutoff = FileTime.from(Instant.now().minus(KEEP));
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "login-*.html")) {
            for (Path p : s) {
                if (Files.getLastModifiedTime(p).compareTo(cutoff) < 0) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
