package dev.loki.git;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether the directories leading to a work-tree path are real directories on disk, as git
 * checks before it looks at a path ("beyond a symbolic link"). A tracked {@code dir/a.txt}
 * whose {@code dir} is now a symlink is not in the work tree: reading it would read whatever
 * the link points at, outside the repository, and store a tree that holds both {@code dir}
 * and {@code dir/a.txt}. Each directory is looked at once (lstat) per snapshot; one instance
 * serves one snapshot, from any number of threads.
 */
public final class LeadingDirs {
    private final Path root;
    private final ConcurrentHashMap<String, Boolean> real = new ConcurrentHashMap<>();

    public LeadingDirs(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** Whether a directory on the way to {@code path} is a symlink, a file, or missing. */
    public boolean beyondLink(String path) {
        int slash = path.lastIndexOf('/');
        return slash > 0 && !realDir(path.substring(0, slash));
    }

    private boolean realDir(String dir) {
        Boolean known = real.get(dir);
        if (known != null) {
            return known;
        }
        int slash = dir.lastIndexOf('/');
        boolean r;
        try {
            r = (slash <= 0 || realDir(dir.substring(0, slash)))
                    && Files.isDirectory(root.resolve(dir), LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.InvalidPathException e) {
            return true; // a name Java cannot encode here: the scan of the path itself says so
        }
        real.put(dir, r);
        return r;
    }
}
