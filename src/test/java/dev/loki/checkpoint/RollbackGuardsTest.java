package dev.loki.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a rollback ends as a stray writer of a killed loki, and what it leaves alone. */
class RollbackGuardsTest {
    @TempDir
    Path tmp;

    /**
     * A git process of this very loki, started through a wrapper that forked (setsid forks when
     * loki leads its process group, as it does when started from a shell): a grandchild, not a
     * stray. The rollback checks the snapshot's objects with such a process while it takes the
     * pre-rollback checkpoint.
     */
    @Test
    void a_git_grandchild_of_this_process_is_not_a_stray_writer() throws Exception {
        Path store = Files.createDirectories(tmp.resolve("store"));
        assertThat(new ProcessBuilder("git", "init", "-q", "--bare", store.toString()).start().waitFor()).isZero();
        Process wrapper = new ProcessBuilder("bash", "-c", "GIT_DIR=" + store + " git cat-file --batch; exit 0")
                .redirectErrorStream(true).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            List<ProcessHandle> kids = List.of();
            while (kids.isEmpty() && System.nanoTime() < deadline) {
                kids = wrapper.toHandle().children().filter(h -> h.info().command().orElse("").endsWith("/git"))
                        .toList();
                Thread.sleep(20);
            }
            assertThat(kids).as("the git grandchild runs").hasSize(1);
            assertThat(RollbackGuards.strayWriters(store)).extracting(ProcessHandle::pid)
                    .doesNotContain(kids.get(0).pid());
        } finally {
            wrapper.getOutputStream().close(); // git's stdin ends: it exits
            wrapper.waitFor(10, TimeUnit.SECONDS);
            wrapper.destroyForcibly();
        }
    }

    /**
     * A git process of another live loki (a dashboard reading the store, say) started through a
     * setsid that forked: its parent is setsid, whose parent is a live JVM. Not a stray either.
     */
    @Test
    void a_git_under_the_setsid_of_another_live_jvm_is_not_a_stray_writer() throws Exception {
        Path store = Files.createDirectories(tmp.resolve("store"));
        assertThat(new ProcessBuilder("git", "init", "-q", "--bare", store.toString()).start().waitFor()).isZero();
        Path holder = tmp.resolve("Holder.java");
        Files.writeString(holder, "public class Holder { public static void main(String[] a) throws Exception {"
                + " Process p = new ProcessBuilder(\"setsid\", \"--fork\", \"--wait\", \"git\", \"cat-file\","
                + " \"--batch\").inheritIO().start(); System.exit(p.waitFor()); } }");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, holder.toString());
        pb.environment().put("GIT_DIR", store.toString());
        Process jvm = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            List<ProcessHandle> gits = List.of();
            while (gits.isEmpty() && System.nanoTime() < deadline) {
                gits = jvm.toHandle().descendants().filter(h -> h.info().command().orElse("").endsWith("/git")).toList();
                Thread.sleep(50);
            }
            assertThat(gits).as("the other JVM's git runs").hasSize(1);
            assertThat(gits.get(0).parent().flatMap(p -> p.info().command()).orElse("")).endsWith("/setsid");
            assertThat(RollbackGuards.strayWriters(store)).extracting(ProcessHandle::pid)
                    .doesNotContain(gits.get(0).pid());
        } finally {
            jvm.getOutputStream().close(); // git's stdin (inherited) ends: everything exits
            jvm.waitFor(10, TimeUnit.SECONDS);
            jvm.descendants().forEach(ProcessHandle::destroyForcibly);
            jvm.destroyForcibly();
        }
    }
}
