package dev.loki.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop's watcher narrows what a snapshot re-reads, and never lets a change through unseen. */
class WorkTreeWatcherTest {
    @TempDir
    Path tmp;

    @Test
    void only_touched_paths_may_have_changed_and_the_first_and_nth_snapshots_scan_in_full() throws Exception {
        SnapshotHarness h = new SnapshotHarness(tmp);
        h.repo.write("a.txt", "a\n").write("b.txt", "b\n").write("d/c.txt", "c\n");
        try (WorkTreeWatcher w = h.store.watch()) {
            WorkTreeWatcher.Changes first = WorkTreeWatcher.changesFor(h.repo.dir()).orElseThrow();
            assertThat(first.fullScan()).as("the first snapshot scans everything").isTrue();

            Path b = h.repo.path("b.txt");
            FileTime t = Files.getLastModifiedTime(b);
            h.repo.write("b.txt", "B\n");
            Files.setLastModifiedTime(b, t); // same size, same mtime: the event still tells
            h.repo.write("n/new.txt", "new dir\n");
            WorkTreeWatcher.Changes next = WorkTreeWatcher.changesFor(h.repo.dir()).orElseThrow();
            assertThat(next.fullScan()).isFalse();
            assertThat(next.mayHaveChanged("b.txt")).isTrue();
            assertThat(next.mayHaveChanged("n/new.txt")).isTrue();
            assertThat(next.mayHaveChanged("a.txt")).isFalse();
            assertThat(next.mayHaveChanged("d/c.txt")).isFalse();

            for (int i = 2; i < WorkTreeWatcher.FULL_EVERY; i++) {
                assertThat(WorkTreeWatcher.changesFor(h.repo.dir()).orElseThrow().fullScan()).isFalse();
            }
            assertThat(WorkTreeWatcher.changesFor(h.repo.dir()).orElseThrow().fullScan())
                    .as("every Nth snapshot is a full scan, the safety net").isTrue();
        }
        assertThat(WorkTreeWatcher.changesFor(h.repo.dir())).as("closed: snapshots scan").isEmpty();
    }

    /**
     * The barrier vouches only for events made before it: a late event of an earlier barrier
     * once released a later snapshot before the edit made just before it was handled (the
     * token was read from the barrier file, which the later snapshot had already rewritten), and
     * a same-size edit with its mtime set back was missed (seen once in CI).
     */
    @Test
    void every_edit_made_before_a_snapshot_is_among_its_changes_however_fast_they_come() throws Exception {
        SnapshotHarness h = new SnapshotHarness(tmp);
        h.repo.write("b.txt", "b\n");
        try (WorkTreeWatcher w = h.store.watch()) {
            WorkTreeWatcher.changesFor(h.repo.dir()).orElseThrow();
            Path b = h.repo.path("b.txt");
            FileTime t = Files.getLastModifiedTime(b);
            for (int i = 0; i < 300; i++) {
                h.repo.write("b.txt", (i % 2 == 0 ? "B" : "b") + "\n");
                Files.setLastModifiedTime(b, t);
                WorkTreeWatcher.Changes c = WorkTreeWatcher.changesFor(h.repo.dir()).orElseThrow();
                assertThat(c.fullScan() || c.mayHaveChanged("b.txt")).as("edit " + i).isTrue();
            }
        }
    }

    @Test
    void snapshots_with_the_watcher_capture_edits_made_between_them() throws Exception {
        SnapshotHarness h = new SnapshotHarness(tmp);
        try (WorkTreeWatcher w = h.store.watch()) {
            h.repo.write("a.txt", "1\n");
            Thread.sleep(300); // older than the racy margin: the first snapshot's cache entries are trusted later
            SnapshotStore.Snapshot s1 = h.take();
            assertThat(h.tree(s1.commit())).isEqualTo(h.oracle());
            Path a = h.repo.path("a.txt");
            FileTime t = Files.getLastModifiedTime(a);
            h.repo.write("a.txt", "2\n");
            Files.setLastModifiedTime(a, t);
            h.repo.write("deep/er/x.txt", "x\n");
            SnapshotStore.Snapshot s2 = h.take();
            assertThat(h.tree(s2.commit())).isEqualTo(h.oracle()).containsEntry("a.txt", "100644 "
                    + SnapshotHarness.id("2\n")).containsKey("deep/er/x.txt");
            assertThat(s2.pathsUpdated()).as("only what changed was read again (README.md was not)").isEqualTo(2);
        }
    }

