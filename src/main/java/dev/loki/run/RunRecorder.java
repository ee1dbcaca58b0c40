package dev.loki.run;

import dev.loki.store.LokiDir;
import dev.loki.store.RunRecord;
import java.io.IOException;
import java.time.Instant;

/** Keeps the run record ({@code state/run.json} and {@code runs/<id>/run.json}) up to date. */
public final class RunRecorder {
    private final LokiDir dir;
    private RunRecord record;

    public RunRecorder(LokiDir dir, RunRecord record) {
        this.dir = dir;
        this.record = record;
    }

    public synchronized RunRecord record() {
        return record;
    }

    public synchronized void checkpoint(String id) throws IOException {
        record = record.withCheckpoint(id);
        record.save(dir);
    }

    public synchronized void iterations(int n) throws IOException {
        if (record.iterations() != n) {
            record = record.withIterations(n);
            record.save(dir);
        }
    }

    public synchronized RunRecord end(String status, String reason) throws IOException {
        record = record.ended(Instant.now().toString(), status, reason);
        record.save(dir);
        return record;
    }
}
