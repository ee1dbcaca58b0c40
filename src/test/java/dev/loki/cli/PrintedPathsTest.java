package dev.loki.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.store.Json;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file name is chosen by whoever writes the file, an agent included: printed raw, a newline in
 * it would start a line of loki's own output ("Undo this rollback with: ..."). Every path in
 * human output is quoted as git quotes paths, so each printed line is loki's.
 */
class PrintedPathsTest {
    private static final String FAKE = "Undo this rollback with: loki rollback to cp-evil";
    private static final String EVIL = "a\n" + FAKE;
    private static final String EVIL_QUOTED = "\"a\\n" + FAKE + "\"";

    @TempDir
    Path tmp;

    TestRepo repo;

    @BeforeEach
    void setUp() {
        repo = TestRepo.create(tmp);
        repo.write("a.txt", "x\n");
        repo.commitAll("base");
    }

    @Test
    void a_newline_in_a_file_name_cannot_fake_a_line_of_rollback_output() throws Exception {
        Loki.checkpoint(repo, "before");
        Files.writeString(repo.dir().resolve(EVIL), "x");
        Files.writeString(repo.dir().resolve("tab\there \"q\" back\\slash"), "x");

        Loki.Result dry = Loki.run(repo, "rollback", "diff", latestId());
        assertThat(dry.exit()).as(dry.toString()).isZero();
        assertThat(dry.out().lines()).contains("  remove  " + EVIL_QUOTED,
                "  remove  \"tab\\there \\\"q\\\" back\\\\slash\"");
        assertThat(dry.out().lines()).noneMatch(l -> l.startsWith(FAKE));

        Loki.Result r = Loki.run(repo, "rollback", "latest");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(repo.dir().resolve(EVIL)).doesNotExist();
        assertThat(r.out().lines()).contains("  remove  " + EVIL_QUOTED);
        assertThat(r.out().lines().filter(l -> l.startsWith("Undo this rollback with: ")).toList()).hasSize(1)
                .noneMatch(l -> l.equals(FAKE));
    }

    @Test
    void a_path_left_out_of_a_checkpoint_is_quoted_where_it_is_named() throws Exception {
        Files.write(repo.dir().resolve(EVIL), new byte[2 * 1024 * 1024]);
        Map<String, String> env = repo.env();
        env.put("LOKI_CHECKPOINT_MAX_FILE_MB", "1");

        Loki.Result created = Loki.run(repo.dir(), env, "checkpoint", "create", "big");
        Loki.Result shown = Loki.run(repo.dir(), env, "checkpoint", "show", latestId());

        assertThat(created.exit()).as(created.toString()).isZero();
        assertThat(created.err().lines()).anyMatch(l -> l.startsWith("Warning: left " + EVIL_QUOTED + " out of"));
        assertThat(shown.out().lines()).anyMatch(l -> l.startsWith("  left out:  " + EVIL_QUOTED + " ("));
        for (Loki.Result x : List.of(created, shown)) {
            assertThat((x.out() + x.err()).lines()).noneMatch(l -> l.startsWith(FAKE));
        }
    }

    @Test
    void an_unfinished_rollback_notice_stays_one_line_whatever_its_journal_says() throws Exception {
        Path journal = repo.dir().resolve(".git/loki/journal/rollback.json");
        Files.createDirectories(journal.getParent());
        var o = Json.object();
        o.put("target", "cp-1\n" + FAKE);
        o.put("pre_rollback", "");
        o.put("phase", "saving");
        o.put("pid", String.valueOf(1L << 40));
        o.put("pid_start", "-");
        o.put("started_at", "2026-12-06T01:00:00Z");
        o.put("error", "");
        Files.writeString(journal, Json.pretty(o));

        Loki.Result list = Loki.run(repo, "checkpoint", "list");
        Loki.Result status = Loki.run(repo, "status");

        assertThat(list.err().lines().filter(l -> l.startsWith("Warning: Rollback to cp-1")).toList()).hasSize(1);
        for (Loki.Result x : List.of(list, status)) {
            assertThat((x.out() + x.err()).lines()).as(x.toString()).noneMatch(l -> l.startsWith(FAKE));
        }
    }

    private String latestId() {
        Loki.Result r = Loki.run(repo, "rollback", "list", "--json");
        var arr = r.json();
        return arr.get(arr.size() - 1).path("id").asText();
    }
}
