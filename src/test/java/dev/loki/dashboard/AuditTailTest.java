package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.dashboard.audit.AuditLog;
import dev.loki.dashboard.audit.AuditRecord;
import dev.loki.store.LokiDir;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10 item 2: dropping the audit log's tail, emptying or deleting it no longer verifies as intact. */
class AuditTailTest {
    @TempDir
    Path tmp;

    TestRepo repo;
    LokiDir loki;
    Map<String, String> env;
    Path home;

    @BeforeEach
    void setUp() {
        repo = TestRepo.create(tmp);
        env = repo.env();
        home = Path.of(env.get("HOME"));
        loki = LokiDir.locate(Optional.empty(), env, repo.dir()).ensureExists();
    }

    void write(int n) {
        AuditLog log = new AuditLog(loki, env);
        for (int i = 0; i < n; i++) {
            log.record(new AuditRecord("tester", "cli", "token.create", "t" + i, 0, "", "record " + i));
        }
    }

    Path auditFile() throws Exception {
        try (Stream<Path> s = Files.list(loki.resolve("audit"))) {
            return s.filter(x -> x.getFileName().toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
    }

    Loki.Result verify(String... extra) {
        List<String> args = new ArrayList<>(List.of("audit", "verify"));
        args.addAll(List.of(extra));
        return Loki.run(repo.dir(), env, args.toArray(String[]::new));
    }

    @Test
    void an_intact_log_verifies_and_says_what_it_can_and_cannot_prove() {
        write(5);
        Loki.Result r = verify();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Audit log intact: 5 records").contains("keyed head")
                .contains("It cannot prove").contains("someone holding the key");
        JsonNode j = verify("--json").json();
        assertThat(j.path("valid").asBoolean()).isTrue();
        assertThat(j.path("tail").path("status").asText()).isEqualTo("matches");
        assertThat(j.path("tail").path("head_records").asLong()).isEqualTo(5);
        assertThat(j.path("cannot_prove").size()).isGreaterThan(0);
    }

    @Test
    void the_key_lives_in_home_0600_in_a_0700_dir_never_under_loki() throws Exception {
        write(1);
        Path key = home.resolve(".loki/keys/audit.key");
        assertThat(key).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key.getParent())))
                .isEqualTo("rwx------");
        String secret = Files.readString(key).strip();
        try (Stream<Path> s = Files.walk(loki.path())) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(p)).as(p.toString()).doesNotContain(secret);
            }
        }
    }

    @Test
    void dropping_the_last_line_is_reported() throws Exception {
        write(5);
        Path f = auditFile();
        List<String> lines = Files.readAllLines(f);
        Files.write(f, lines.subList(0, 4));
        Loki.Result r = verify();
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("the last 1 record(s) were removed").contains("records 5 record(s)");
        assertThat(r.out()).doesNotContain("intact");
        assertThat(verify("--json").json().path("tail").path("status").asText()).isEqualTo("tail_removed");
    }

    @Test
    void keeping_only_the_first_records_is_reported() throws Exception {
        write(25);
        Path f = auditFile();
        Files.write(f, Files.readAllLines(f).subList(0, 20));
        Loki.Result r = verify();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("the last 5 record(s) were removed").contains("ends after record 20");
    }

    @Test
    void an_emptied_log_is_reported() throws Exception {
        write(3);
        Files.write(auditFile(), new byte[0]);
        Loki.Result r = verify();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("emptied");
    }

    @Test
    void a_deleted_log_and_even_a_deleted_audit_folder_are_reported() throws Exception {
        write(3);
        Files.delete(auditFile());
        Loki.Result r = verify();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("deleted");

        dev.loki.store.FileTrees.delete(loki.resolve("audit"));
        Loki.Result all = verify("--json");
        assertThat(all.exit()).isEqualTo(1);
        assertThat(all.json().path("tail").path("status").asText()).isEqualTo("deleted");
        assertThat(all.json().path("tail").path("head_file").asText()).startsWith(home.toString());
    }

    @Test
    void an_older_head_put_back_with_a_log_cut_to_match_is_caught_by_the_copy_in_home() throws Exception {
        write(3);
        Path f = auditFile();
        List<String> atThree = Files.readAllLines(f);
        String headAtThree = Files.readString(loki.resolve("audit/head.json"));
        write(2);
        Files.write(f, atThree);
        Files.writeString(loki.resolve("audit/head.json"), headAtThree);
        Loki.Result r = verify();
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("the last 2 record(s) were removed");
    }

    @Test
    void an_edited_head_fails_its_key_check() throws Exception {
        write(3);
        Path head = loki.resolve("audit/head.json");
        String edited = Files.readString(head).replaceAll("\"records\"\\s*:\\s*3", "\"records\": 2");
        assertThat(edited).contains("\"records\": 2");
        Files.writeString(head, edited);
        Loki.Result r = verify();
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("does not match its key");
    }

    @Test
    void a_record_appended_after_a_cut_does_not_heal_it() throws Exception {
        write(4);
        Path f = auditFile();
        Files.write(f, Files.readAllLines(f).subList(0, 2));
        write(1);
        Loki.Result r = verify();
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("line 3").contains("prev_hash does not match");
    }

    @Test
    void a_missing_key_means_nothing_about_the_end_can_be_proven() throws Exception {
        write(2);
        Files.delete(home.resolve(".loki/keys/audit.key"));
        Loki.Result r = verify();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("key").contains("missing");
    }

    @Test
    void a_log_from_before_heads_verifies_with_a_warning_and_the_next_record_anchors_a_head() throws Exception {
        write(3);
        Files.delete(loki.resolve("audit/head.json"));
        dev.loki.store.FileTrees.delete(home.resolve(".loki/audit-heads"));
        Loki.Result r = verify();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("Warning").contains("cannot be detected");
        write(1);
        assertThat(verify("--json").json().path("tail").path("head_records").asLong()).isEqualTo(4);
        Path f = auditFile();
        Files.write(f, Files.readAllLines(f).subList(0, 3));
        assertThat(verify().exit()).isEqualTo(1);
    }
}
