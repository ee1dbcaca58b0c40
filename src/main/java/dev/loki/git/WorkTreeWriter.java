package dev.loki.git;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;

/**
 * The writing half of a restore ({@link SnapshotStore#apply}): files and symlinks written from
 * blobs of the store, raw, in this process, on one thread per core; deletions that leave no
 * empty directory behind. Never writes outside the work tree, into an excluded directory (the
 * project's .loki), or through a symlink.
 */
final class WorkTreeWriter {
    private final Path workTree;
    private final Predicate<String> excluded;

    WorkTreeWriter(Path workTree, Predicate<String> excluded) {
        this.workTree = workTree;
        this.excluded = excluded;
    }

    /**
     * Writes each of {@code paths} from its blob in {@code ids} with its mode in {@code modes}.
     * Files are written by one thread per core, each with its own reader (a reader is not shared
     * between threads): different paths, parents made race-free.
     */
    void write(FileRepository db, List<String> paths, Map<String, ObjectId> ids, Map<String, Integer> modes,
            Instant deadline) throws IOException {
        int threads = Math.max(1, Math.min(paths.size() / 64 + 1,
                Math.min(4, Runtime.getRuntime().availableProcessors())));
        Set<Path> dirs = ConcurrentHashMap.newKeySet();
        try {
            java.util.stream.IntStream.range(0, threads).parallel().forEach(t -> {
                try (ObjectReader own = db.newObjectReader()) {
                    for (int i = t; i < paths.size(); i += threads) {
                        if (Instant.now().isAfter(deadline)) {
                            throw new GitException(List.of("restore"), -1, "", true);
                        }
                        String path = paths.get(i);
                        writeOne(path, own.open(ids.get(path), Constants.OBJ_BLOB), modes.get(path), dirs);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Writes one file (or symlink) of a snapshot: raw bytes, never through a symlink, a
     * read-only file replaced rather than failed on, the executable bit as the snapshot has it
     * (owner read and write always). One lstat for what is there; chmod only when needed.
     */
    private void writeOne(String relative, ObjectLoader blob, int mode, Set<Path> dirs) throws IOException {
        Path p = inside(relative);
        prepareParents(p, dirs);
        java.nio.file.attribute.PosixFileAttributes there;
        try {
            there = Files.readAttributes(p, java.nio.file.attribute.PosixFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            there = null;
        }
        if (there != null && there.isDirectory()) {
            // a directory where the snapshot has a file (its files went first)
            try {
                Files.delete(p);
            } catch (DirectoryNotEmptyException e) {
                throw new IOException(relative + " is a directory that still holds files (ignored ones?); cannot"
                        + " replace it with the file of the snapshot");
            }
            there = null;
        }
        if (mode == FileMode.SYMLINK.getBits()) {
            String target = new String(blob.getCachedBytes(Integer.MAX_VALUE), StandardCharsets.UTF_8);
            if (there != null && there.isSymbolicLink() && Files.readSymbolicLink(p).toString().equals(target)) {
                return;
            }
            Files.deleteIfExists(p);
            Files.createSymbolicLink(p, Path.of(target));
            return;
        }
        if (there != null && (!there.isRegularFile()
                || !there.permissions().contains(PosixFilePermission.OWNER_WRITE))) {
            Files.delete(p); // never write through a symlink; read-only: replace it rather than fail
            there = null;
        }
        Set<PosixFilePermission> kept = there != null ? there.permissions() : null;
        if (there != null && hardLinked(p)) {
            // never write through a hard link: the other name (another path of the tree that the
            // restore reports as untouched, or a file outside the work tree) would change too.
            // A new file, with the permissions the old one had, as git checkout does.
            Files.delete(p);
            there = null;
        }
        // Written over in place, then cut to length: truncating first makes the file system free
        // and allocate every block again (ext4, 2,000 files of 12 KB: 100-210 ms against 16-28).
        // A restore cut short leaves the file half new either way; running it again completes it.
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(p, LinkOption.NOFOLLOW_LINKS,
                StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            blob.copyTo(java.nio.channels.Channels.newOutputStream(ch));
            long written = ch.position();
            if (ch.size() > written) {
                ch.truncate(written);
            }
        }
        // a file written over keeps its permissions; a new one has what the umask gave it
        Set<PosixFilePermission> now = there != null ? there.permissions()
                : Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        perms.addAll(kept != null ? kept : now);
        perms.add(PosixFilePermission.OWNER_WRITE);
        perms.add(PosixFilePermission.OWNER_READ);
        if (mode == FileMode.EXECUTABLE_FILE.getBits()) {
            perms.add(PosixFilePermission.OWNER_EXECUTE);
            if (perms.contains(PosixFilePermission.GROUP_READ)) {
                perms.add(PosixFilePermission.GROUP_EXECUTE);
            }
            if (perms.contains(PosixFilePermission.OTHERS_READ)) {
                perms.add(PosixFilePermission.OTHERS_EXECUTE);
            }
        } else {
            perms.remove(PosixFilePermission.OWNER_EXECUTE);
            perms.remove(PosixFilePermission.GROUP_EXECUTE);
            perms.remove(PosixFilePermission.OTHERS_EXECUTE);
        }
        if (!perms.equals(now)) {
            Files.setPosixFilePermissions(p, perms);
        }
    }

    /** Whether the regular file {@code p} has another name (a hard link); false where unknown. */
    private static boolean hardLinked(Path p) throws IOException {
        try {
            Object n = Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
            return n instanceof Integer i && i > 1;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Makes the parent directories of {@code p}; a file or symlink in the way is an error. */
    private void prepareParents(Path p, Set<Path> dirs) throws IOException {
        Path root = workTree;
        List<Path> missing = new ArrayList<>();
        for (Path d = p.getParent(); d != null && !d.equals(root); d = d.getParent()) {
            if (dirs.contains(d)) {
                break; // seen to be a directory by this restore
            }
            if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
                dirs.add(d);
                break;
            }
            if (Files.exists(d, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
                // (checked twice: another writer thread of this restore may have just made it)
                throw new IOException(root.relativize(d) + " is a file (ignored or left out of the snapshot?) where"
                        + " the snapshot has a directory; move it away and restore again");
            }
            missing.add(d);
        }
        for (int i = missing.size() - 1; i >= 0; i--) {
            try {
                Files.createDirectory(missing.get(i));
            } catch (FileAlreadyExistsException e) {
                // made meanwhile (by another writer thread of this restore)
                if (!Files.isDirectory(missing.get(i), LinkOption.NOFOLLOW_LINKS)) {
                    throw e;
                }
            }
            dirs.add(missing.get(i));
        }
    }

    private Path inside(String relative) throws IOException {
        Path root = workTree;
        Path p = root.resolve(relative).normalize();
        if (!p.startsWith(root) || p.equals(root) || excluded.test(relative)) {
            throw new IOException("refusing to write " + relative + ": outside the work tree");
        }
        return p;
    }

    /** Deletes one file (or symlink) and the directories it leaves empty; never a directory, never outside. */
    void delete(String relative) throws IOException {
        Path root = workTree;
        Path p = root.resolve(relative).normalize();
        if (!p.startsWith(root) || p.equals(root)) {
            throw new IOException("refusing to delete " + relative + ": outside the work tree");
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return; // a directory where a file was: its own contents are handled path by path
        }
        // a parent that is a symlink or a file now: the path is already gone from the tree
        for (Path d = p.getParent(); d != null && !d.equals(root); d = d.getParent()) {
            if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
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
}
