package dev.loki.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.eclipse.jgit.internal.storage.file.ObjectDirectory;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.TreeFormatter;

/**
 * Writes the trees of a snapshot from its sorted paths, bottom-up in one pass. Every tree is
 * formatted and hashed (cheap), but only trees that are neither known from the previous
 * snapshot nor already in the object database are stored: an iteration that touches 1% of the
 * files stores only the trees on the way to them.
 */
final class TreeWriter {
    /** One path of the snapshot: its UTF-8 bytes, mode bits and blob id. */
    record Item(byte[] path, int mode, byte[] id) {
    }

    private final ObjectDirectory od;
    private final ObjectInserter ins;
    private final Set<ObjectId> known;
    private final List<ObjectId> written = new ArrayList<>();
    private final MessageDigest md;
    private final boolean lookUp;

    /**
     * @param known tree ids known to be stored (the previous snapshot's); every tree of this
     *              snapshot is added to it
     */
    TreeWriter(ObjectDirectory od, ObjectInserter ins, Set<ObjectId> known) {
        this(od, ins, known, true);
    }

    /**
     * @param lookUp whether a tree that is not known is looked up in the store before it is
     *               stored; without, it is stored again (a few hundred bytes, harmless): a
     *               lookup that misses costs tens of microseconds (every pack, every alternate,
     *               twice), more than storing a small tree
     */
    TreeWriter(ObjectDirectory od, ObjectInserter ins, Set<ObjectId> known, boolean lookUp) {
        this.lookUp = lookUp;
        this.od = od;
        this.ins = ins;
        this.known = known;
        try {
            this.md = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Git's order of index entries: byte order of the full path (which is tree order). */
    static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    /** The root tree of {@code items}, which must be sorted by {@link #compare} and free of duplicates. */
    ObjectId write(List<Item> items) throws IOException {
        return write(items, null);
    }

    /**
     * The same, also building {@code memo} (when not null) from the trees as they are written:
     * every directory with its entries and tree id, for the loop's next snapshot.
     */
    ObjectId write(List<Item> items, TreeMemo.Builder memo) throws IOException {
        List<byte[]> names = new ArrayList<>(); // open directories below the root
        List<TreeFormatter> open = new ArrayList<>();
        open.add(new TreeFormatter());
        for (Item it : items) {
            // Walk the path's directory components in place (no per-path split into arrays):
            // components shared with the open directories stay open, the rest are closed/opened.
            byte[] path = it.path();
            int common = 0;
            int start = 0;
            int slash = indexOf(path, start);
            while (slash >= 0 && common < names.size()
                    && Arrays.equals(names.get(common), 0, names.get(common).length, path, start, slash)) {
                common++;
                start = slash + 1;
                slash = indexOf(path, start);
            }
            while (names.size() > common) {
                close(names, open, memo);
            }
            while (slash >= 0) {
                byte[] name = Arrays.copyOfRange(path, start, slash);
                names.add(name);
                open.add(new TreeFormatter());
                if (memo != null) {
                    memo.open(name);
                }
                start = slash + 1;
                slash = indexOf(path, start);
            }
            open.get(open.size() - 1).append(path, start, path.length - start, FileMode.fromBits(it.mode()),
                    it.id(), 0);
            if (memo != null) {
                memo.leaf(Arrays.copyOfRange(path, start, path.length), it.mode(), it.id());
            }
        }
        while (!names.isEmpty()) {
            close(names, open, memo);
        }
        ObjectId root = store(open.get(0));
        if (memo != null) {
            memo.close(root);
        }
        return root;
    }

    private void close(List<byte[]> names, List<TreeFormatter> open, TreeMemo.Builder memo) throws IOException {
        byte[] name = names.remove(names.size() - 1);
        TreeFormatter done = open.remove(open.size() - 1);
        ObjectId id = store(done);
        if (memo != null) {
            memo.close(id);
        }
        byte[] raw = new byte[Constants.OBJECT_ID_LENGTH];
        id.copyRawTo(raw, 0);
        open.get(open.size() - 1).append(name, 0, name.length, FileMode.TREE, raw, 0);
    }

    /** Hashes a formatted tree and stores it unless it is known or already in the store. */
    ObjectId store(TreeFormatter f) throws IOException {
        byte[] data = f.toByteArray();
        md.reset();
        md.update(Constants.encodedTypeString(Constants.OBJ_TREE));
        md.update((byte) ' ');
        md.update(Constants.encodeASCII(data.length));
        md.update((byte) 0);
        md.update(data);
        ObjectId id = ObjectId.fromRaw(md.digest());
        if (!known.contains(id)) {
            if (!lookUp || !od.has(id)) {
                ins.insert(Constants.OBJ_TREE, data);
            }
            known.add(id);
        }
        written.add(id);
        return id;
    }

    /** Every tree id of the snapshot just written. */
    List<ObjectId> trees() {
        return written;
    }

    /** The first '/' in {@code path} at or after {@code from}, or -1. */
    static int indexOf(byte[] path, int from) {
        for (int i = from; i < path.length; i++) {
            if (path[i] == '/') {
                return i;
            }
        }
        return -1;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