    @Test
    void a_reused_listing_follows_new_ignored_deleted_and_re_indexed_paths_exactly() throws Exception {
        SnapshotHarness h = new SnapshotHarness(tmp);
        h.repo.write(".gitignore", "*.log\n").write("src/a.txt", "a\n").write("src/b.txt", "b\n")
                .write("lone/only.txt", "o\n").commitAll("base");
        try (WorkTreeWatcher w = h.store.watch()) {
            h.take(); // full listing
            int reusedBefore = h.store.listingsReused.get();

            h.repo.write("src/new.txt", "new\n").write("src/x.log", "ignored\n").write("src/a.txt", "a2\n");
            SnapshotStore.Snapshot s = h.take();
            assertThat(h.tree(s.commit())).isEqualTo(h.oracle()).containsKey("src/new.txt")
                    .doesNotContainKey("src/x.log");
            assertThat(h.store.listingsReused.get()).as("new, ignored and edited files: listing reused")
                    .isEqualTo(reusedBefore + 1);

            h.repo.delete("src/new.txt").delete("src/b.txt");
            s = h.take();
            assertThat(h.tree(s.commit())).isEqualTo(h.oracle()).doesNotContainKeys("src/new.txt", "src/b.txt");
            assertThat(h.store.listingsReused.get()).isEqualTo(reusedBefore + 2);

            h.git("add", "-f", "src/x.log"); // the index changed: listed again in full
            s = h.take();
            assertThat(h.tree(s.commit())).isEqualTo(h.oracle()).containsKey("src/x.log");
            assertThat(h.store.listingsReused.get()).isEqualTo(reusedBefore + 2);

            h.repo.write("src/y.txt", "y\n");
            Files.writeString(h.info.infoExclude(), "y.txt\n"); // ignore rules outside the tree changed
            s = h.take();
            assertThat(h.tree(s.commit())).isEqualTo(h.oracle()).doesNotContainKey("src/y.txt");

            h.take();
            h.git("update-index", "--assume-unchanged", "src/a.txt"); // the index is rewritten, its paths are not
            h.git("status", "--porcelain");
            h.repo.write("src/z.txt", "z\n");
            s = h.take();
            assertThat(h.tree(s.commit())).isEqualTo(h.oracle()).containsKey("src/z.txt");
            assertThat(h.store.listingsReused.get()).as("same ignore rules, same index paths: reused")
                    .isEqualTo(reusedBefore + 4);

            h.repo.write("made/sub/f.txt", "f\n").write("made/g.log", "ignored\n");
            s = h.take();
            assertThat(h.tree(s.commit())).isEqualTo(h.oracle()).containsKey("made/sub/f.txt");
            assertThat(h.store.listingsReused.get()).as("a new directory: asked about as a whole")
                    .isEqualTo(reusedBefore + 5);

            h.repo.write("made2/keep.txt", "k\n");
            Files.createDirectories(h.repo.path("made2/empty"));
            s = h.take();
            assertThat(h.tree(s.commit())).isEqualTo(h.oracle()).containsKey("made2/keep.txt");
            w.suspend();
            SnapshotStore.Snapshot scanned = h.take(); // a full listing, for comparison
            w.resume();
            assertThat(s.notRestored()).as("empty directories as a full listing reports them")
                    .isEqualTo(scanned.notRestored());

            dev.loki.store.FileTrees.delete(h.repo.path("made"));
            s = h.take();
            assertThat(h.tree(s.commit())).isEqualTo(h.oracle()).doesNotContainKey("made/sub/f.txt");

            Path ignore = tmp.resolve("global-ignore");
            Files.writeString(ignore, "*.tmp\n");
            Path gitconfig = Path.of(h.repo.env().get("GIT_CONFIG_GLOBAL"));
            Files.writeString(gitconfig, Files.readString(gitconfig) + "[core]\n\texcludesFile = " + ignore + "\n");
            h.repo.write("src/t.tmp", "t\n");
            s = h.take();
            assertThat(h.tree(s.commit())).isEqualTo(h.oracle()).doesNotContainKey("src/t.tmp");
            h.repo.write("src/u.bak", "u\n");
            s = h.take();
            assertThat(h.tree(s.commit())).containsKey("src/u.bak");
            Files.writeString(ignore, "*.tmp\n*.bak\n"); // the global excludes file, outside the tree
            s = h.take();
            assertThat(h.tree(s.commit())).isEqualTo(h.oracle()).doesNotContainKey("src/u.bak");

            h.git("rm", "-q", "--cached", "lone/only.txt");
            s = h.take(); // index changed
            h.repo.delete("lone/only.txt"); // leaves an empty untracked directory
            s = h.take();
            assertThat(h.tree(s.commit())).isEqualTo(h.oracle()).doesNotContainKey("lone/only.txt");
            assertThat(s.notRestored()).extracting(SnapshotStore.Skipped::path).contains("lone/");

            h.repo.write("lone/back.txt", "b\n"); // into the empty directory
            s = h.take();
            assertThat(h.tree(s.commit())).isEqualTo(h.oracle()).containsKey("lone/back.txt");
            assertThat(s.notRestored()).extracting(SnapshotStore.Skipped::path).doesNotContain("lone/");
        }
    }

