package dev.loki.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.TreeFormatter;

/**
 * The directory trees of the last snapshot kept in memory by a long-lived process (the loop),
 * with each directory's tree id: the next snapshot changes only the entries that changed and
 * formats and hashes only the directories on the way to them, instead of every tree of the
 * work tree. The trees it writes are the ones {@link TreeWriter} writes from the same paths
 * (tests compare both on random changes).
 */
final class TreeMemo {
    /** A directory: its entries in git's tree order, and its tree id (null until written again). */
    private static final class Dir {
        final TreeMap<Name, Object> children = new TreeMap<>();
        ObjectId id;
    }

    /** A file entry: mode bits and blob id. */
    private record Leaf(int mode, byte[] id) {
    }

    /**
     * An entry name; git orders a directory as if its name ended in '/', so a file and a
     * directory of the same name are two keys.
     */
    private record Name(byte[] bytes, boolean dir) implements Comparable<Name> {
        @Override
        public int compareTo(Name o) {
            int n = Math.min(bytes.length, o.bytes.length);
            int c = Arrays.compareUnsigned(bytes, 0, n, o.bytes, 0, n);
            if (c != 0) {
                return c;
            }
            int a = bytes.length > n ? bytes[n] & 0xff : dir ? '/' : 0;
            int b = o.bytes.length > n ? o.bytes[n] & 0xff : o.dir ? '/' : 0;
            return Integer.compare(a, b);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Name n && n.dir == dir && Arrays.equals(n.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes) * 31 + (dir ? 1 : 0);
        }
    }

    private final Dir root = new Dir();

    /**
     * Builds the memo of the trees a {@link TreeWriter} writes, as it writes them (see
     * {@link TreeWriter#write(List, Builder)}): directories opened and closed in tree order,
     * each closed with the id it was written under.
     */
    static final class Builder {
        private final TreeMemo memo = new TreeMemo();
        private final List<Dir> open = new java.util.ArrayList<>(List.of(memo.root));
        private boolean done;

        void open(byte[] name) {
            Dir sub = new Dir();
            open.get(open.size() - 1).children.put(new Name(name, true), sub);
            open.add(sub);
        }

        void leaf(byte[] name, int mode, byte[] id) {
            open.get(open.size() - 1).children.put(new Name(name, false), new Leaf(mode, id));
        }

        void close(ObjectId id) {
            open.remove(open.size() - 1).id = id;
            done = open.isEmpty();
        }

        /** The memo, once the root was closed. */
        TreeMemo build() {
            if (!done) {
                throw new IllegalStateException("the root tree was not written yet");
            }
            return memo;
        }
    }

    /** Sets the entry of {@code path} (a file, symlink or gitlink). */
    void put(String path, int mode, byte[] id) {
        put(path.getBytes(StandardCharsets.UTF_8), mode, id);
    }

    private void put(byte[] path, int mode, byte[] id) {
        Dir d = root;
        d.id = null;
        int start = 0;
        for (int slash = TreeWriter.indexOf(path, start); slash >= 0; slash = TreeWriter.indexOf(path, start)) {
            Name n = new Name(Arrays.copyOfRange(path, start, slash), true);
            Object child = d.children.get(n);
            if (!(child instanceof Dir)) {
                child = new Dir();
                d.children.put(n, child);
            }
            d = (Dir) child;
            d.id = null;
            start = slash + 1;
        }
        d.children.put(new Name(Arrays.copyOfRange(path, start, path.length), false), new Leaf(mode, id));
    }


    /** Drops the entry of {@code path} (and directories left empty); nothing if it has none. */
    void remove(String text) {
        byte[] path = text.getBytes(StandardCharsets.UTF_8);
        Dir[] chain = new Dir[path.length + 1];
        Name[] names = new Name[path.length + 1];
        int depth = 0;
        Dir d = root;
        int start = 0;
        for (int slash = TreeWriter.indexOf(path, start); slash >= 0; slash = TreeWriter.indexOf(path, start)) {
            Name n = new Name(Arrays.copyOfRange(path, start, slash), true);
            if (!(d.children.get(n) instanceof Dir sub)) {
                return;
            }
            chain[depth] = d;
            names[depth++] = n;
            d = sub;
            start = slash + 1;
        }
        if (d.children.remove(new Name(Arrays.copyOfRange(path, start, path.length), false)) == null) {
            return;
        }
        d.id = null;
        for (int i = depth - 1; i >= 0; i--) {
            Dir parent = chain[i];
            parent.id = null;
            if (d.children.isEmpty()) {
                parent.children.remove(names[i]);
            }
            d = parent;
        }
        root.id = null;
    }

    /** Writes the directories that changed (stored through {@code writer} unless known) and returns the root tree id. */
    ObjectId write(TreeWriter writer) throws IOException {
        return write(root, writer);
    }

    private static ObjectId write(Dir d, TreeWriter writer) throws IOException {
        if (d.id != null) {
            return d.id;
        }
        TreeFormatter f = new TreeFormatter();
        byte[] raw = new byte[20];
        for (Map.Entry<Name, Object> e : d.children.entrySet()) {
            byte[] name = e.getKey().bytes();
            if (e.getValue() instanceof Dir sub) {
                write(sub, writer).copyRawTo(raw, 0);
                f.append(name, 0, name.length, FileMode.TREE, raw, 0);
            } else {
                Leaf l = (Leaf) e.getValue();
                f.append(name, 0, name.length, FileMode.fromBits(l.mode()), l.id(), 0);
            }
        }
        d.id = writer.store(f);
        return d.id;
    }

    /** Every tree id of the last {@link #write} (the directories, root included). */
    void trees(List<ObjectId> out) {
        trees(root, out);
    }

    private static void trees(Dir d, List<ObjectId> out) {
        if (d.id != null) {
            out.add(d.id);
        }
        for (Object c : d.children.values()) {
            if (c instanceof Dir sub) {
                trees(sub, out);
            }
        }
    }
}
