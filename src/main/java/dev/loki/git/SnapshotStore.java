package dev.loki.git;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Snapshots of a work tree kept in a private git store, never in the user's repository.
 *
 * <p>The store is a separate repository under {@code .loki/} whose
 * {@code objects/info/alternates} points at the user's object database, so content the user
 * already has is never copied, and whose own persistent index means unchanged files are never
 * re-hashed. A snapshot covers tracked and untracked (not ignored) files, deletions, executable
 * bits and symlinks; it runs git with {@code GIT_DIR}, {@code GIT_WORK_TREE} and
 * {@code GIT_INDEX_FILE} pointing at the store, so the user's index, HEAD, refs and objects are
 * never written. Callers serialise access (one snapshot or restore at a time per store).
 */
public final class SnapshotStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SnapshotStore.class);
    public static final String REF_PREFIX = "refs/loki/checkpoints/";

    private static final String INDEX = "loki-index";
    private static final String RESTORE_INDEX = "loki-restore-index";

    private final Path store;
    private final RepoInfo repo;
    private final Map<String, String> baseEnv;
    private final List<String> excludedPrefixes;

    /**
     * @param store            the private store directory (created on first use)
     * @param repo             the user's repository
     * @param env              the environment to run git with
     * @param excludedPrefixes work-tree-relative directories never snapshotted nor restored
     *                         (the .loki directory), each ending in '/'
     */
    public SnapshotStore(Path store, RepoInfo repo, Map<String, String> env, List<String> excludedPrefixes) {
        this.store = store.toAbsolutePath().normalize();
        this.repo = repo;
        this.baseEnv = env;
        this.excludedPrefixes = List.copyOf(excludedPrefixes);
    }

    /** Limits for one snapshot. */
    public record Limits(long maxFileBytes, Instant deadline) {
    }

    /** A path left out of a snapshot, and why. */
    public record Skipped(String path, String reason) {
    }

    /** A snapshot that was taken. */
    public record Snapshot(String commit, String tree, List<Skipped> skipped, int pathsUpdated) {
    }

    public Path directory() {
        return store;
    }

    public RepoInfo repo() {
        return repo;
    }

    /** Takes a snapshot of the work tree and points {@code ref} at it. */
    public Snapshot take(String ref, String message, Limits limits) throws IOException {
        init();
        syncExcludes();
        Files.deleteIfExists(store.resolve(INDEX + ".lock"));
        boolean seeded = seedIndex();
        GitCli git = git(INDEX);
        if (seeded) {
            for (String prefix : excludedPrefixes) {
                git.run(List.of("rm", "-r", "-q", "--cached", "--ignore-unmatch", "--", stripSlash(prefix)),
                        null, remaining(limits));
            }
        }
        String fingerprint = userObjectsFingerprint();
        try {
            return stage(git, ref, message, limits, fingerprint);
        } catch (GitException e) {
            if (e.timedOut()) {
                throw e;
            }
            // A damaged private index, or one naming objects the user's repository no longer
            // has (history rewritten and garbage-collected): start from an empty index; every
            // file is hashed again from the work tree, which recreates those objects here.
            LOG.warn("snapshot with the saved index failed ({}); hashing the whole work tree again", e.getMessage());
            Files.deleteIfExists(store.resolve(INDEX));
            Files.deleteIfExists(store.resolve(INDEX + ".lock"));
            return stage(git, ref, message, limits, fingerprint);
        }
    }

    private Snapshot stage(GitCli git, String ref, String message, Limits limits, String fingerprint)
            throws IOException {
        List<String> candidates = git.run(List.of("ls-files", "-z", "--others", "--modified", "--exclude-standard"),
                null, remaining(limits)).nulSeparated();
        Set<String> update = new LinkedHashSet<>();
        List<Skipped> skipped = new ArrayList<>();
        for (String path : candidates) {
            if (path.isEmpty() || isExcluded(path)) {
                continue;
            }
            if (path.endsWith("/")) {
                skipped.add(new Skipped(path, "nested git repository"));
                continue;
            }
            Path file = repo.workTree().resolve(path);
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isRegularFile() && a.size() > limits.maxFileBytes()) {
                    skipped.add(new Skipped(path, "larger than " + (limits.maxFileBytes() / (1024 * 1024)) + " MiB ("
                            + (a.size() / (1024 * 1024)) + " MiB)"));
                    continue;
                }
            } catch (NoSuchFileException e) {
                // deleted since the last snapshot: update-index --remove records that
            }
            update.add(path);
        }
        if (!update.isEmpty()) {
            git.run(List.of("update-index", "--add", "--remove", "-z", "--stdin"), nulJoin(update), remaining(limits));
        }
        if (!skipped.isEmpty()) {
            List<String> drop = skipped.stream().map(Skipped::path).map(SnapshotStore::stripSlash).toList();
            git.run(List.of("update-index", "--force-remove", "-z", "--stdin"), nulJoin(drop), remaining(limits));
        }
        String tree = git.run(List.of("write-tree"), null, remaining(limits)).out().strip();
        Path seen = store.resolve("loki-user-packs");
        boolean packsChanged = !Files.isRegularFile(seen)
                || !Files.readString(seen, StandardCharsets.UTF_8).equals(fingerprint);
        if (packsChanged) {
            // The user's object database was repacked (or this is the first snapshot): objects
            // our index borrows may be gone. Verify once, here, instead of on every snapshot.
            List<String> missing = missingObjects(tree, remaining(limits));
            if (!missing.isEmpty()) {
                throw new GitException(List.of("write-tree"), 1, missing.size()
                        + " borrowed object(s) are gone from the repository", false);
            }
        }
        String commit = git.run(List.of("commit-tree", "--no-gpg-sign", tree, "-m", message), null, remaining(limits)).out().strip();
        git.run(List.of("update-ref", ref, commit), null, remaining(limits));
        if (packsChanged) {
            Files.writeString(seen, fingerprint, StandardCharsets.UTF_8);
        }
        return new Snapshot(commit, tree, List.copyOf(skipped), update.size());
    }

    /** The names of the user's pack files: a gc or repack changes them. */
    private String userObjectsFingerprint() throws IOException {
        Path packs = repo.objectsDir().resolve("pack");
        if (!Files.isDirectory(packs)) {
            return "";
        }
        try (var list = Files.list(packs)) {
            return String.join("\n", list.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".pack")).sorted().toList());
        }
    }

    /** The commit a ref of this store points at. */
    public Optional<String> resolve(String ref) {
        if (!Files.exists(store.resolve("HEAD"))) {
            return Optional.empty();
        }
        GitCli.Result r = git(INDEX).exec("rev-parse", "-q", "--verify", ref + "^{commit}");
        return r.ok() ? Optional.of(r.out().strip()) : Optional.empty();
    }

    /** Whether an object (from this store or the user's repository) exists. */
    public boolean hasCommit(String sha) {
        init();
        return git(INDEX).exec("cat-file", "-e", sha + "^{commit}").ok();
    }

    /**
     * Objects reachable from {@code commit} that are missing from both this store and the
     * user's repository (for example after the user rewrote history and ran {@code gc}).
     */
    public List<String> missingObjects(String commit, Duration timeout) {
        init();
        GitCli.Result r = git(INDEX).exec(List.of("rev-list", "--objects", "--missing=print", commit), null, timeout);
        List<String> missing = new ArrayList<>();
        if (!r.ok()) {
            missing.add(commit + " (" + r.stderr().strip() + ")");
            return missing;
        }
        for (String line : r.out().split("\n")) {
            if (line.startsWith("?")) {
                missing.add(line.substring(1).strip());
            }
        }
        return missing;
    }

    /** Paths that differ from {@code from} to {@code to} (commits or trees of this store). */
    public List<TreeChange> diff(String from, String to, Duration timeout) {
        GitCli.Result r = git(INDEX).run(List.of("diff-tree", "-r", "-z", "--no-renames", "--raw", from, to),
                null, timeout);
        List<String> parts = r.nulSeparated();
        List<TreeChange> changes = new ArrayList<>();
        for (int i = 0; i + 1 < parts.size(); i += 2) {
            String meta = parts.get(i);
            if (!meta.startsWith(":")) {
                i--;
                continue;
            }
            String[] f = meta.substring(1).split(" ");
            char status = f[4].charAt(0);
            String path = parts.get(i + 1);
            if (!isExcluded(path)) {
                changes.add(new TreeChange(status, path, f[0], f[1]));
            }
        }
        return changes;
    }

    /**
     * Makes each of {@code changes}' paths in the work tree equal to {@code commit}: paths the
     * commit has are written from it (content, mode, symlink), the others are deleted. Touches
     * nothing else. Deletions run first so a file can replace a directory and back.
     */
    public void apply(String commit, List<TreeChange> changes, Duration timeout) throws IOException {
        List<String> write = new ArrayList<>();
        for (TreeChange c : changes) {
            if (c.inTarget()) {
                if (!"160000".equals(c.newMode())) {
                    write.add(c.path());
                }
            } else if (!"160000".equals(c.oldMode())) {
                delete(c.path());
            }
        }
        for (String path : write) {
            // A path that must become a file but is a directory now (its files went first).
            Path p = repo.workTree().resolve(path);
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.delete(p);
                } catch (DirectoryNotEmptyException e) {
                    throw new IOException(path + " is a directory that still holds files; cannot replace it");
                }
            }
        }
        if (write.isEmpty()) {
            return;
        }
        Path restoreIndex = store.resolve(RESTORE_INDEX);
        Files.deleteIfExists(restoreIndex);
        Files.deleteIfExists(store.resolve(RESTORE_INDEX + ".lock"));
        GitCli git = git(RESTORE_INDEX);
        try {
            git.run(List.of("read-tree", commit), null, timeout);
            git.run(List.of("checkout-index", "-f", "-q", "-z", "--stdin"), nulJoin(write), timeout);
        } finally {
            Files.deleteIfExists(restoreIndex);
        }
    }

    private void delete(String relative) throws IOException {
        Path root = repo.workTree();
        Path p = root.resolve(relative).normalize();
        if (!p.startsWith(root) || p.equals(root)) {
            throw new IOException("refusing to delete " + relative + ": outside the work tree");
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return; // a directory where a file was: its own contents are handled path by path
        }
        Files.deleteIfExists(p);
        for (Path dir = p.getParent(); dir != null && !dir.equals(root) && dir.startsWith(root); dir = dir.getParent()) {
            try {
                Files.delete(dir);
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                break;
            }
        }
    }

    /** Deletes refs of this store (objects go at the next {@link #maintain}). */
    public void deleteRefs(List<String> refs) {
        if (refs.isEmpty() || !Files.exists(store.resolve("HEAD"))) {
            return;
        }
        StringBuilder stdin = new StringBuilder();
        for (String ref : refs) {
            stdin.append("delete ").append(ref).append('\n');
        }
        git(INDEX).run(List.of("update-ref", "--stdin"), stdin.toString().getBytes(StandardCharsets.UTF_8),
                Duration.ofMinutes(1));
    }

    public List<String> refs() {
        if (!Files.exists(store.resolve("HEAD"))) {
            return List.of();
        }
        String out = git(INDEX).run("for-each-ref", "--format=%(refname)", "refs/loki/").out();
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    /**
     * Repacks the store so it holds its own copy of every object a retained snapshot needs
     * ({@code repack -a} without {@code -l} copies objects borrowed through alternates), and
     * drops objects no snapshot needs any more. A snapshot whose objects are already gone
     * cannot be repacked: its ref is deleted (the rest are saved) and returned.
     */
    public List<String> maintain(Duration timeout) {
        if (!Files.exists(store.resolve("HEAD"))) {
            return List.of();
        }
        GitCli git = git(INDEX);
        List<String> lost = new ArrayList<>();
        GitCli.Result all = git.exec(List.of("rev-list", "--objects", "--missing=print", "--all"), null, timeout);
        if (!all.ok() || all.out().lines().anyMatch(l -> l.startsWith("?"))) {
            for (String ref : refs()) {
                if (!missingObjects(ref, timeout).isEmpty()) {
                    lost.add(ref);
                }
            }
            deleteRefs(lost);
        }
        git.run(List.of("pack-refs", "--all"), null, timeout);
        git.run(List.of("repack", "-a", "-d", "-q"), null, timeout);
        git.run(List.of("prune", "--expire=now"), null, timeout);
        return lost;
    }

    /** Bytes the store's objects take on disk. */
    public long objectBytes() {
        Path objects = store.resolve("objects");
        if (!Files.isDirectory(objects)) {
            return 0;
        }
        try (var walk = Files.walk(objects)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    private void init() {
        try {
            if (Files.exists(store.resolve("HEAD"))) {
                return;
            }
            Files.createDirectories(store.getParent());
            GitCli.in(store.getParent(), baseEnv).run("init", "-q", "--bare", "--template=", store.toString());
            Files.writeString(store.resolve("config"), String.join("\n",
                    "[core]",
                    "\trepositoryformatversion = 0",
                    "\tbare = false",
                    "\tfilemode = true",
                    "\tsymlinks = true",
                    "\tautocrlf = false",
                    "\tsafecrlf = false",
                    "\tlogallrefupdates = false",
                    "\tuntrackedCache = false",
                    "\tfsmonitor = false",
                    "\tsplitIndex = false",
                    "[gc]",
                    "\tauto = 0",
                    "[index]",
                    "\tsparse = false",
                    ""), StandardCharsets.UTF_8);
            Path info = Files.createDirectories(store.resolve("objects").resolve("info"));
            Files.writeString(info.resolve("alternates"), repo.objectsDir().toString() + "\n", StandardCharsets.UTF_8);
            // never committed into the user's repository, even where .loki itself is not ignored
            Files.writeString(store.resolve(".gitignore"), "*\n", StandardCharsets.UTF_8);
            Files.writeString(store.resolve("description"), "Loki checkpoint snapshots of " + repo.workTree()
                    + "\nManaged by loki; do not add refs here by hand.\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the snapshot store at " + store, e);
        }
    }

    /** The user's info/exclude plus our own exclusions, so both see the same ignored files. */
    private void syncExcludes() throws IOException {
        StringBuilder sb = new StringBuilder();
        Path user = repo.infoExclude();
        if (Files.isRegularFile(user)) {
            sb.append(Files.readString(user, StandardCharsets.UTF_8)).append('\n');
        }
        for (String prefix : excludedPrefixes) {
            sb.append('/').append(prefix).append('\n');
        }
        Path ours = Files.createDirectories(store.resolve("info")).resolve("exclude");
        String want = sb.toString();
        if (!Files.isRegularFile(ours) || !Files.readString(ours, StandardCharsets.UTF_8).equals(want)) {
            Files.writeString(ours, want, StandardCharsets.UTF_8);
        }
    }

    /**
     * Starts the private index from a copy of the user's (its stat data and blob ids are
     * valid for every file the user has staged), so the first snapshot only hashes what differs.
     */
    private boolean seedIndex() throws IOException {
        Path ours = store.resolve(INDEX);
        if (Files.exists(ours)) {
            return false;
        }
        Path theirs = repo.index();
        if (!Files.isRegularFile(theirs) || hasSharedIndex()) {
            return false;
        }
        Path tmp = store.resolve(INDEX + ".seed");
        Files.copy(theirs, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, ours, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return true;
    }

    private boolean hasSharedIndex() throws IOException {
        try (var list = Files.list(repo.gitDir())) {
            return list.anyMatch(p -> p.getFileName().toString().startsWith("sharedindex."));
        }
    }

    private boolean isExcluded(String path) {
        for (String prefix : excludedPrefixes) {
            if (path.startsWith(prefix) || path.equals(stripSlash(prefix))) {
                return true;
            }
        }
        return false;
    }

    private GitCli git(String indexName) {
        Map<String, String> env = new HashMap<>();
        env.put("GIT_DIR", store.toString());
        env.put("GIT_WORK_TREE", repo.workTree().toString());
        env.put("GIT_INDEX_FILE", store.resolve(indexName).toString());
        env.put("GIT_AUTHOR_NAME", "loki");
        env.put("GIT_AUTHOR_EMAIL", "loki@localhost");
        env.put("GIT_COMMITTER_NAME", "loki");
        env.put("GIT_COMMITTER_EMAIL", "loki@localhost");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        return GitCli.in(repo.workTree(), baseEnv).withEnv(env);
    }

    private static Duration remaining(Limits limits) {
        long ms = Duration.between(Instant.now(), limits.deadline()).toMillis();
        if (ms <= 0) {
            throw new GitException(List.of("snapshot"), -1, "", true);
        }
        return Duration.ofMillis(ms);
    }

    private static byte[] nulJoin(Iterable<String> paths) {
        StringBuilder sb = new StringBuilder();
        for (String p : paths) {
            sb.append(p).append('\0');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String stripSlash(String p) {
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
