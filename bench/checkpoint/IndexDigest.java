import java.lang.reflect.Method;
import java.nio.file.Path;

/**
 * What the loop pays to digest the paths of the user's index when git rewrote it (once per
 * iteration, never warm): IndexPaths.digest on the bench tree's index, its first ten calls in
 * a fresh JVM, one line each.
 *
 *   java -cp target/loki.jar bench/checkpoint/IndexDigest.java bench/out/checkpoint-30000/.git/index
 */
public class IndexDigest {
    public static void main(String[] args) throws Exception {
        Method digest = Class.forName("dev.loki.git.IndexPaths").getDeclaredMethod("digest", Path.class);
        digest.setAccessible(true); // package-private in loki
        Path index = Path.of(args[0]);
        for (int call = 1; call <= 10; call++) {
            long t0 = System.nanoTime();
            Object d = digest.invoke(null, index);
            System.out.println("call " + call + ": " + (System.nanoTime() - t0) / 1000 + " us (" + d + ")");
        }
    }
}
