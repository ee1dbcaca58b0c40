import java.nio.file.Path;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * What a lookup of an object the snapshot store does not have costs (JGit's ObjectDirectory.has
 * on a miss), with the store's packs as they are: 5 rounds of 1,000 random ids.
 *
 *   java -cp target/loki.jar bench/checkpoint/LookupMisses.java bench/out/checkpoint-30000/.git/loki/store
 */
public class LookupMisses {
    public static void main(String[] args) throws Exception {
        System.setProperty("org.eclipse.jgit.util.sha1.implementation", "jdkNative");
        try (FileRepository db = (FileRepository) new FileRepositoryBuilder().setGitDir(Path.of(args[0]).toFile())
                .setBare().setMustExist(true).build()) {
            var od = db.getObjectDatabase();
            java.util.Random r = new java.util.Random(1);
            for (int round = 1; round <= 5; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 1000; i++) {
                    byte[] b = new byte[20];
                    r.nextBytes(b);
                    od.has(ObjectId.fromRaw(b));
                }
                System.out.printf("round %d: 1,000 misses in %d ms (%d packs)%n", round,
                        (System.nanoTime() - t0) / 1_000_000, od.getPacks().size());
            }
        }
    }
}
