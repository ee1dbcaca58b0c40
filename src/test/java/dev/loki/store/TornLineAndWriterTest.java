package dev.loki.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Appends after a torn line, and telling a live writer from a dead or reused pid. */
class TornLineAndWriterTest {
    @TempDir
    Path tmp;

    @Test
    void an_append_after_a_cut_line_starts_on_a_new_line_and_a_whole_file_gets_no_blank_line() throws Exception {
        Path f = tmp.resolve("sub/log.jsonl");
        AtomicFiles.append(f, "{\"a\":1}\n".getBytes(StandardCharsets.UTF_8));
        AtomicFiles.append(f, "{\"b\":2}\n".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readAllLines(f)).containsExactly("{\"a\":1}", "{\"b\":2}");
        Files.writeString(f, "{\"a\":1}\n{\"b\":", StandardCharsets.UTF_8);
        AtomicFiles.append(f, "{\"c\":3}\n".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readAllLines(f)).containsExactly("{\"a\":1}", "{\"b\":", "{\"c\":3}");

        new EventLog(tmp.resolve("events.jsonl")).append("one", null);
        Files.writeString(tmp.resolve("events.jsonl"), "{\"cut", java.nio.file.StandardOpenOption.APPEND);
        new EventLog(tmp.resolve("events.jsonl")).append("two", null);
        List<com.fasterxml.jackson.databind.JsonNode> events = new EventLog(tmp.resolve("events.jsonl")).tail(10);
        assertThat(events).extracting(n -> n.path("type").asText()).containsExactly("one", "two");
    }

    @Test
    void a_writer_is_alive_only_with_its_own_start_time() throws Exception {
        WriterPid self = WriterPid.current();
        assertThat(self.alive()).isTrue();
        assertThat(WriterPid.parse(self.format())).contains(self);
        WriterPid reused = new WriterPid(self.pid(), Optional.of(Instant.parse("2001-01-01T00:00:00Z")));
        assertThat(reused.alive()).as("same pid, another process").isFalse();
        Process p = new ProcessBuilder("true").start();
        p.waitFor(10, TimeUnit.SECONDS);
        assertThat(new WriterPid(p.pid(), Optional.empty()).alive()).isFalse();
        assertThat(WriterPid.parse("garbage")).isEmpty();
    }
}
