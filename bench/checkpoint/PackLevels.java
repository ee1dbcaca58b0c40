import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.internal.storage.file.PackInserter;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * What storing one iteration's changed files costs with JGit's pack inserter at zlib level 0
 * (the loop's snapshots) against level 1 (the others): the first 300 files under pkg00 of the
 * bench tree, into a fresh pack each time, three measured rounds after three warm-up rounds;
 * prints the time and the pack's size.
 *
 *   java -cp target/loki.jar bench/checkpoint/PackLevels.java bench/out/checkpoint-30000
 */
public class PackLevels {
    public static void main(String[] args) throws Exception {
        System.setProperty("org.eclipse.jgit.util.sha1.implementation", "jdkNative"); // as loki runs JGit
        List<byte[]> data = new ArrayList<>();
        try (var files = Files.walk(Path.of(args[0]).resolve("pkg00"))) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile).limit(300)::iterator) {
                data.add(Files.readAllBytes(p));
            }
        }
        long total = data.stream().mapToLong(b -> b.length).sum();
        System.out.println(data.size() + " files, " + total / 1024 + " KiB");
        for (int round = 0; round < 6; round++) {
            for (int level : new int[] {0, 1}) {
                Path dir = Files.createTempDirectory("pack-levels");
                try (FileRepository db = (FileRepository) new FileRepositoryBuilder().setGitDir(dir.toFile())
                        .setBare().build()) {
                    db.create(true);
                    long t0 = System.nanoTime();
                    try (PackInserter ins = db.getObjectDatabase().newPackInserter()) {
                        ins.setCompressionLevel(level);
                        ins.checkExisting(false);
                        for (byte[] d : data) {
                            ins.insert(Constants.OBJ_BLOB, d);
                        }
                        ins.flush();
                    }
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    long bytes;
                    try (var w = Files.walk(dir.resolve("objects/pack"))) {
                        bytes = w.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
                    }
                    if (round >= 3) {
                        System.out.println("zlib level " + level + ": " + ms + " ms, pack " + bytes / 1024 + " KiB");
                    }
                } finally {
                    try (var w = Files.walk(dir)) {
                        w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                }
            }
        }
    }
}
