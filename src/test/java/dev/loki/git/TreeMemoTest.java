package dev.loki.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The loop's in-memory trees against the tree writer that builds every tree from the sorted
 * paths: after random puts and removes (names that sort around '/', a file and a directory of
 * the same name, whole directories emptied), both give the same root tree.
 */
class TreeMemoTest {
    @TempDir
    Path tmp;

    private static final String[] NAMES = {"a", "a.b", "a-b", "a0", "b", "ab", "é", "z"};

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void incremental_trees_equal_trees_written_from_scratch(long seed) throws Exception {
        Random rnd = new Random(seed);
        try (FileRepository db = new FileRepository(tmp.resolve("s" + seed + ".git").toFile())) {
            db.create(true);
            Map<String, Object[]> model = new TreeMap<>();
            TreeMemo memo = new TreeMemo();
            int[] modes = {FileMode.REGULAR_FILE.getBits(), FileMode.EXECUTABLE_FILE.getBits(),
                FileMode.SYMLINK.getBits()};
            for (int step = 0; step < 300; step++) {
                int ops = 1 + rnd.nextInt(6);
                for (int k = 0; k < ops; k++) {
                    if (!model.isEmpty() && rnd.nextInt(3) == 0) {
                        List<String> keys = new ArrayList<>(model.keySet());
                        String gone = rnd.nextInt(4) == 0 ? "no/such/path" : keys.get(rnd.nextInt(keys.size()));
                        model.remove(gone);
                        memo.remove(gone);
                    } else {
                        String path = randomPath(rnd);
                        if (conflicts(model, path)) {
                            continue; // git trees hold a name once: the snapshot never lists a file above another
                        }
                        byte[] id = new byte[20];
                        rnd.nextBytes(id);
                        int mode = modes[rnd.nextInt(modes.length)];
                        model.put(path, new Object[] {mode, id});
                        memo.put(path, mode, id);
                    }
                }
                try (ObjectInserter ins = db.newObjectInserter()) {
                    ObjectId incremental = memo.write(new TreeWriter(db.getObjectDatabase(), ins, new HashSet<>()));
                    List<TreeWriter.Item> items = items(model);
                    TreeWriter scratch = new TreeWriter(db.getObjectDatabase(), ins, new HashSet<>());
                    TreeMemo.Builder built = new TreeMemo.Builder();
                    assertThat(incremental).as("seed %d step %d: %s", seed, step, model.keySet())
                            .isEqualTo(scratch.write(items, built));
                    if (step % 7 == 0) {
                        // the loop's way after a full scan: the memo of what the writer just wrote
                        memo = built.build();
                    }
                    ins.flush();
                }
            }
        }
    }

    private static boolean conflicts(Map<String, Object[]> model, String path) {
        for (int i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
            if (model.containsKey(path.substring(0, i))) {
                return true;
            }
        }
        String dir = path + "/";
        return model.keySet().stream().anyMatch(p -> p.startsWith(dir));
    }

    private static String randomPath(Random rnd) {
        int depth = 1 + rnd.nextInt(3);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            if (i > 0) {
                sb.append('/');
            }
            sb.append(NAMES[rnd.nextInt(NAMES.length)]);
        }
        return sb.toString();
    }

    private static List<TreeWriter.Item> items(Map<String, Object[]> model) {
        List<TreeWriter.Item> items = new ArrayList<>();
        model.forEach((p, v) -> items.add(new TreeWriter.Item(TreeWriter.utf8(p), (Integer) v[0], (byte[]) v[1])));
        items.sort((x, y) -> TreeWriter.compare(x.path(), y.path()));
        return items;
    }
}
