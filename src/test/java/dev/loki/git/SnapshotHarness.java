package dev.loki.git;

import dev.loki.testing.TestRepo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A real repository, its snapshot store, and an oracle that knows what a snapshot must hold by
 * walking the tree itself: every file on disk except under .git, .loki and nested repositories,
 * minus the untracked files git ignores; each as its mode (100644, 100755, 120000) and the git
 * blob id of its raw bytes.
 */
final class SnapshotHarness {
    static final Duration TIMEOUT = Duration.ofMinutes(1);
    final TestRepo repo;
    final RepoInfo info;
    final SnapshotStore store;
    long maxFileBytes = 50L * 1024 * 1024;
    private int refs;

    SnapshotHarness(Path tmp) {
        this(TestRepo.create(tmp));
    }

    SnapshotHarness(TestRepo repo) {
        this.repo = repo;
        this.info = RepoInfo.detect(repo.dir(), repo.env()).orElseThrow();
        this.store = new SnapshotStore(PrivateDir.store(info), info, repo.env(), List.of(".loki/"));
    }

    SnapshotStore.Snapshot take() throws IOException {
        return store.take(SnapshotStore.REF_PREFIX + "t" + (++refs), "test snapshot",
                new SnapshotStore.Limits(maxFileBytes, Instant.now().plus(TIMEOUT)));
    }

    /** Restores {@code target} the way a rollback does: snapshot first, then apply the difference. Returns the pre snapshot. */
    SnapshotStore.Snapshot restore(String target) throws IOException {
        SnapshotStore.Snapshot pre = take();
        List<TreeChange> changes = store.diff(pre.commit(), target, TIMEOUT);
        store.apply(target, changes, TIMEOUT);
        return pre;
    }

    /** git in the repository; failures are returned, not thrown (random steps may be refused). */
    GitCli.Result git(String... args) {
        return GitCli.in(repo.dir(), repo.env()).exec(args);
    }

    /** path -> "mode id" of a snapshot, from the store. */
    Map<String, String> tree(String commit) {
        GitCli g = GitCli.in(repo.dir(), repo.env()).withEnv(Map.of("GIT_DIR", store.directory().toString()));
        Map<String, String> out = new TreeMap<>();
        for (String rec : g.run(List.of("ls-tree", "-r", "-z", commit), null, TIMEOUT).nulSeparated()) {
            int tab = rec.indexOf('\t');
            String[] f = rec.substring(0, tab).split(" ");
            out.put(rec.substring(tab + 1), f[0] + " " + f[2]);
        }
        return out;
    }

    /** What a snapshot taken now must hold. */
    Map<String, String> oracle() throws IOException {
        Map<String, String> all = walk();
        Set<String> ignored = new HashSet<>(git("ls-files", "-z", "-o", "-i", "--exclude-standard").nulSeparated());
        all.keySet().removeIf(p -> ignored.contains(p) || tooBig(p));
        return all;
    }

    private boolean tooBig(String p) {
        Path f = repo.dir().resolve(p);
        try {
            return !Files.isSymbolicLink(f) && Files.size(f) > maxFileBytes;
        } catch (IOException e) {
            return false;
        }
    }

    /** Every file on disk outside .git, .loki and nested repositories. */
    Map<String, String> walk() throws IOException {
        Path root = repo.dir();
        Map<String, String> out = new TreeMap<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                if (d.equals(root)) {
                    return FileVisitResult.CONTINUE;
                }
                String name = d.getFileName().toString();
                if (name.equals(".git") || (d.getParent().equals(root) && name.equals(".loki"))
                        || Files.exists(d.resolve(".git"), LinkOption.NOFOLLOW_LINKS)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                String rel = root.relativize(f).toString();
                if (a.isSymbolicLink()) {
                    out.put(rel, "120000 " + blobId(Files.readSymbolicLink(f).toString()
                            .getBytes(StandardCharsets.UTF_8)));
                } else if (a.isRegularFile()) {
                    boolean x = Files.getPosixFilePermissions(f, LinkOption.NOFOLLOW_LINKS)
                            .contains(PosixFilePermission.OWNER_EXECUTE);
                    out.put(rel, (x ? "100755 " : "100644 ") + blobId(Files.readAllBytes(f)));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return out;
    }

    static String blobId(byte[] data) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            md.update(("blob " + data.length + "\0").getBytes(StandardCharsets.US_ASCII));
            md.update(data);
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String id(String content) {
        return blobId(content.getBytes(StandardCharsets.UTF_8));
    }

    void write(String rel, byte[] content) {
        try {
            Path p = repo.dir().resolve(rel);
            Files.createDirectories(p.getParent());
            Files.write(p, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Paths whose entries differ between two maps, for readable failures. */
    static List<String> differences(Map<String, String> want, Map<String, String> got) {
        List<String> out = new ArrayList<>();
        Set<String> keys = new java.util.TreeSet<>(want.keySet());
        keys.addAll(got.keySet());
        for (String k : keys) {
            String a = want.get(k);
            String b = got.get(k);
            if (a == null || !a.equals(b)) {
                out.add(k + ": want " + a + ", got " + b);
            }
        }
        return out;
    }
}
