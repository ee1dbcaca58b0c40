package dev.loki.git;

import java.io.IOException;
import java.nio.file.Path;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.storage.file.FileBasedConfig;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.SystemReader;

/**
 * Opens the private snapshot store with JGit, which is used for that store only (the user's
 * repository is read through the git CLI). JGit is kept from reading the user's or the system's
 * git configuration (it would run {@code git} to find the latter, and the user's settings,
 * such as {@code core.autocrlf}, must not shape our store): the store's own config is all it sees.
 */
final class JGitStore {
    private JGitStore() {
    }

    static FileRepository open(Path store) throws IOException {
        quiet();
        knownFileStore(store);
        return (FileRepository) new FileRepositoryBuilder().setGitDir(store.toFile()).setBare().setMustExist(true)
                .setFS(FS.DETECTED).build();
    }

    /** zlib level of a snapshot's pack outside the loop (see {@link #newPackInserter}). */
    static final int ZLIB = java.util.zip.Deflater.BEST_SPEED;

    /**
     * One pack per snapshot, compressed with zlib at {@code level}: JGit's pack inserter
     * defaults to level 9, and compression runs under the inserter's lock, so it was most of the
     * time of storing an iteration's new files (level 1 is several times faster for a pack some
     * 10-20% larger; {@code loki checkpoint gc} repacks the store). Callers check for existing
     * objects themselves (the blob and tree writers ask the object database before inserting),
     * so the inserter does not look each one up again.
     */
    static org.eclipse.jgit.lib.ObjectInserter newPackInserter(FileRepository db, int level) {
        org.eclipse.jgit.internal.storage.file.PackInserter ins = db.getObjectDatabase().newPackInserter();
        ins.setCompressionLevel(level);
        ins.checkExisting(false);
        return ins;
    }

    /**
     * Tells JGit the timestamp granularity of the store's file system instead of letting it
     * measure it: the measurement writes probe files for seconds and, with no JGit config to
     * remember the result in, would run in every short-lived {@code loki} process (and keep
     * it from exiting). 10 ms is coarser than any Linux file system here, so JGit's own racy
     * checks of pack directories stay on the safe side.
     */
    private static synchronized void knownFileStore(Path store) {
        try {
            String key = System.getProperty("java.vendor") + '|' + System.getProperty("java.version") + '|'
                    + java.nio.file.Files.getFileStore(store).name();
            org.eclipse.jgit.lib.StoredConfig c = SystemReader.getInstance().getJGitConfig();
            if (c.getString("filesystem", key, "timestampResolution") == null) {
                c.setString("filesystem", key, "timestampResolution", "10 milliseconds");
                c.setString("filesystem", key, "minRacyThreshold", "10 milliseconds");
            }
        } catch (IOException | org.eclipse.jgit.errors.ConfigInvalidException | RuntimeException e) {
            FS.FileStoreAttributes.setBackground(true); // measured in the background, fallback meanwhile
        }
    }

    /** JGit's SHA-1: the JDK's (see {@link #quiet}). */
    private static final String SHA1_IMPLEMENTATION = "org.eclipse.jgit.util.sha1.implementation";

    /**
     * Keeps JGit to the store's own config and has it hash with the JDK's SHA-1 rather than its
     * pure-Java one with collision detection (several times slower; it hashed every object we
     * insert a second time, after we had hashed it with the JDK's to know its id). The store
     * holds only what we hashed ourselves, so detection would guard nothing here.
     */
    private static synchronized void quiet() {
        if (System.getProperty(SHA1_IMPLEMENTATION) == null) {
            System.setProperty(SHA1_IMPLEMENTATION, "jdkNative");
        }
        SystemReader current = SystemReader.getInstance();
        if (!(current instanceof OwnConfigOnly)) {
            SystemReader.setInstance(new OwnConfigOnly(current));
        }
    }

    /** A system reader whose system, user and JGit configurations are empty. */
    private static final class OwnConfigOnly extends SystemReader.Delegate {
        OwnConfigOnly(SystemReader delegate) {
            super(delegate);
        }

        @Override
        public FileBasedConfig openSystemConfig(Config parent, FS fs) {
            return empty(parent, fs);
        }

        @Override
        public FileBasedConfig openUserConfig(Config parent, FS fs) {
            return empty(parent, fs);
        }

        @Override
        public FileBasedConfig openJGitConfig(Config parent, FS fs) {
            return empty(parent, fs);
        }

        private static FileBasedConfig empty(Config parent, FS fs) {
            return new FileBasedConfig(parent, null, fs) {
                @Override
                public void load() {
                    // nothing to read
                }

                @Override
                public void save() {
                    // nothing to write
                }

                @Override
                public boolean isOutdated() {
                    return false;
                }
            };
        }
    }
}
