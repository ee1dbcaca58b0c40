import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What writing over 2,000 existing 12 KB files costs when each is truncated on open (how the
 * restore wrote before) against written over in place and cut to length (how it writes now),
 * on both cores, alternating, three rounds each. Run it on the file system you care about:
 * the files go under DIR (default bench/out).
 *
 *   java bench/checkpoint/Overwrite.java [DIR]
 */
public class Overwrite {
    public static void main(String[] args) throws Exception {
        Path base = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "bench/out"));
        Path dir = Files.createTempDirectory(base, "overwrite");
        byte[] data = new byte[12_000];
        new Random(1).nextBytes(data);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            Path p = dir.resolve("f" + i);
            Files.write(p, data);
            files.add(p);
        }
        try {
            for (int round = 0; round < 6; round++) {
                data[0]++;
                boolean truncate = round % 2 == 0;
                long t0 = System.nanoTime();
                files.parallelStream().forEach(p -> {
                    try {
                        if (truncate) {
                            try (var out = Files.newOutputStream(p, LinkOption.NOFOLLOW_LINKS,
                                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                                    StandardOpenOption.WRITE)) {
                                out.write(data);
                            }
                        } else {
                            try (FileChannel ch = FileChannel.open(p, LinkOption.NOFOLLOW_LINKS,
                                    StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                                ByteBuffer b = ByteBuffer.wrap(data);
                                while (b.hasRemaining()) {
                                    ch.write(b);
                                }
                                if (ch.size() > data.length) {
                                    ch.truncate(data.length);
                                }
                            }
                        }
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                System.out.println((truncate ? "truncated on open: " : "in place, then cut: ")
                        + (System.nanoTime() - t0) / 1_000_000 + " ms");
            }
        } finally {
            try (var w = Files.walk(dir)) {
                w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
