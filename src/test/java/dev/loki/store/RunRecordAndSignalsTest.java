package dev.loki.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunRecordAndSignalsTest {
    @TempDir
    Path tmp;

    private LokiDir dir() {
        return LokiDir.locate(Optional.of(tmp.resolve(".loki")), Map.of(), tmp).ensureExists();
    }

    @Test
    void a_run_record_is_saved_as_current_and_per_run_and_keeps_upstream_style_keys() throws Exception {
        LokiDir d = dir();
        RunRecord r = new RunRecord("run-20261202-000000-abcd", "2026-12-02T00:00:00Z", null, "running", "claude",
                "PRD.md", "abc123", "def456", 0, 10, null, null);
        r.withCheckpoint("cp-1-1").withIterations(1).save(d);

        assertThat(Files.readString(d.resolve("state/run.json"))).contains("\"run_id\": \"run-20261202-000000-abcd\"",
                "\"base_snapshot\": \"def456\"", "\"checkpoint_ids\"");
        RunRecord back = RunRecord.load(d, "run-20261202-000000-abcd").orElseThrow();
        assertThat(back.checkpointIds()).containsExactly("cp-1-1");
        assertThat(back.iterations()).isEqualTo(1);
        assertThat(back.endedAt()).isEmpty();

        RunRecord ended = back.ended("2026-12-02T01:00:00Z", "completed", "council approved");
        ended.save(d);
        assertThat(RunRecord.current(d).orElseThrow().status()).isEqualTo("completed");
    }

    @Test
    void a_missing_or_corrupt_run_record_reads_as_none() throws Exception {
        LokiDir d = dir();
        assertThat(RunRecord.current(d)).isEmpty();
        Files.createDirectories(d.resolve("state"));
        Files.writeString(d.resolve("state/run.json"), "{not json");
        assertThat(RunRecord.current(d)).isEmpty();
        try (var s = Files.list(d.resolve("state"))) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).anyMatch(n -> n.startsWith("run.json.corrupt."));
        }
    }

    @Test
    void pause_resume_and_stop_write_and_clear_upstreams_files() throws Exception {
        LokiDir d = dir();
        Signals s = new Signals(d);
        s.requestPause();
        assertThat(d.resolve("PAUSE")).exists();
        assertThat(s.read(Signals.PAUSE).orElseThrow()).matches("\\d{4}-\\d\\d-\\d\\dT.*\\n");
        s.requestStop();
        s.raise(Signals.TASK_COMPLETION_CLAIMED, "done\n");
        assertThat(d.resolve("signals/TASK_COMPLETION_CLAIMED")).hasContent("done");

        s.requestResume();
        assertThat(List.of(d.resolve("PAUSE"), d.resolve("STOP"))).allMatch(p -> !Files.exists(p));
        assertThat(s.isSet(Signals.TASK_COMPLETION_CLAIMED)).isTrue();
        assertThat(s.clear(Signals.TASK_COMPLETION_CLAIMED)).isTrue();
        assertThat(s.clear(Signals.TASK_COMPLETION_CLAIMED)).isFalse();
    }
}
