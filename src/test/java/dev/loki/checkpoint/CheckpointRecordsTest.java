package dev.loki.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.git.RepoInfo;
import dev.loki.store.FileTrees;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reproductions 5 (orphans), 6 (a store the agent cannot wipe) and 7 (quiet gaps) of issue 8,
 * and upstream's checkpoint contract from issue 9 item 16.
 */
class CheckpointRecordsTest {
    @TempDir
    Path tmp;

    TestRepo repo;

    @BeforeEach
    void setUp() {
        repo = TestRepo.create(tmp);
        repo.write("app.txt", "v1\n");
        repo.commitAll("base");
    }

    private Path records() {
        return repo.path(".git/loki/checkpoints");
    }

    private Path mirror() {
        return repo.path(".loki/state/checkpoints");
    }

    private static long lines(String text, String needle) {
        return Arrays.stream(text.split("\n")).filter(l -> l.contains(needle)).count();
    }

    private static List<String> ids(JsonNode list) {
        return java.util.stream.StreamSupport.stream(list.spliterator(), false)
                .filter(n -> !n.path("corrupt").asBoolean()).map(n -> n.path("id").asText()).toList();
    }

    @Test
    void records_live_under_the_git_directory_and_are_mirrored_for_upstream() throws Exception {
        String id = Loki.checkpoint(repo, "one");
        assertThat(records().resolve(id).resolve("metadata.json")).exists();
        assertThat(mirror().resolve(id).resolve("metadata.json")).exists();
        assertThat(Files.readString(records().resolve(id).resolve("metadata.json")))
                .isEqualTo(Files.readString(mirror().resolve(id).resolve("metadata.json")));
        assertThat(Files.readAllLines(records().resolve("index.jsonl"))).hasSize(1);
        assertThat(Files.readAllLines(mirror().resolve("index.jsonl"))).hasSize(1);
        assertThat(records().resolve(id).resolve(CheckpointRecords.MARKER)).doesNotExist();
        assertThat(repo.git("status", "--porcelain")).doesNotContain(".loki");
    }

    @Test
    void rm_rf_loki_and_git_clean_keep_every_checkpoint_listed_and_restorable() throws Exception {
        Files.createDirectories(repo.path(".loki/state"));
        Files.writeString(repo.path(".loki/state/orchestrator.json"), "{\"currentPhase\":\"ONE\"}");
        String one = Loki.checkpoint(repo, "one");
        repo.write("app.txt", "v2\n");
        Files.writeString(repo.path(".loki/state/orchestrator.json"), "{\"currentPhase\":\"TWO\"}");
        String two = Loki.checkpoint(repo, "two");

        FileTrees.delete(repo.path(".loki"));
        Loki.Result list = Loki.run(repo, "rollback", "list", "--json");
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(ids(list.json())).containsExactly(one, two);
        assertThat(lines(list.err(), "had been removed")).isEqualTo(1);
        assertThat(repo.path(".loki/.gitignore")).as("recreated with its ignore rule").exists();
        assertThat(mirror().resolve(one).resolve("metadata.json")).as("mirror completed again").exists();

        repo.git("clean", "-fdxq");
        assertThat(repo.path(".loki")).doesNotExist();
        Loki.Result state = Loki.run(repo, "rollback", "to", one, "--state-only");
        assertThat(state.exit()).as(state.toString()).isZero();
        assertThat(Files.readString(repo.path(".loki/state/orchestrator.json"))).contains("ONE");
        assertThat(repo.git("status", "--porcelain")).doesNotContain(".loki");
    }

