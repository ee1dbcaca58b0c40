package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.dashboard.audit.AuditLog;
import dev.loki.dashboard.audit.AuditRecord;
import dev.loki.dashboard.audit.AuditVerifier;
import dev.loki.dashboard.auth.LoginTickets;
import dev.loki.dashboard.auth.Scope;
import dev.loki.dashboard.auth.TokenStore;
import dev.loki.store.LokiDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token file and the audit chain stay whole under concurrent writers (two stores = two processes' view). */
class ConcurrentWritersTest {
    @TempDir
    Path tmp;

    LokiDir loki() {
        return new LokiDir(tmp.resolve(".loki"), tmp).ensureExists();
    }

    @Test
    void two_audit_writers_never_fork_the_chain() throws Exception {
        LokiDir loki = loki();
        AuditLog a = new AuditLog(loki, Map.of());
        AuditLog b = new AuditLog(loki, Map.of());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            AuditLog log = t % 2 == 0 ? a : b;
            int n = t;
            fs.add(pool.submit(() -> {
                for (int i = 0; i < 15; i++) {
                    log.record(new AuditRecord("w" + n, "test", "write", "r" + i, 200, "", ""));
                }
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        AuditVerifier.Report r = AuditVerifier.verify(a);
        assertThat(r.valid()).as(r.toString()).isTrue();
        assertThat(r.records()).isEqualTo(60);
        assertThat(a.latestHash()).contains(r.latestHash());
    }

    @Test
    void concurrent_token_creation_loses_no_token_and_stores_only_hashes() throws Exception {
        LokiDir loki = loki();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<String>> fs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            TokenStore store = new TokenStore(loki);
            int n = i;
            fs.add(pool.submit(() -> store.create("t" + n, Scope.READ, Optional.empty())));
        }
        List<String> secrets = new ArrayList<>();
        for (Future<String> f : fs) {
            secrets.add(f.get());
        }
        pool.shutdown();
        TokenStore fresh = new TokenStore(loki);
        assertThat(fresh.list()).hasSize(12);
        String file = Files.readString(fresh.file());
        for (String s : secrets) {
            assertThat(fresh.verify(s)).isPresent();
            assertThat(file).doesNotContain(s);
        }
        assertThat(Files.getPosixFilePermissions(fresh.file())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(fresh.verify("loki_" + "A".repeat(43))).isEmpty();
    }

    @Test
    void a_login_ticket_works_once_and_not_after_it_expires() throws Exception {
        LokiDir loki = loki();
        LoginTickets tickets = new LoginTickets(loki);
        String t = tickets.mint(Duration.ofMinutes(5));
        assertThat(new LoginTickets(loki).consume(t)).isTrue();
        assertThat(tickets.consume(t)).isFalse();
        String expired = tickets.mint(Duration.ofMillis(-1));
        assertThat(tickets.consume(expired)).isFalse();
        assertThat(Files.readString(loki.resolve("dashboard/login-tickets.json"))).doesNotContain(t);
    }
}
