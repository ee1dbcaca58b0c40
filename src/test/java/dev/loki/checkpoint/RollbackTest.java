package dev.loki.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.LokiDir;
import dev.loki.store.SessionLock;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rollback through the real entry point against real git repositories. */
class RollbackTest {
    @TempDir
    Path tmp;

    TestRepo repo;

    @BeforeEach
    void setUp() {
        repo = TestRepo.create(tmp);
        repo.write(".gitignore", "*.log\nbuild/\n");
        repo.write("src/app.py", "print('v1')\n");
        repo.write("src/nested/.gitignore", "secret.txt\n");
        repo.commitAll("base");
    }

    private Loki.Result rollback(String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "rollback";
        System.arraycopy(args, 0, full, 1, args.length);
        return Loki.run(repo, full);
    }

    @Test
    void rollback_restores_modified_deleted_and_untracked_files_and_removes_new_ones() {
        repo.write("notes/untracked.md", "draft\n");
        String cp = Loki.checkpoint(repo, "before agent");

        repo.write("src/app.py", "print('v2 broken')\n");
        repo.delete("README.md");
        repo.delete("notes/untracked.md");
        repo.write("src/new_module.py", "x = 1\n");
        repo.write("newdir/deep/file.txt", "new\n");

        Loki.Result r = rollback("to", cp);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(repo.read("src/app.py")).isEqualTo("print('v1')\n");
        assertThat(repo.read("README.md")).isEqualTo("# test\n");
        assertThat(repo.read("notes/untracked.md")).isEqualTo("draft\n");
        assertThat(repo.exists("src/new_module.py")).isFalse();
        assertThat(repo.exists("newdir")).as("emptied directories are removed").isFalse();
        assertThat(r.out()).contains("Undo this rollback with: loki rollback to rb-pre-");
    }

