package dev.loki.proof;

import dev.loki.store.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Shares a proof page as a GitHub gist with the user's own {@code gh} (found on the caller's
 * PATH): no Loki service is involved. The page is copied to a private temporary directory as
 * {@code index.html}, uploaded, and the copy is always removed.
 */
public final class GistPublisher {
    private static final Duration AUTH_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(120);

    /** The gist's URL, or why there is none. */
    public record Outcome(Optional<String> url, String error) {
    }

    private final Map<String, String> env;
    private final Path cwd;

    public GistPublisher(Map<String, String> env, Path cwd) {
        this.env = env;
        this.cwd = cwd;
    }

    /** Why sharing cannot start (no gh, not logged in), checked before the user is asked. */
    public Optional<String> unavailable() throws IOException {
        Optional<Path> gh = ExternalCommand.find("gh", env);
        if (gh.isEmpty()) {
            return Optional.of("gh CLI not found: install it (brew install gh, apt install gh, or "
                    + "https://cli.github.com) or share with --hosted");
        }
        ExternalCommand.Result auth = ExternalCommand.run(gh.get(), List.of("auth", "status"), env, cwd, AUTH_TIMEOUT);
        if (!auth.ok()) {
            return Optional.of("GitHub CLI not authenticated: run 'gh auth login' and try again");
        }
        return Optional.empty();
    }

    /**
     * Uploads {@code html}: the very bytes the caller checked and previewed, never the file read
     * again (a page rewritten while the user was asked would otherwise go out unchecked).
     */
    public Outcome publish(String proofId, byte[] html, boolean isPublic) throws IOException {
        Optional<Path> gh = ExternalCommand.find("gh", env);
        if (gh.isEmpty()) {
            return new Outcome(Optional.empty(), "gh CLI not found on PATH");
        }
        Path tmp = Files.createTempDirectory("loki-proof-");
        try {
            Path page = Files.write(tmp.resolve("index.html"), html);
            List<String> args = new ArrayList<>(List.of("gist", "create", page.toString(), "--desc",
                    "Loki proof-of-run " + proofId));
            if (isPublic) {
                args.add("--public");
            }
            ExternalCommand.Result r = ExternalCommand.run(gh.get(), args, env, cwd, CREATE_TIMEOUT);
            if (!r.ok()) {
                String why = r.timedOut() ? "gh timed out after " + CREATE_TIMEOUT.toSeconds() + " s"
                        : "gh exited " + r.exit() + ": " + firstLine(r.err().isBlank() ? r.out() : r.err());
                return new Outcome(Optional.empty(), why);
            }
            Optional<String> url = r.out().lines().map(String::strip)
                    .filter(l -> l.startsWith("https://")).reduce((a, b) -> b);
            return url.map(u -> new Outcome(Optional.of(u), ""))
                    .orElseGet(() -> new Outcome(Optional.empty(), "gh printed no gist URL: " + firstLine(r.out())));
        } finally {
            FileTrees.delete(tmp);
        }
    }

    private static String firstLine(String s) {
        String l = s.strip().lines().findFirst().orElse("(no output)");
        return l.length() > 300 ? l.substring(0, 300) + "..." : l;
    }
}
