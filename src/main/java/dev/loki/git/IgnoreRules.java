package dev.loki.git;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathSuffixFilter;

/**
 * What git would ignore under the ignore rules a snapshot holds. A snapshot never holds an
 * ignored file, so a file missing from it may have existed then, ignored: an agent that edits
 * {@code .gitignore} makes such a file look new, and a rollback that removed it would delete
 * the user's file (a {@code .env}, a data directory). Asked of git itself, in a scratch work
 * tree that holds only the snapshot's {@code .gitignore} files, with the repository's own
 * index, {@code info/exclude} and {@code core.excludesFile}: a path the index tracks is never
 * reported, as git never ignores a tracked file.
 */
final class IgnoreRules {
    private IgnoreRules() {
    }

    static Set<String> ignored(FileRepository store, String commit, RepoInfo repo, Map<String, String> baseEnv,
            Collection<String> paths, Duration timeout) throws IOException {
        if (paths.isEmpty()) {
            return Set.of();
        }
        Path scratch = Files.createTempDirectory("loki-ignore-rules-");
        try {
            try (ObjectReader reader = store.newObjectReader(); RevWalk rw = new RevWalk(reader);
                    TreeWalk tw = new TreeWalk(reader)) {
                tw.addTree(rw.parseCommit(store.resolve(commit + "^{commit}")).getTree());
                tw.setRecursive(true);
                tw.setFilter(PathSuffixFilter.create(".gitignore"));
                while (tw.next()) {
                    String p = tw.getPathString();
                    int mode = tw.getRawMode(0);
                    boolean file = mode == FileMode.REGULAR_FILE.getBits() || mode == FileMode.EXECUTABLE_FILE.getBits();
                    if (file && (p.equals(".gitignore") || p.endsWith("/.gitignore"))) {
                        Path out = scratch.resolve(p);
                        Files.createDirectories(out.getParent());
                        Files.write(out, reader.open(tw.getObjectId(0)).getBytes());
                    }
                }
            }
            StringBuilder in = new StringBuilder();
            for (String p : paths) {
                in.append(p).append('\0');
            }
            GitCli git = GitCli.in(scratch, baseEnv).withEnv(Map.of("GIT_DIR", repo.gitDir().toString(),
                    "GIT_WORK_TREE", scratch.toString()));
            List<String> args = List.of("check-ignore", "-z", "--stdin");
            GitCli.Result r = git.exec(args, in.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), timeout);
            if (r.exitCode() > 1) { // 1: none of them is ignored
                throw new GitException(args, r.exitCode(), r.stderr(), false);
            }
            Set<String> out = new HashSet<>(r.nulSeparated());
            out.remove("");
            out.retainAll(new HashSet<>(paths));
            return out;
        } finally {
            try (Stream<Path> all = Files.walk(scratch)) {
                all.sorted(Comparator.reverseOrder()).forEach(f -> {
                    try {
                        Files.deleteIfExists(f);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (IOException | UncheckedIOException e) {
                // a scratch directory left in the temp dir holds only .gitignore files
            }
        }
    }
}