    /**
     * Found by an adversarial tester: the user's ignored files existed at the checkpoint (so no
     * snapshot held them); the agent emptied .gitignore, and the rollback removed them as
     * "created after the checkpoint". Files the target's rules ignore are never removed, in the
     * rollback and in its dry run; the agent's really new file still goes, and the undo still
     * brings the agent's .gitignore back. Each kept file is in {@code kept} (human and JSON) with
     * why, once: not a second time in a note.
     */
    @Test
    void files_the_checkpoint_s_gitignore_ignores_survive_a_rollback_after_the_agent_emptied_it() {
        repo.write("secret.log", "DB_PASSWORD=hunter2\n").write("build/data/notes.txt", "mine\n");
        repo.write("src/nested/secret.txt", "nested secret\n");
        String cp = Loki.checkpoint(repo, "before agent");
        repo.write(".gitignore", "").write("src/nested/.gitignore", "").write("agent-new.txt", "new\n");

        Loki.Result dry = rollback("to", cp, "--dry-run");
        assertThat(dry.exit()).as(dry.toString()).isZero();
        assertThat(dry.out()).contains("agent-new.txt").doesNotContain("remove  secret.log")
                .contains("  kept    secret.log: was left out of the checkpoint (ignored by its .gitignore), so there"
                        + " is no version of it to restore: it would be left as is\n")
                .contains("  kept    build/data/notes.txt: ").contains("  kept    src/nested/secret.txt: ");
        assertThat(dry.out().split("secret\\.log", -1)).as("named once: " + dry.out()).hasSize(2);
        assertKept(rollback("to", cp, "--dry-run", "--json").json(), "", KeptPath.IGNORED_THEN,
                "build/data/notes.txt", "secret.log", "src/nested/secret.txt");

        Loki.Result r = rollback("to", cp, "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(repo.read("secret.log")).isEqualTo("DB_PASSWORD=hunter2\n");
        assertThat(repo.read("build/data/notes.txt")).isEqualTo("mine\n");
        assertThat(repo.read("src/nested/secret.txt")).isEqualTo("nested secret\n");
        assertThat(repo.read(".gitignore")).isEqualTo("*.log\nbuild/\n");
        assertThat(repo.exists("agent-new.txt")).as("really created after the checkpoint").isFalse();
        assertKept(r.json(), "", KeptPath.IGNORED_THEN, "build/data/notes.txt", "secret.log",
                "src/nested/secret.txt");

        Loki.Result back = rollback("to", r.json().path("pre_rollback_snapshot").asText());
        assertThat(back.exit()).as(back.toString()).isZero();
        assertThat(repo.read(".gitignore")).isEmpty();
        assertThat(repo.read("agent-new.txt")).isEqualTo("new\n");
        assertThat(repo.read("secret.log")).isEqualTo("DB_PASSWORD=hunter2\n");
    }

    /**
     * The reverse of the case above: the agent added a tracked-by-snapshot file to .gitignore
     * and then edited it, so the pre-rollback snapshot could not save it. Writing the
     * checkpoint's version over it would lose its bytes for good (the undo too); it is kept and
     * named (in {@code kept}, with what to do), and moving it away then gets the checkpoint's version.
     */
    @Test
    void a_file_ignored_now_is_not_overwritten_when_no_snapshot_holds_its_bytes() {
        repo.write("config.json", "{\"v\": 1}\n");
        String cp = Loki.checkpoint(repo, "before agent");
        repo.write(".gitignore", "*.log\nbuild/\nconfig.json\n").write("config.json", "{\"v\": 2, \"precious\": 1}\n");

        Loki.Result dry = rollback("to", cp, "--dry-run");
        assertThat(dry.exit()).as(dry.toString()).isZero();
        assertThat(dry.out()).contains("  kept    config.json: differs from the checkpoint but cannot be snapshotted"
                + " now (it is ignored now), so it would be left as is (for the checkpoint's version, move the file"
                + " away and roll back again)\n").doesNotContain("Note: Kept");
        JsonNode dryJson = rollback("to", cp, "--dry-run", "--json").json();
        assertKept(dryJson, KeptPath.IGNORED_NOW, "", "config.json");
        assertThat(dryJson.path("kept").get(0).path("in_checkpoint").asBoolean()).isTrue();
        assertThat(dryJson.path("kept").get(0).path("differs").asBoolean()).isTrue();
        Loki.Result r = rollback("to", cp, "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(repo.read("config.json")).isEqualTo("{\"v\": 2, \"precious\": 1}\n");
        assertThat(repo.read(".gitignore")).isEqualTo("*.log\nbuild/\n");
        assertKept(r.json(), KeptPath.IGNORED_NOW, "", "config.json");

        repo.delete("config.json");
        Loki.Result again = rollback("to", cp);
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(repo.read("config.json")).isEqualTo("{\"v\": 1}\n");
    }

    /** Thousands of ignored files (a node_modules) made to look new: the human output names 20, --json all. */
    @Test
    void many_kept_paths_are_all_in_the_json_and_counted_in_the_human_output() {
        for (int i = 0; i < 25; i++) {
            repo.write(String.format("logs/run-%02d.log", i), "line " + i + "\n");
        }
        String cp = Loki.checkpoint(repo, "before agent");
        repo.write(".gitignore", "");

        Loki.Result dry = rollback("to", cp, "--dry-run");
        assertThat(dry.exit()).as(dry.toString()).isZero();
        assertThat(dry.out().lines().filter(l -> l.startsWith("  kept    logs/"))).hasSize(20);
        assertThat(dry.out()).contains("  kept    ... and 5 more path(s) that would be left as they are (--json lists"
                + " them all)");
        Loki.Result r = rollback("to", cp, "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.json().path("kept")).hasSize(25);
        assertThat(r.json().path("protected")).hasSize(25);
        assertThat(repo.read("logs/run-24.log")).isEqualTo("line 24\n");
    }

    /** {@code kept} names exactly {@code paths} with these reasons, and {@code protected} names the same paths. */
    private static void assertKept(JsonNode result, String reasonNow, String reasonThen, String... paths) {
        java.util.List<String> kept = new java.util.ArrayList<>();
        java.util.List<String> prot = new java.util.ArrayList<>();
        result.path("kept").forEach(k -> {
            kept.add(k.path("path").asText());
            assertThat(k.path("reason_now").asText()).as(k.toString()).isEqualTo(reasonNow);
            assertThat(k.path("reason_then").asText()).as(k.toString()).isEqualTo(reasonThen);
            assertThat(k.path("message").asText()).as(k.toString()).isNotBlank();
        });
        result.path("protected").forEach(p -> prot.add(p.asText()));
        assertThat(kept).as(result.toString()).containsExactlyInAnyOrder(paths);
        assertThat(prot).containsExactlyElementsOf(kept);
        result.path("notes").forEach(n -> assertThat(n.asText()).as("listed once, in kept").doesNotStartWith("Kept "));
    }

    /** 'latest' works wherever an id does, as it does in 'loki rollback latest' (a stranger tried 'rollback diff latest'). */
    @Test
    void latest_names_the_newest_checkpoint_that_is_not_a_pre_rollback_one_in_diff_and_to() {
        String cp = Loki.checkpoint(repo, "before agent");
        repo.write("src/app.py", "print('v2')\n");
        Loki.Result diff = rollback("diff", "latest");
        assertThat(diff.exit()).as(diff.toString()).isZero();
        assertThat(diff.err()).contains("Comparing with checkpoint " + cp);
        assertThat(diff.out()).contains("src/app.py");
        Loki.Result to = rollback("to", "latest");
        assertThat(to.exit()).as(to.toString()).isZero();
        assertThat(repo.read("src/app.py")).isEqualTo("print('v1')\n");
        assertThat(rollback("diff", "latest").err()).as("not the pre-rollback checkpoint just taken")
                .contains("Comparing with checkpoint " + cp);
    }

    /** Files are written over in place and cut to length: a shorter version leaves no old tail. */
    @Test
    void a_restored_file_shorter_or_longer_than_the_one_on_disk_is_exactly_the_snapshot_s() {
        repo.write("short.txt", "v1\n").write("long.txt", "version one, the long one\n");
        String cp = Loki.checkpoint(repo, "before");
        repo.write("short.txt", "a much longer second version of this file\n").write("long.txt", "2\n");
        Loki.Result r = rollback("to", cp);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(repo.read("short.txt")).isEqualTo("v1\n");
        assertThat(repo.read("long.txt")).isEqualTo("version one, the long one\n");
    }

    /**
     * A blob the target's snapshot needs is gone from the store: the rollback fails before it
     * writes anything (the check runs while the pre-rollback checkpoint is taken), and leaves
     * neither that checkpoint nor a journal behind.
     */
    @Test
    void a_snapshot_with_missing_objects_is_refused_and_changes_nothing() throws Exception {
        repo.write("notes/only-here.md", "content no other snapshot holds\n");
        String cp = Loki.checkpoint(repo, "with a unique file");
        repo.delete("notes/only-here.md");
        repo.write("src/app.py", "print('v2')\n");
        Path store = repo.dir().resolve(".git/loki/store");
        Files.writeString(tmp.resolve("unique.txt"), "content no other snapshot holds\n");
        String blob = new String(new ProcessBuilder("git", "hash-object", tmp.resolve("unique.txt").toString())
                .start().getInputStream().readAllBytes()).strip();
        // every object of the store loose, then the unique file's blob deleted
        Path packs = store.resolve("objects/pack");
        Path moved = Files.createDirectories(tmp.resolve("packs"));
        try (var l = Files.list(packs)) {
            for (Path p : l.toList()) {
                Files.move(p, moved.resolve(p.getFileName()));
            }
        }
        try (var l = Files.list(moved)) {
            for (Path p : l.filter(f -> f.toString().endsWith(".pack")).toList()) {
                Process unpack = new ProcessBuilder("git", "--git-dir", store.toString(), "unpack-objects", "-q")
                        .redirectInput(p.toFile()).start();
                assertThat(unpack.waitFor()).isZero();
            }
        }
        Path loose = store.resolve("objects/" + blob.substring(0, 2) + "/" + blob.substring(2));
        assertThat(loose).exists();
        Files.delete(loose);

        Loki.Result r = rollback("to", cp);
        assertThat(r.exit()).as(r.toString()).isNotZero();
        assertThat(r.err()).contains("object(s) its snapshot needs are gone").contains("Nothing was changed");
        assertThat(repo.read("src/app.py")).isEqualTo("print('v2')\n");
        assertThat(repo.exists("notes/only-here.md")).isFalse();
        Loki.Result list = Loki.run(repo, "rollback", "list", "--json");
        assertThat(list.out()).as("no pre-rollback checkpoint is left").doesNotContain("rb-pre-");
        assertThat(repo.dir().resolve(".git/loki/journal/rollback.json")).doesNotExist();
    }

    @Test
    void rollback_is_undone_by_restoring_the_pre_rollback_checkpoint() {
        String cp = Loki.checkpoint(repo, "v1");
        repo.write("src/app.py", "print('v2')\n");
        repo.write("added.txt", "agent work\n");

        Loki.Result r = rollback("to", cp, "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        String pre = r.json().path("pre_rollback_snapshot").asText();
        assertThat(pre).startsWith("rb-pre-");
        assertThat(r.json().path("undo_command").asText()).isEqualTo("loki rollback to " + pre);
        assertThat(repo.exists("added.txt")).isFalse();

        Loki.Result undo = rollback("to", pre);
        assertThat(undo.exit()).as(undo.toString()).isZero();
        assertThat(repo.read("src/app.py")).isEqualTo("print('v2')\n");
        assertThat(repo.read("added.txt")).isEqualTo("agent work\n");
    }

    @Test
    void ignored_files_head_branch_and_the_users_index_are_never_touched() {
        repo.write("src/staged.py", "staged\n");
        repo.git("add", "src/staged.py");
        repo.write("src/app.py", "print('unstaged edit')\n");
        String indexBefore = repo.git("ls-files", "-s", "--debug");
        String stagedBefore = repo.git("diff", "--cached", "--name-status");
        String head = repo.head();

        String cp = Loki.checkpoint(repo, "dirty index");
        repo.write("debug.log", "ignored 1\n");
        repo.write("build/out.bin", "ignored 2\n");
        repo.write("src/nested/secret.txt", "nested-ignored\n");
        repo.write("src/app.py", "print('later')\n");

        assertThat(rollback("to", cp).exit()).isZero();

        assertThat(repo.read("debug.log")).isEqualTo("ignored 1\n");
        assertThat(repo.read("build/out.bin")).isEqualTo("ignored 2\n");
        assertThat(repo.read("src/nested/secret.txt")).isEqualTo("nested-ignored\n");
        assertThat(repo.read("src/app.py")).isEqualTo("print('unstaged edit')\n");
        assertThat(repo.head()).isEqualTo(head);
        assertThat(repo.git("symbolic-ref", "--short", "HEAD").strip()).isEqualTo("main");
        assertThat(repo.git("diff", "--cached", "--name-status")).isEqualTo(stagedBefore);
        assertThat(repo.git("ls-files", "-s", "--debug")).isEqualTo(indexBefore);
    }

    @Test
    void renames_binary_files_odd_names_exec_bits_and_symlinks_round_trip() throws Exception {
        byte[] binary = new byte[4096];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i * 31);
        }
        repo.writeBytes("assets/blob.bin", binary);
        repo.write("name with spaces.txt", "spaces\n");
        repo.write("ünïcödé/数据.txt", "unicode\n");
        repo.write("run.sh", "#!/bin/sh\necho hi\n");
        repo.chmod("run.sh", "rwxr-xr-x");
        Files.createSymbolicLink(repo.path("link-to-app"), Path.of("src/app.py"));
        String cp = Loki.checkpoint(repo, "odd files");

        Files.move(repo.path("name with spaces.txt"), repo.path("renamed.txt"));
        repo.writeBytes("assets/blob.bin", new byte[] {1, 2, 3});
        repo.delete("ünïcödé/数据.txt");
        repo.chmod("run.sh", "rw-r--r--");
        Files.delete(repo.path("link-to-app"));
        Files.createSymbolicLink(repo.path("link-to-app"), Path.of("README.md"));

        Loki.Result r = rollback("to", cp);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(repo.read("name with spaces.txt")).isEqualTo("spaces\n");
        assertThat(repo.exists("renamed.txt")).isFalse();
        assertThat(Files.readAllBytes(repo.path("assets/blob.bin"))).isEqualTo(binary);
        assertThat(repo.read("ünïcödé/数据.txt")).isEqualTo("unicode\n");
        assertThat(Files.getPosixFilePermissions(repo.path("run.sh"))).contains(PosixFilePermission.OWNER_EXECUTE);
        assertThat(Files.isSymbolicLink(repo.path("link-to-app"))).isTrue();
        assertThat(Files.readSymbolicLink(repo.path("link-to-app"))).isEqualTo(Path.of("src/app.py"));
    }

    @Test
    void the_users_repository_gains_no_refs_and_no_objects() {
        repo.write("wip.txt", "uncommitted work\n");
        String refs = repo.refs();
        long objects = repo.objectCount();

        String cp = Loki.checkpoint(repo, "one");
        repo.write("wip.txt", "more work\n");
        repo.write("other.txt", "x\n");
        Loki.checkpoint(repo, "two");
        assertThat(rollback("to", cp).exit()).isZero();
        assertThat(Loki.run(repo, "checkpoint", "gc").exit()).isZero();

        assertThat(repo.refs()).isEqualTo(refs);
        assertThat(repo.objectCount()).isEqualTo(objects);
        assertThat(repo.git("stash", "list")).isEmpty();
    }

    @Test
    void state_files_are_restored_and_files_created_since_are_removed() throws Exception {
        Path loki = repo.path(".loki");
        Files.createDirectories(loki.resolve("state"));
        Files.createDirectories(loki.resolve("queue"));
        Files.writeString(loki.resolve("state/orchestrator.json"), "{\"currentPhase\":\"DEV\"}");
        Files.writeString(loki.resolve("CONTINUITY.md"), "v1 context\n");
        Files.writeString(loki.resolve("queue/pending.json"), "[\"a\"]");
        String cp = Loki.checkpoint(repo, "state v1");

        Files.writeString(loki.resolve("state/orchestrator.json"), "{\"currentPhase\":\"QA\"}");
        Files.writeString(loki.resolve("CONTINUITY.md"), "v2 context\n");
        Files.writeString(loki.resolve("queue/failed.json"), "[\"b\"]");
        Files.createDirectories(loki.resolve("logs"));
        Files.writeString(loki.resolve("logs/run.log"), "keep me\n");

        Loki.Result r = rollback("to", cp, "--state-only");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(Files.readString(loki.resolve("state/orchestrator.json"))).contains("DEV");
        assertThat(Files.readString(loki.resolve("CONTINUITY.md"))).isEqualTo("v1 context\n");
        assertThat(loki.resolve("queue/failed.json")).doesNotExist();
        assertThat(loki.resolve("logs/run.log")).hasContent("keep me\n");
        assertThat(loki.resolve("state/checkpoints/" + cp + "/metadata.json")).exists();
    }

    @Test
    void state_only_rollback_leaves_code_alone() {
        String cp = Loki.checkpoint(repo, "c");
        repo.write("src/app.py", "print('kept')\n");
        assertThat(rollback("to", cp, "--state-only").exit()).isZero();
        assertThat(repo.read("src/app.py")).isEqualTo("print('kept')\n");
    }

    @Test
    void dry_run_and_diff_change_nothing_and_list_the_changes() {
        String cp = Loki.checkpoint(repo, "c");
        repo.write("src/app.py", "print('v2')\n");
        repo.write("new.txt", "n\n");
        int before = Loki.run(repo, "checkpoint", "list", "--json").json().size();

        Loki.Result diff = rollback("diff", cp, "--json");
        assertThat(diff.exit()).as(diff.toString()).isZero();
        JsonNode j = diff.json();
        assertThat(j.path("dry_run").asBoolean()).isTrue();
        assertThat(j.path("changes").toString()).contains("\"M\"", "src/app.py", "\"D\"", "new.txt");
        Loki.Result dry = rollback("to", cp, "--dry-run");
        assertThat(dry.exit()).isZero();
        assertThat(dry.out()).contains("revert  src/app.py", "remove  new.txt", "Dry run: nothing was changed");

        assertThat(repo.read("src/app.py")).isEqualTo("print('v2')\n");
        assertThat(repo.exists("new.txt")).isTrue();
        assertThat(Loki.run(repo, "checkpoint", "list", "--json").json().size()).isEqualTo(before);
    }

    @Test
    void latest_skips_pre_rollback_checkpoints() {
        Loki.checkpoint(repo, "first");
        String second = Loki.checkpoint(repo, "second");
        repo.write("x.txt", "x\n");
        assertThat(rollback("to", second).exit()).isZero();
        Loki.Result latest = rollback("latest", "--json");
        assertThat(latest.exit()).as(latest.toString()).isZero();
        assertThat(latest.json().path("id").asText()).isEqualTo(second);
    }

    @Test
    void a_live_run_blocks_rollback_unless_forced() throws Exception {
        String cp = Loki.checkpoint(repo, "c");
        repo.write("src/app.py", "print('live')\n");
        LokiDir dir = LokiDir.locate(Optional.empty(), repo.env(), repo.dir());
        try (SessionLock lock = SessionLock.tryAcquire(dir).orElseThrow()) {
            Loki.Result refused = rollback("to", cp);
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err()).contains("is active", "loki stop", "--force");
            assertThat(repo.read("src/app.py")).isEqualTo("print('live')\n");

            Loki.Result forced = rollback("to", cp, "--force");
            assertThat(forced.exit()).as(forced.toString()).isZero();
            assertThat(repo.read("src/app.py")).isEqualTo("print('v1')\n");
        }
    }

    @Test
    void exit_codes_for_unknown_and_malformed_ids() {
        Loki.checkpoint(repo, "c");
        Loki.Result missing = rollback("to", "cp-9-9999999999");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("not found: cp-9-9999999999");
        for (String bad : new String[] {"../etc/passwd", "a/b", "foo bar", "..", "x".repeat(129)}) {
            Loki.Result r = rollback("to", bad);
            assertThat(r.exit()).as(bad).isEqualTo(2);
            assertThat(r.err()).as(bad).contains("Invalid checkpoint id");
            assertThat(r.err().lines().count()).as("one line").isEqualTo(1);
        }
        assertThat(Loki.run(repo, "checkpoint", "show", "../../etc/passwd").exit()).isEqualTo(2);
    }

    @Test
    void a_restore_that_fails_half_way_puts_everything_back() throws Exception {
        repo.write("build.txt", "a file named build.txt\n");
        StringBuilder big = new StringBuilder();
        for (int i = 0; big.length() < 300_000; i++) {
            big.append("line ").append(i).append(" of a file the restore cannot write\n");
        }
        repo.write("big.txt", big.toString());
        String cp = Loki.checkpoint(repo, "big.txt is big");

        // Since then: files changed and removed, big.txt made small. The rollback runs under a
        // file size limit (ulimit -f) that lets it snapshot the tree but not write big.txt back:
        // the restore fails after its deletions and first writes.
        repo.write("src/app.py", "print('v2')\n");
        repo.delete("build.txt");
        repo.write("extra.txt", "created later\n");
        repo.write("big.txt", "small now\n");
        repo.write("out/debug.log", "ignored, precious\n");

        String jvm = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "ulimit -f 100; exec \"$0\" \"$@\"", jvm,
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "dev.loki.cli.Main",
                "rollback", "to", cp).directory(repo.dir().toFile());
        pb.environment().clear();
        pb.environment().putAll(repo.env());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(1);
        assertThat(out).contains("failed", "File too large", "put back");
        assertThat(repo.read("src/app.py")).isEqualTo("print('v2')\n");
        assertThat(repo.exists("build.txt")).isFalse();
        assertThat(repo.read("extra.txt")).isEqualTo("created later\n");
        assertThat(repo.read("big.txt")).isEqualTo("small now\n");
        assertThat(repo.read("out/debug.log")).isEqualTo("ignored, precious\n");
    }

