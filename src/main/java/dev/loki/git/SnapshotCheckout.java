package dev.loki.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads snapshot commits of the private store without touching the user's repository: writes
 * one into a throwaway directory (a temporary index, {@code read-tree} and
 * {@code checkout-index}; the user's work tree, index, HEAD and refs are never used), and
 * diffs two of them file by file.
 */
public final class SnapshotCheckout {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    /** One file's change between two snapshots: status (A, D, M, T) and its patch text. */
    public record FileDiff(char status, String path, String patch) {
    }

    private final Path store;
    private final Map<String, String> env;

    private SnapshotCheckout(Path store, Map<String, String> env) {
        this.store = store;
        this.env = env;
    }

    /**
     * The store that holds {@code commit}: the private store under the git directory, or the
     * older {@code .loki/snapshots.git}; empty when neither has it (snapshots off, not a repo).
     */
    public static Optional<SnapshotCheckout> locate(Path workTree, Path lokiDir, Map<String, String> env,
            String commit) {
        if (commit == null || commit.isBlank()) {
            return Optional.empty();
        }
        List<Path> candidates = new ArrayList<>();
        RepoInfo.detect(workTree, env).ifPresent(r -> candidates.add(PrivateDir.store(r)));
        candidates.add(lokiDir.resolve("snapshots.git"));
        for (Path s : candidates) {
            if (Files.exists(s.resolve("HEAD"))) {
                SnapshotCheckout c = new SnapshotCheckout(s, env);
                if (c.git(Optional.empty(), Optional.empty()).exec("cat-file", "-e", commit + "^{commit}").ok()) {
                    return Optional.of(c);
                }
            }
        }
        return Optional.empty();
    }

    public boolean has(String commit) {
        return git(Optional.empty(), Optional.empty()).exec("cat-file", "-e", commit + "^{commit}").ok();
    }

    /**
     * Writes every file of {@code commit} into {@code into} (an empty directory): bytes, modes
     * and symlinks as captured; no filters from the user's configuration.
     */
    public void materialise(String commit, Path into) throws IOException {
        Files.createDirectories(into);
        Path index = Files.createTempFile("loki-checkout-", ".index");
        Files.delete(index); // git wants to create it itself
        try {
            GitCli git = git(Optional.of(index), Optional.of(into));
            git.run(List.of("read-tree", commit), null, TIMEOUT);
            git.run(List.of("-c", "core.autocrlf=false", "-c", "core.symlinks=true", "checkout-index", "-a", "-f"),
                    null, TIMEOUT);
        } finally {
            Files.deleteIfExists(index);
            Files.deleteIfExists(Path.of(index + ".lock"));
        }
    }

    /** What changed from {@code from} to {@code to}, one entry per file in path order. */
    public List<FileDiff> diff(String from, String to) {
        GitCli git = git(Optional.empty(), Optional.empty());
        List<String> raw = git.run(List.of("diff-tree", "-r", "-z", "--no-renames", "--name-status", from, to),
                null, TIMEOUT).nulSeparated();
        List<Character> status = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (int i = 0; i + 1 < raw.size(); i += 2) {
            status.add(raw.get(i).charAt(0));
            paths.add(raw.get(i + 1));
        }
        if (paths.isEmpty()) {
            return List.of();
        }
        String patch = git.run(List.of("diff-tree", "-r", "-p", "--no-renames", "--no-color", "--no-ext-diff",
                "--no-textconv", from, to), null, TIMEOUT).out();
        List<String> parts = splitPatches(patch);
        List<FileDiff> out = new ArrayList<>();
        if (parts.size() == paths.size()) {
            for (int i = 0; i < paths.size(); i++) {
                out.add(new FileDiff(status.get(i), paths.get(i), parts.get(i)));
            }
            return out;
        }
        // headers we could not pair with the name list (odd names): one call per file
        for (int i = 0; i < paths.size(); i++) {
            String p = git.run(List.of("diff-tree", "-r", "-p", "--no-renames", "--no-color", "--no-ext-diff",
                    "--no-textconv", from, to, "--", ":(literal)" + paths.get(i)), null, TIMEOUT).out();
            out.add(new FileDiff(status.get(i), paths.get(i), p));
        }
        return out;
    }

    static List<String> splitPatches(String patch) {
        List<String> parts = new ArrayList<>();
        int at = patch.startsWith("diff --git ") ? 0 : patch.indexOf("\ndiff --git ");
        if (at < 0) {
            return parts;
        }
        if (at > 0) {
            at++;
        }
        while (at >= 0 && at < patch.length()) {
            int next = patch.indexOf("\ndiff --git ", at);
            parts.add(next < 0 ? patch.substring(at) : patch.substring(at, next + 1));
            at = next < 0 ? -1 : next + 1;
        }
        return parts;
    }

    private GitCli git(Optional<Path> index, Optional<Path> checkout) {
        Map<String, String> e = new HashMap<>();
        e.put("GIT_DIR", store.toString());
        e.put("GIT_CONFIG_NOSYSTEM", "1");
        e.put("GIT_CONFIG_GLOBAL", "/dev/null");
        index.ifPresent(i -> e.put("GIT_INDEX_FILE", i.toString()));
        checkout.ifPresent(c -> e.put("GIT_WORK_TREE", c.toString()));
        Path cwd = checkout.orElse(store);
        return GitCli.in(cwd, env).withEnv(e);
    }

    public Path store() {
        return store;
    }
}
