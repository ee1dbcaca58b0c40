package dev.loki.gate;

import dev.loki.store.AtomicFiles;
import dev.loki.store.JsonFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes of the gate result files under .loki/quality. A result file that cannot be written
 * is logged and skipped: a full disk must not turn into a gate failure or a crashed loop.
 */
final class QualityFiles {
    private static final Logger LOG = LoggerFactory.getLogger(QualityFiles.class);

    private QualityFiles() {
    }

    static void writeJson(Path file, Object value) {
        try {
            JsonFiles.write(file, value);
        } catch (IOException e) {
            LOG.warn("could not write {}: {}", file, e.getMessage());
        }
    }

    static void writeText(Path file, String text) {
        try {
            AtomicFiles.writeString(file, text);
        } catch (IOException e) {
            LOG.warn("could not write {}: {}", file, e.getMessage());
        }
    }

    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", file, e.getMessage());
        }
    }

    /**
     * Upstream's pair of markers: {@code quality/<passName>} on a pass, else
     * {@code signals/<failSignal>}; the other one is removed so they never contradict.
     */
    static void marker(Path qualityDir, String passName, String failSignal, boolean pass) {
        Path passFile = qualityDir.resolve(passName);
        Path signal = qualityDir.getParent().resolve("signals").resolve(failSignal);
        if (pass) {
            writeText(passFile, Instant.now() + "\n");
            delete(signal);
        } else {
            writeText(signal, Instant.now() + "\n");
            delete(passFile);
        }
    }
}