    /**
     * A --state-only dry run printed "Roll back with: loki rollback to <id>", which restores code
     * too; and a --state-only rollback said it had saved "the current state and code" when its
     * pre-rollback checkpoint holds state only. Both lines now say what is true.
     */
    @Test
    void a_state_only_rollback_prints_only_true_commands_and_claims() throws Exception {
        repo.write(".loki/state/orchestrator.json", "{\"phase\": \"one\"}\n");
        String cp = Loki.checkpoint(repo, "c");
        repo.write(".loki/state/orchestrator.json", "{\"phase\": \"two\"}\n");
        repo.write("src/app.py", "print('v2')\n");

        Loki.Result dry = rollback("to", cp, "--state-only", "--dry-run");
        assertThat(dry.exit()).as(dry.toString()).isZero();
        assertThat(dry.out()).contains("Roll back with: loki rollback to " + cp + " --state-only\n");

        Loki.Result real = rollback("to", cp, "--state-only");
        assertThat(real.exit()).as(real.toString()).isZero();
        assertThat(real.out()).doesNotContain("state and code").containsPattern("Saved the current state as rb-pre-");
        assertThat(repo.read("src/app.py")).isEqualTo("print('v2')\n");
        assertThat(repo.read(".loki/state/orchestrator.json")).contains("one");

        Loki.Result full = rollback("to", cp);
        assertThat(full.out()).contains("Saved the current state and code as rb-pre-");
    }

