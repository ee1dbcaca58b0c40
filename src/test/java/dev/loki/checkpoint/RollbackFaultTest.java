package dev.loki.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection: the real CLI, as its own process, is killed with SIGKILL at seeded random
 * points of {@code checkpoint create} and {@code rollback to} on a generated tree of a couple
 * of thousand files. After each kill: the user's .git is untouched (HEAD, refs, index bytes,
 * object count), every completed checkpoint restores byte-exactly (content and mode), an
 * interrupted rollback is reported by the next command and completed by {@code rollback to},
 * no orphan record is left after the next list, and no process is left running.
 */
class RollbackFaultTest {
    private static final int FILES = 1500;
    private static final long[] SEEDS = {11, 23, 38};

    @TempDir
    Path tmp;

    TestRepo repo;
    Map<String, String> env;

    /** path -> sha-256 of the bytes (or link target) plus the kind and exec bit. */
    private Map<String, String> oracle() throws Exception {
        Map<String, String> out = new TreeMap<>();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> walk = Files.walk(repo.dir())) {
            for (Path p : walk.toList()) {
                String rel = repo.dir().relativize(p).toString();
                if (rel.isEmpty() || rel.equals(".git") || rel.startsWith(".git/") || rel.equals(".loki")
                        || rel.startsWith(".loki/") || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "link " + Files.readSymbolicLink(p));
                } else {
                    String mode = Files.isExecutable(p) ? "exec " : "file ";
                    out.put(rel, mode + HexFormat.of().formatHex(sha.digest(Files.readAllBytes(p))));
                }
            }
        }
        return out;
    }

    private record GitState(String head, String refs, String indexSha, long objects) {
    }

    private GitState gitState() throws Exception {
        byte[] index = Files.readAllBytes(repo.path(".git/index"));
        return new GitState(repo.head(), repo.refs(),
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(index)), repo.objectCount());
    }

    private void generate() throws IOException {
        for (int i = 0; i < FILES; i++) {
            repo.write("src/d" + (i % 20) + "/f" + i + ".txt", "base " + i + "\n".repeat(1 + i % 7));
        }
        repo.write("bin/run.sh", "#!/bin/sh\necho run\n");
        repo.chmod("bin/run.sh", "rwxr-xr-x");
        Files.createSymbolicLink(repo.path("latest"), Path.of("src/d0/f0.txt"));
    }

    /** Rewrites a seeded share of the files, adds and deletes some: an agent iteration's dirt. */
    private void dirty(Random r, String tag) throws IOException {
        for (int i = 0; i < FILES; i++) {
            Path p = repo.path("src/d" + (i % 20) + "/f" + i + ".txt");
            int roll = r.nextInt(100);
            if (roll < 30) {
                repo.write(repo.dir().relativize(p).toString(), tag + " " + i + "\n");
            } else if (roll < 32 && Files.exists(p)) {
                Files.delete(p);
            }
        }
        for (int i = 0; i < 50; i++) {
            repo.write("new-" + tag + "/n" + i + ".txt", tag + " new " + i + "\n");
        }
        repo.chmod("bin/run.sh", r.nextBoolean() ? "rw-r--r--" : "rwxr-xr-x");
    }

    private Process start(String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), "dev.loki.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.dir().toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        return pb.start();
    }

    /** Waits until {@code ready} holds (or the process ended), then a seeded delay, then SIGKILL. */
    private boolean killWhen(Process p, java.util.function.BooleanSupplier ready, int delayMs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (p.isAlive() && !ready.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        Thread.sleep(delayMs);
        boolean killed = p.isAlive();
        p.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup; children are orphaned
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return killed;
    }

    private boolean exists(Path root, String glob) {
        try (Stream<Path> s = Files.list(root)) {
            return s.anyMatch(d -> Files.exists(d.resolve(glob)));
        } catch (IOException e) {
            return false;
        }
    }

    private String journalPhase() {
        try {
            return Json.parse(Files.readString(repo.path(".git/loki/journal/rollback.json"))).path("phase").asText();
        } catch (IOException e) {
            return "";
        }
    }

    private void assertNoOrphans() throws IOException {
        for (Path root : List.of(repo.path(".git/loki/checkpoints"), repo.path(".loki/state/checkpoints"))) {
            try (Stream<Path> s = Files.list(root)) {
                for (Path d : s.filter(Files::isDirectory).toList()) {
                    assertThat(d.resolve("metadata.json")).as("orphan " + d).exists();
                }
            }
        }
    }

    /** Processes whose working directory is in this test's tree (a killed loki's git children). */
    private List<String> leftovers() {
        List<String> out = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(h -> {
            try {
                Path cwd = Files.readSymbolicLink(Path.of("/proc/" + h.pid() + "/cwd"));
                if (cwd.startsWith(tmp.toRealPath()) || cwd.startsWith(tmp)) {
                    out.add(h.pid() + " " + h.info().commandLine().orElse("?"));
                }
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                // gone or not ours
            }
        });
        return out;
    }

    private void rollbackTo(String id, Map<String, String> expected, String why) throws Exception {
        Loki.Result r = Loki.run(repo, "rollback", "to", id);
        assertThat(r.exit()).as(why + "\n" + r).isZero();
        assertThat(oracle()).as(why).isEqualTo(expected);
    }

    @Test
    void kill_9_during_create_and_rollback_never_loses_a_checkpoint_nor_leaves_a_half_tree_unreported()
            throws Exception {
        repo = TestRepo.create(tmp);
        env = repo.env();
        env.put("LOKI_DIR", repo.path(".loki").toString());
        generate();
        repo.commitAll("generated tree");
        String a = Loki.checkpoint(repo, "A");
        Map<String, String> oracleA = oracle();
        dirty(new Random(1), "b");
        String b = Loki.checkpoint(repo, "B");
        Map<String, String> oracleB = oracle();
        assertThat(oracleB).isNotEqualTo(oracleA);
        GitState before = gitState();
        Path records = repo.path(".git/loki/checkpoints");
        int interruptedRollbacks = 0;

        for (long seed : SEEDS) {
            Random r = new Random(seed);
            String why = "seed " + seed;
            dirty(r, "s" + seed);
            Map<String, String> oracleS = oracle();

            // 1. kill -9 during 'checkpoint create'
            Process create = start("checkpoint", "create", "killed " + seed, "--json");
            killWhen(create, () -> exists(records, CheckpointRecords.MARKER), r.nextInt(400));
            Loki.Result list = Loki.run(repo, "checkpoint", "list", "--json", "--all");
            assertThat(list.exit()).as(why + "\n" + list).isZero();
            assertNoOrphans();
            List<String> ids = new ArrayList<>();
            list.json().forEach(n -> ids.add(n.path("id").asText()));
            assertThat(ids).as(why).contains(a, b);
            String completed = null;
            for (JsonNode n : list.json()) {
                if (n.path("message").asText().equals("killed " + seed)) {
                    completed = n.path("id").asText();
                }
            }
            assertThat(oracle()).as(why + ": a create never writes the work tree").isEqualTo(oracleS);

            // 2. kill -9 during 'rollback to A' (odd seeds while saving the pre-rollback checkpoint,
            // even seeds while restoring files)
            String phase = seed % 2 == 1 ? RollbackJournal.SAVING : RollbackJournal.RESTORING;
            Process rollback = start("rollback", "to", a);
            killWhen(rollback, () -> journalPhase().equals(phase), r.nextInt(seed % 2 == 1 ? 300 : 5));
            boolean pending = Files.exists(repo.path(".git/loki/journal/rollback.json"));
            Loki.Result status = Loki.run(repo, "status", "--json");
            if (pending) {
                interruptedRollbacks++;
                assertThat(status.err()).as(why + "\n" + status).contains("Rollback to " + a).contains("interrupted");
                assertThat(status.json().path("rollback_in_progress").path("target").asText()).isEqualTo(a);
            } else {
                assertThat(status.err()).as(why).doesNotContain("interrupted");
                assertThat(oracle()).as(why + ": the rollback finished before the kill").isEqualTo(oracleA);
            }

            // 3. the next 'rollback to A' completes it; then every checkpoint restores exactly
            rollbackTo(a, oracleA, why + ": completing the rollback to A");
            assertThat(repo.path(".git/loki/journal/rollback.json")).doesNotExist();
            assertThat(Loki.run(repo, "status").err()).doesNotContain("interrupted");
            if (completed != null) {
                rollbackTo(completed, oracleS, why + ": the create finished before the kill");
            }
            assertThat(Loki.run(repo, "checkpoint", "list").exit()).isZero();
            assertNoOrphans();
            assertThat(gitState()).as(why + ": the user's .git").isEqualTo(before);
            assertThat(leftovers()).as(why + ": processes left running").isEmpty();
        }
        rollbackTo(b, oracleB, "B, after every kill");
        assertThat(gitState()).as("the user's .git").isEqualTo(before);
        assertThat(interruptedRollbacks).as("at least one rollback was really cut half-way").isPositive();
    }

    @Test
    void the_fault_test_oracle_sees_content_mode_and_links() throws Exception {
        repo = TestRepo.create(tmp);
        repo.write("x.sh", "echo\n");
        Map<String, String> one = oracle();
        repo.chmod("x.sh", "rwxr-xr-x");
        Map<String, String> two = oracle();
        assertThat(two).isNotEqualTo(one);
        Files.setPosixFilePermissions(repo.path("x.sh"), PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(oracle()).isEqualTo(one);
        Files.writeString(repo.path("x.sh"), "echo!\n", StandardCharsets.UTF_8);
        assertThat(oracle()).isNotEqualTo(one);
    }
}