    @Test
    void after_git_clean_the_code_of_every_checkpoint_comes_back() throws Exception {
        String one = Loki.checkpoint(repo, "one");
        repo.write("app.txt", "v2\n");
        String two = Loki.checkpoint(repo, "two");
        // the code snapshot lives in the private store, outside .loki (issue 8 part A moved it to
        // <git-dir>/loki/store): a store back inside .loki fails here instead of skipping the test
        CheckpointService svc = CheckpointService.open(LokiDir.locate(Optional.empty(), repo.env(), repo.dir()),
                repo.env());
        Path store = svc.snapshots(RepoInfo.detect(repo.dir(), repo.env()).orElseThrow()).directory();
        assertThat(store.startsWith(repo.path(".loki"))).as("snapshot store outside .loki: " + store).isFalse();
        repo.git("clean", "-fdxq");
        Loki.Result code = Loki.run(repo, "rollback", "to", one);
        assertThat(code.exit()).as(code.toString()).isZero();
        assertThat(repo.read("app.txt")).isEqualTo("v1\n");
        assertThat(Loki.run(repo, "rollback", "to", two).exit()).isZero();
        assertThat(repo.read("app.txt")).isEqualTo("v2\n");
    }

    @Test
    void a_corrupt_metadata_json_is_kept_aside_and_reported_by_list_json_doctor_and_rollback() throws Exception {
        String bad = Loki.checkpoint(repo, "bad");
        String good = Loki.checkpoint(repo, "good");
        for (Path root : List.of(records(), mirror())) {
            Files.writeString(root.resolve(bad).resolve("metadata.json"), "{\"id\": \"" + bad + "\", \"timest");
        }
        Loki.Result list = Loki.run(repo, "checkpoint", "list");
        assertThat(list.exit()).isZero();
        assertThat(list.out()).contains(good);
        assertThat(list.out().lines()).noneMatch(l -> l.startsWith(bad + " "));
        assertThat(lines(list.err(), bad + " is corrupt")).as(list.toString()).isEqualTo(1);
        assertThat(list.err()).contains("is corrupt").contains("metadata.json.corrupt.");
        try (Stream<Path> s = Files.list(records().resolve(bad))) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .anyMatch(n -> n.matches("metadata\\.json\\.corrupt\\.\\d+"))
                    .doesNotContain("metadata.json");
        }
        assertThat(records().resolve(bad)).as("never dropped").isDirectory();

        Loki.Result again = Loki.run(repo, "rollback", "list", "--json");
        assertThat(lines(again.err(), bad + " is corrupt")).as("reported on every list").isEqualTo(1);
        JsonNode corrupt = java.util.stream.StreamSupport.stream(again.json().spliterator(), false)
                .filter(n -> n.path("corrupt").asBoolean()).findFirst().orElseThrow();
        assertThat(corrupt.path("id").asText()).isEqualTo(bad);
        assertThat(corrupt.path("kept_as").asText()).contains("metadata.json.corrupt.");