    /** Seeds 11-13 in CI; {@code -Dloki.seeds=N} runs seeds 1..N instead (as the property test). */
    static java.util.stream.Stream<Long> carriedSeeds() {
        String n = System.getProperty("loki.seeds", "");
        return n.isBlank() ? java.util.stream.Stream.of(11L, 12L, 13L)
                : java.util.stream.LongStream.rangeClosed(1, Long.parseLong(n.strip())).boxed();
    }

    /**
     * Snapshots that start from the previous one carried in memory (only event paths looked at,
     * only changed directories written) against a full scan of the same tree, after random
     * edits: same-size rewrites with the old mtime, new directories, deletions, chmod, read-only
     * files, files too large, symlinks, a file turned into a directory and back.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "seed {0}")
    @org.junit.jupiter.params.provider.MethodSource("carriedSeeds")
    void carried_snapshots_equal_full_scans(long seed) throws Exception {
        java.util.Random rnd = new java.util.Random(seed);
        SnapshotHarness h = new SnapshotHarness(tmp);
        h.maxFileBytes = 64;
        h.repo.write(".gitignore", "*.log\n");
        for (int i = 0; i < 40; i++) {
            h.repo.write("d" + (i % 5) + "/f" + i + ".txt", "file " + i + "\n");
        }
        h.repo.commitAll("base");
        int carried = 0;
        try (WorkTreeWatcher w = h.store.watch()) {
            h.take();
            for (int round = 0; round < 8; round++) {
                h.take(); // after the comparison scan below: starts a new carry
                int before = h.store.snapshotsCarried.get();
                for (int k = 0; k < 6; k++) {
                    edit(h, rnd);
                }
                SnapshotStore.Snapshot s = h.take();
                carried += h.store.snapshotsCarried.get() - before;
                assertThat(h.tree(s.commit())).as("round %d", round).isEqualTo(h.oracle());
                w.suspend();
                SnapshotStore.Snapshot scan = h.take();
                w.resume();
                assertThat(s.tree()).as("round %d: same tree as a full scan", round).isEqualTo(scan.tree());
                assertThat(s.skipped()).as("round %d", round).isEqualTo(scan.skipped());
                assertThat(s.notRestored()).as("round %d", round).isEqualTo(scan.notRestored());
            }
        }
        assertThat(carried).as("the carried path ran").isGreaterThanOrEqualTo(4);
    }

    /**
     * A file with another hard link changes when the other name is written, and the watcher
     * hears only of the other name: such files are looked at on every snapshot.
     */
    @Test
    void a_hard_linked_file_written_through_its_other_name_is_captured() throws Exception {
        SnapshotHarness h = new SnapshotHarness(tmp);
        h.repo.write("x/a.txt", "one\n");
        Files.createDirectories(h.repo.path("y"));
        Files.createLink(h.repo.path("y/b.txt"), h.repo.path("x/a.txt"));
        Path outside = tmp.resolve("outside-link.txt");
        h.repo.write("x/c.txt", "cee\n");
        Files.createLink(outside, h.repo.path("x/c.txt"));
        try (WorkTreeWatcher w = h.store.watch()) {
            h.take();
            h.take(); // carried from here on
            int carried = h.store.snapshotsCarried.get();
            Files.writeString(h.repo.path("y/b.txt"), "two\n"); // the same file as x/a.txt
            SnapshotStore.Snapshot s = h.take();
            assertThat(h.tree(s.commit())).isEqualTo(h.oracle()).containsEntry("x/a.txt", "100644 "
                    + SnapshotHarness.id("two\n"));
            Files.writeString(outside, "CEE\n"); // written from outside the work tree: no event at all
            s = h.take();
            assertThat(h.tree(s.commit())).isEqualTo(h.oracle()).containsEntry("x/c.txt", "100644 "
                    + SnapshotHarness.id("CEE\n"));
            assertThat(h.store.snapshotsCarried.get()).as("the carried path ran").isEqualTo(carried + 2);
        }
    }