    /**
     * An agent that checks out another branch (or commits, or resets) between checkpoints: the
     * rollback restores the files and leaves HEAD where it is, and says so, in its dry run too,
     * rather than leave the user to wonder why git status shows the restored files as changes.
     */
    @Test
    void a_rollback_after_head_moved_restores_the_files_and_says_where_head_is() throws Exception {
        repo.git("checkout", "-q", "-b", "main-line");
        String cp = Loki.checkpoint(repo, "on main-line");
        repo.git("checkout", "-q", "-b", "other");
        repo.write("src/app.py", "print('other')\n");
        repo.write("only-other.txt", "x\n");
        repo.commitAll("other work");

        Loki.Result dry = rollback("diff", cp);
        Loki.Result real = rollback("to", cp);

        assertThat(real.exit()).as(real.toString()).isZero();
        assertThat(repo.read("src/app.py")).isEqualTo("print('v1')\n");
        assertThat(repo.exists("only-other.txt")).isFalse();
        assertThat(repo.git("symbolic-ref", "--short", "HEAD").strip()).isEqualTo("other");
        for (Loki.Result r : java.util.List.of(dry, real)) {
            assertThat(r.out()).as(r.toString()).containsPattern("Note: HEAD is at other@[0-9a-f]{7}, not at"
                    + " main-line@[0-9a-f]{7} where the checkpoint was taken");
        }
        Loki.Result same = rollback("diff", Loki.checkpoint(repo, "on other"));
        assertThat(same.out()).as(same.toString()).doesNotContain("HEAD is at");
    }

