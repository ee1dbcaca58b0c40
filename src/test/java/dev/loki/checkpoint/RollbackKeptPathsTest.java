package dev.loki.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files over the size cap are in no snapshot, so a rollback leaves them as they are (writing the
 * checkpoint's small version over a big file, or removing a new one, would lose bytes nothing can
 * bring back). What it prints about them must be true, and its dry run must list the same ones.
 */
class RollbackKeptPathsTest {
    private static final int BIG = 1536 * 1024; // over the 1 MiB cap set below

    @TempDir
    Path tmp;

    TestRepo repo;
    Map<String, String> env;

    @BeforeEach
    void setUp() {
        repo = TestRepo.create(tmp);
        env = repo.env();
        env.put("LOKI_CHECKPOINT_MAX_FILE_MB", "1");
    }

    @Test
    void a_file_that_grew_over_the_cap_is_said_to_differ_and_the_tree_is_not_said_to_match() throws Exception {
        repo.write("grow.bin", "small\n");
        repo.commitAll("base");
        String id = checkpoint();
        byte[] big = bytes(BIG, 1);
        Files.write(repo.path("grow.bin"), big);

        Loki.Result dry = Loki.run(repo.dir(), env, "rollback", "diff", id);
        Loki.Result real = Loki.run(repo.dir(), env, "rollback", "to", id);

        assertThat(real.exit()).as(real.toString()).isZero();
        assertThat(Files.readAllBytes(repo.path("grow.bin"))).isEqualTo(big);
        for (Loki.Result r : List.of(dry, real)) {
            assertThat(r.out()).as(r.toString()).doesNotContain("already matches", "not in any snapshot")
                    .contains(" apart from 1 path(s) ")
                    .containsPattern("  kept    grow\\.bin: differs from the checkpoint but is over the size cap now"
                            + " \\(larger than 1 MiB[^\\n]*\\), so it (would be|was) left as is\\n");
        }
    }

    @Test
    void the_dry_run_lists_the_same_kept_paths_as_the_rollback_each_described_truly() throws Exception {
        repo.write("a.txt", "a1\n");
        repo.write("grow.bin", "small\n");
        Files.write(repo.path("shrink.bin"), bytes(BIG, 2));
        Files.write(repo.path("huge.bin"), bytes(BIG, 3));
        repo.commitAll("base");
        String id = checkpoint();
        repo.write("a.txt", "a2\n");
        Files.write(repo.path("grow.bin"), bytes(BIG, 4));
        Files.write(repo.path("newbig.bin"), bytes(BIG, 5));
        repo.write("shrink.bin", "small now\n");

        Loki.Result dry = Loki.run(repo.dir(), env, "rollback", "diff", id);
        Loki.Result dryJson = Loki.run(repo.dir(), env, "rollback", "diff", id, "--json");
        Loki.Result real = Loki.run(repo.dir(), env, "rollback", "to", id);

        assertThat(real.exit()).as(real.toString()).isZero();
        List<String> dryKept = kept(dry.out());
        List<String> realKept = kept(real.out());
        assertThat(dryKept).as(dry.toString()).hasSize(4);
        assertThat(dryKept).isEqualTo(realKept);
        assertThat(realKept).anySatisfy(l -> assertThat(l).startsWith("grow.bin: differs from the checkpoint but is"
                + " over the size cap now"))
                .anySatisfy(l -> assertThat(l).startsWith("newbig.bin: is not in the checkpoint and is over the size"
                        + " cap now").endsWith("so no snapshot holds it: it was not removed"))
                .anySatisfy(l -> assertThat(l).startsWith("shrink.bin: was left out of the checkpoint (larger than 1"
                        + " MiB").endsWith("so there is no version of it to restore: it was left as is"))
                .anySatisfy(l -> assertThat(l).startsWith("huge.bin: was left out of the checkpoint and of every snapshot"
                        + " since (larger than 1 MiB").endsWith("so it was left as is")); // the same reason, said once
        assertThat(real.out()).contains("  revert  a.txt").doesNotContain("not in any snapshot");
        JsonNode json = dryJson.json();
        List<String> jsonKept = new ArrayList<>();
        json.path("kept").forEach(k -> jsonKept.add(k.path("path").asText() + " " + k.path("in_checkpoint").asBoolean()
                + " " + k.path("differs").asBoolean()));
        assertThat(jsonKept).containsExactlyInAnyOrder("grow.bin true true", "newbig.bin false false",
                "shrink.bin false false", "huge.bin false false");
        // nothing kept was changed: the rollback touched a.txt only
        assertThat(repo.read("a.txt")).isEqualTo("a1\n");
        assertThat(Files.readAllBytes(repo.path("grow.bin"))).isEqualTo(bytes(BIG, 4));
        assertThat(Files.readAllBytes(repo.path("newbig.bin"))).isEqualTo(bytes(BIG, 5));
        assertThat(repo.read("shrink.bin")).isEqualTo("small now\n");
    }

    /**
     * Where the checkpoint has a file, a directory that still holds an ignored file; where it has a
     * directory, an ignored file. The rollback used to fail as a whole (its dry run had listed both
     * as restored); now both are kept, named the same way by the dry run and the rollback, the
     * ignored files are untouched and everything else is restored.
     */
    @Test
    void an_ignored_file_in_the_way_of_a_restore_is_kept_and_the_rest_restored_as_the_dry_run_said() throws Exception {
        repo.write(".gitignore", "*.log\nbuild\n");
        repo.write("f", "a file\n");
        repo.write("out/x", "a directory\n");
        repo.write("g", "g1\n");
        repo.commitAll("base");
        String id = checkpoint();
        repo.delete("f");
        repo.write("f/a.log", "ignored in a directory where a file was\n");
        repo.write("f/src", "new\n");
        repo.write(".gitignore", "*.log\nbuild\nout\n");
        repo.delete("out/x");
        Files.delete(repo.path("out"));
        repo.write("out", "an ignored file where a directory was\n");
        repo.write("g", "g2\n");

        Loki.Result dry = Loki.run(repo.dir(), env, "rollback", "diff", id);
        Loki.Result real = Loki.run(repo.dir(), env, "rollback", "to", id);

        assertThat(real.exit()).as(real.toString()).isZero();
        assertThat(repo.read("g")).isEqualTo("g1\n");
        assertThat(repo.read(".gitignore")).isEqualTo("*.log\nbuild\n");
        assertThat(repo.read("f/a.log")).isEqualTo("ignored in a directory where a file was\n");
        assertThat(repo.exists("f/src")).isFalse();
        assertThat(repo.read("out")).isEqualTo("an ignored file where a directory was\n");
        assertThat(kept(real.out())).as(real.toString()).hasSize(2)
                .anyMatch(l -> l.startsWith("f: ") && l.contains("f/a.log"))
                .anyMatch(l -> l.startsWith("out/x: ") && l.contains("out is a file"));
        assertThat(kept(dry.out())).as(dry.toString()).isEqualTo(kept(real.out()));
        assertThat(dry.out()).doesNotContain("restore f\n", "restore out/x");
    }

    private String checkpoint() {
        Loki.Result r = Loki.run(repo.dir(), env, "checkpoint", "create", "base", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        return r.json().path("id").asText();
    }

    /** The kept lines, in the past tense the real rollback uses, without their indent. */
    private static List<String> kept(String out) {
        return out.lines().filter(l -> l.startsWith("  kept    ")).map(l -> l.substring(10)
                .replace("it would be left as is", "it was left as is")
                .replace("it would not be removed", "it was not removed")).toList();
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