    /**
     * A captured file whose directory became a file: the loop's snapshot stats the file's old
     * path (ENOTDIR, not "no such file") before git's listing drops it, and must not fail on it.
     */
    @Test
    void a_captured_file_whose_directory_became_a_file_is_dropped() throws Exception {
        SnapshotHarness h = new SnapshotHarness(tmp);
        h.repo.write("d/f.txt", "one\n").write("d/g.txt", "gee\n").write("other.txt", "o\n");
        try (WorkTreeWatcher w = h.store.watch()) {
            h.take();
            h.take(); // carried from here on
            int carried = h.store.snapshotsCarried.get();
            Files.writeString(h.repo.path("d/f.txt"), "two\n"); // an event for d/f.txt itself
            dev.loki.store.FileTrees.delete(h.repo.path("d"));
            h.repo.write("d", "now a file\n");
            SnapshotStore.Snapshot s = h.take();
            assertThat(h.tree(s.commit())).isEqualTo(h.oracle()).containsEntry("d", "100644 "
                    + SnapshotHarness.id("now a file\n")).doesNotContainKey("d/f.txt");
            assertThat(h.store.snapshotsCarried.get()).as("the carried path ran").isEqualTo(carried + 1);
        }
    }

    /** A directory moved, then a file in it edited by the next iteration: the edit is seen under the new name. */
    @Test
    void an_edit_in_a_moved_directory_is_captured_under_its_new_name() throws Exception {
        SnapshotHarness h = new SnapshotHarness(tmp);
        h.repo.write("old/sub/f.txt", "one\n").write("other.txt", "o\n");
        try (WorkTreeWatcher w = h.store.watch()) {
            h.take();
            h.take();
            Files.move(h.repo.path("old"), h.repo.path("new"));
            SnapshotStore.Snapshot s = h.take();
            assertThat(h.tree(s.commit())).isEqualTo(h.oracle()).containsKey("new/sub/f.txt");
            Path f = h.repo.path("new/sub/f.txt");
            FileTime t = Files.getLastModifiedTime(f);
            Files.writeString(f, "two\n");
            Files.setLastModifiedTime(f, t);
            s = h.take();
            assertThat(h.tree(s.commit())).isEqualTo(h.oracle()).containsEntry("new/sub/f.txt", "100644 "
                    + SnapshotHarness.id("two\n"));
        }
    }

    private static void edit(SnapshotHarness h, java.util.Random rnd) throws Exception {
        String f = "d" + rnd.nextInt(6) + "/f" + rnd.nextInt(50) + ".txt";
        Path p = h.repo.path(f);
        switch (rnd.nextInt(9)) {
            case 0 -> {
                if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    FileTime t = Files.getLastModifiedTime(p);
                    byte[] b = Files.readAllBytes(p);
                    if (b.length > 0) {
                        b[0] ^= 1;
                    }
                    Files.write(p, b);
                    Files.setLastModifiedTime(p, t); // same size, same mtime
                }
            }
            case 1 -> h.repo.write("n" + rnd.nextInt(3) + "/m" + rnd.nextInt(3) + "/g.txt", "new " + rnd.nextInt());
            case 2 -> dev.loki.store.FileTrees.delete(p);
            case 3 -> {
                if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    p.toFile().setExecutable(rnd.nextBoolean());
                }
            }
            case 4 -> {
                if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    p.toFile().setWritable(rnd.nextBoolean());
                }
            }
            case 5 -> {
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    dev.loki.store.FileTrees.delete(p); // a directory turned back into a file
                }
                h.repo.write(f, "x".repeat(rnd.nextBoolean() ? 100 : 10)); // too large, or not
            }
            case 6 -> {
                dev.loki.store.FileTrees.delete(p);
                Files.createDirectories(p.getParent());
                Files.createSymbolicLink(p, Path.of("target-" + rnd.nextInt(3)));
            }
            case 7 -> {
                dev.loki.store.FileTrees.delete(p);
                h.repo.write(f + "/inside.txt", "was a file\n"); // a file turned into a directory
            }
            default -> dev.loki.store.FileTrees.delete(h.repo.path("d" + rnd.nextInt(6))); // a whole directory
        }
    }
}
