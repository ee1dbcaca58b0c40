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

    /** Records an iteration's checkpoint (and the iteration count) in one write. */
    public synchronized void checkpoint(String id, int iterations) throws IOException {
        record = record.withCheckpoint(id).withIterations(iterations);
        record.save(dir);
    }

    public synchronized RunRecord end(String status, String reason, int iterations) throws IOException {
        record = record.withIterations(iterations).ended(Instant.now().toString(), status, reason);
        record.save(dir);
        return record;
    }
}