        Loki.Result doctor = Loki.run(repo, "doctor");
        assertThat(doctor.out()).contains("checkpoint:" + bad).contains("is corrupt");
        Loki.Result rb = Loki.run(repo, "rollback", "to", bad);
        assertThat(rb.exit()).isEqualTo(1);
        assertThat(rb.err()).contains(bad + " is corrupt");
    }

    @Test
    void appends_after_a_torn_line_start_on_a_new_line() throws Exception {
        Loki.checkpoint(repo, "one");
        for (Path index : List.of(records().resolve("index.jsonl"), mirror().resolve("index.jsonl"),
                repo.path(".loki/events.jsonl"))) {
            byte[] b = Files.readAllBytes(index);
            Files.write(index, Arrays.copyOf(b, b.length - 7)); // a writer killed mid-line
        }
        String two = Loki.checkpoint(repo, "two");
        for (Path index : List.of(records().resolve("index.jsonl"), mirror().resolve("index.jsonl"))) {
            List<String> l = Files.readAllLines(index, StandardCharsets.UTF_8);
            assertThat(l).hasSize(2);
            assertThat(Json.parse(l.get(1)).path("id").asText()).isEqualTo(two);
        }
        List<String> events = Files.readAllLines(repo.path(".loki/events.jsonl"));
        assertThat(Json.parse(events.get(events.size() - 1)).path("type").asText()).isEqualTo("checkpoint.created");
    }

    @Test
    void orphans_of_a_killed_create_are_removed_by_the_next_list_or_create_and_said_so() throws Exception {
        String one = Loki.checkpoint(repo, "one");
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor(10, TimeUnit.SECONDS);
        Path orphan = Files.createDirectories(records().resolve("cp-20261206-000001/state"));
        Files.writeString(orphan.getParent().resolve(CheckpointRecords.MARKER), dead.pid() + " -\n");
        Files.writeString(orphan.resolve("orchestrator.json"), "{}");
        Path unmarked = Files.createDirectories(records().resolve("cp-20261206-000002"));
        Files.setLastModifiedTime(unmarked, FileTime.from(Instant.now().minus(Duration.ofMinutes(5))));
        Path upstreamOrphan = Files.createDirectories(mirror().resolve("cp-7-1700000000"));
        Files.setLastModifiedTime(upstreamOrphan, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        Path writing = Files.createDirectories(records().resolve("cp-20261206-000003"));
        Files.writeString(writing.resolve(CheckpointRecords.MARKER), WriterLike.self() + "\n");

        Loki.Result list = Loki.run(repo, "checkpoint", "list");
        assertThat(list.exit()).isZero();
        assertThat(lines(list.err(), "unfinished checkpoint")).as(list.toString()).isEqualTo(1);
        assertThat(list.err()).contains("cp-20261206-000001", "cp-20261206-000002", "cp-7-1700000000");
        assertThat(orphan.getParent()).doesNotExist();
        assertThat(unmarked).doesNotExist();
        assertThat(upstreamOrphan).doesNotExist();
        assertThat(writing).as("its writer is alive: still being written").isDirectory();
        assertThat(list.out()).contains(one);

        Files.writeString(writing.resolve(CheckpointRecords.MARKER), dead.pid() + " -\n");
        Loki.Result create = Loki.run(repo, "checkpoint", "create", "two", "--json");
        assertThat(create.exit()).isZero();
        assertThat(create.json().path("notices").toString()).contains("cp-20261206-000003");
        assertThat(writing).doesNotExist();
    }

    @Test
    void upstream_scripts_get_help_subcommands_files_copied_and_show_labels() throws Exception {
        Files.createDirectories(repo.path(".loki/queue"));
        Files.writeString(repo.path(".loki/queue/pending.json"), "[]");
        String id = Loki.checkpoint(repo, "msg");
        JsonNode m = Json.parse(Files.readString(mirror().resolve(id).resolve("metadata.json")));
        assertThat(m.path("files_copied").asInt()).isEqualTo(1);
        for (String key : List.of("id", "timestamp", "git_sha", "git_branch", "message", "files_copied")) {
            assertThat(m.has(key)).as(key).isTrue();
        }
        Loki.Result show = Loki.run(repo, "checkpoint", "show", id);
        assertThat(show.out()).contains("Timestamp:").contains("Git SHA:     " + repo.head());
        for (String[] args : List.of(new String[] {"checkpoint", "help"}, new String[] {"cp", "help"})) {
            Loki.Result h = Loki.run(repo, args);
            assertThat(h.exit()).as(h.toString()).isZero();
            assertThat(h.out()).contains("loki checkpoint").contains("Commands:");
        }
        Loki.Result rh = Loki.run(repo, "rollback", "help");
        assertThat(rh.exit()).isZero();
        assertThat(rh.out()).contains("loki rollback").contains("latest");
    }

    /** The marker text of a writer that is alive: this test JVM. */
    private static final class WriterLike {
        static String self() {
            return dev.loki.store.WriterPid.current().format();
        }
    }

    /**
     * {@code loki status} promises the number {@code loki rollback list} shows: a record whose
     * metadata.json does not read is not counted (as soon as it breaks, in the same process: the
     * count remembers each file's answer only for that version of it), and counting changes nothing.
     */
    @Test
    void the_count_is_the_number_the_list_shows_and_follows_a_record_that_breaks_and_is_fixed() throws Exception {
        LokiDir loki = new LokiDir(repo.path(".loki"), repo.dir());
        CheckpointService svc = CheckpointService.open(loki, repo.env());
        svc.create(CheckpointRequest.manual("one"));
        String two = svc.create(CheckpointRequest.manual("two")).id();
        svc.create(CheckpointRequest.manual("three"));
        assertThat(svc.count()).isEqualTo(3);

        Path meta = records().resolve(two).resolve("metadata.json");
        Path mirrored = mirror().resolve(two).resolve("metadata.json");
        byte[] good = Files.readAllBytes(meta);
        Files.writeString(meta, "{\"id\": \"" + two + "\", torn");
        Files.writeString(mirrored, "[]");
        assertThat(svc.count()).as("a corrupt record is not a checkpoint").isEqualTo(2);
        assertThat(meta).as("counting moves nothing aside").exists();
        Loki.Result status = Loki.run(repo, "status", "--json");
        assertThat(status.json().path("checkpoints").asInt()).as(status.toString()).isEqualTo(2);
        Loki.Result list = Loki.run(repo, "rollback", "list");
        assertThat(list.out()).contains("Checkpoints (2, oldest first)");
        assertThat(list.err()).contains("Checkpoint " + two + " is corrupt");

        // fixed by hand (the list moved the primary's aside): counted again
        Files.write(meta, good);
        Files.write(mirrored, good);
        assertThat(svc.count()).isEqualTo(3);
        assertThat(Loki.run(repo, "status", "--json").json().path("checkpoints").asInt()).isEqualTo(3);
    }

    /** Overwrites a file in place (same inode) with as many bytes, then puts its modification time back. */
    private static void editInPlaceKeepingSizeAndTime(Path file, byte[] same) throws Exception {
        FileTime mtime = Files.getLastModifiedTime(file);
        long size = Files.size(file);
        Object key = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        assertThat(same).hasSize((int) size);
        Files.write(file, same); // truncates and writes: the same inode
        Files.setLastModifiedTime(file, mtime);
        assertThat(Files.size(file)).isEqualTo(size);
        assertThat(Files.getLastModifiedTime(file)).isEqualTo(mtime);
        assertThat(Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey())
                .isEqualTo(key);
    }

    private static byte[] notAnObject(int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) ' ');
        b[0] = '[';
        b[size - 1] = ']';
        return b;
    }

    /**
     * The count's memo used to key a record on size, modification time and inode only: a record
     * edited in place to the same size, its modification time put back, was still counted as it
     * read before. Just after a change (the same clock tick) no key can tell, so it is read again.
     */
    @Test
    void the_count_sees_a_same_size_edit_in_place_with_the_old_modification_time_put_back() throws Exception {
        LokiDir loki = new LokiDir(repo.path(".loki"), repo.dir());
        CheckpointService svc = CheckpointService.open(loki, repo.env());
        svc.create(CheckpointRequest.manual("one"));
        String two = svc.create(CheckpointRequest.manual("two")).id();
        assertThat(svc.count()).isEqualTo(2);
        for (Path meta : List.of(records().resolve(two).resolve("metadata.json"),
                mirror().resolve(two).resolve("metadata.json"))) {
            editInPlaceKeepingSizeAndTime(meta, notAnObject((int) Files.size(meta)));
        }
        assertThat(svc.count()).as("the edited record no longer reads as a checkpoint").isEqualTo(1);
    }

    /**
     * Once a file has settled, its version still changes with an edit in place that keeps size,
     * inode and modification time: the change time is part of it. Before it settles, no two
     * versions of it are equal, so no memo trusts it.
     */
    @Test
    void a_files_version_follows_its_change_time_and_is_never_trusted_just_after_a_change() throws Exception {
        Path file = tmp.resolve("record.json");
        Files.writeString(file, "{\"a\": 1}");
        Instant later = Instant.now().plus(Duration.ofHours(1)); // as if read once the file had settled
        String before = CheckpointRecords.version(file, later);
        assertThat(CheckpointRecords.version(file, later)).as("settled: the same file, the same version")
                .isEqualTo(before);
        assertThat(CheckpointRecords.version(file)).as("just changed: never the same version twice")
                .isNotEqualTo(CheckpointRecords.version(file));
        Thread.sleep(50); // past the kernel's coarse clock tick, so the change time moves
        editInPlaceKeepingSizeAndTime(file, "{\"a\": 2}".getBytes(StandardCharsets.UTF_8));
        assertThat(CheckpointRecords.version(file, later)).isNotEqualTo(before);
    }
}