    @Test
    void a_failed_pre_rollback_snapshot_aborts_unless_forced() throws Exception {
        String cp = Loki.checkpoint(repo, "c");
        repo.write("src/app.py", "print('v2')\n");
        Map<String, String> env = FakeGit.failing(tmp, repo.env(), "ls-files");

        Loki.Result r = Loki.run(repo.dir(), env, "rollback", "to", cp);
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("Nothing was restored", "--force");
        assertThat(repo.read("src/app.py")).isEqualTo("print('v2')\n");
        assertThat(Loki.run(repo, "checkpoint", "list", "--json").json().size()).as("no junk rb-pre").isEqualTo(1);

        Loki.Result forced = Loki.run(repo.dir(), env, "rollback", "to", cp, "--force");
        assertThat(forced.exit()).as(forced.toString()).isZero();
        assertThat(forced.out()).contains("cannot be undone");
        assertThat(repo.read("src/app.py")).isEqualTo("print('v1')\n");
    }

    @Test
    void missing_snapshot_objects_are_reported_before_anything_is_touched_and_gc_prevents_it() throws Exception {
        repo.write("doomed.txt", "only ever committed on a branch that will be rewritten\n");
        ageFile("doomed.txt");
        repo.commitAll("doomed");
        String fragile = Loki.checkpoint(repo, "needs objects from the user's repo");
        repo.write("doomed.txt", "changed\n");

        // The user rewrites history and garbage-collects: the committed blob disappears.
        rewriteHistoryAndGc();
        repo.write("src/app.py", "print('after rewrite')\n");

        Loki.Result r = rollback("to", fragile);
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("gone", "Nothing was changed");
        assertThat(repo.read("src/app.py")).isEqualTo("print('after rewrite')\n");

        // With gc run before the rewrite, the store holds its own copies.
        repo.write("kept.txt", "committed content\n");
        ageFile("kept.txt");
        repo.commitAll("kept");
        String safe = Loki.checkpoint(repo, "safe");
        assertThat(Loki.run(repo, "checkpoint", "gc").exit()).isZero();
        repo.write("kept.txt", "changed\n");
        rewriteHistoryAndGc();
        Loki.Result ok = rollback("to", safe);
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(repo.read("kept.txt")).isEqualTo("committed content\n");
    }

    /** An old mtime keeps the index entry from being "racily clean", so the snapshot borrows the blob. */
    private void ageFile(String rel) throws Exception {
        Files.setLastModifiedTime(repo.path(rel),
                java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(120)));
    }

    private void rewriteHistoryAndGc() {
        repo.git("checkout", "-q", "--orphan", "rewritten");
        repo.git("rm", "-q", "-r", "-f", "--cached", ".");
        repo.git("commit", "-q", "--allow-empty", "-m", "rewritten root");
        repo.git("branch", "-D", "main");
        repo.git("branch", "-m", "main");
        repo.git("reflog", "expire", "--expire=now", "--all");
        repo.git("gc", "-q", "--prune=now");
    }
}
