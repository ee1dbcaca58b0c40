package dev.loki.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes the JSON files of .loki. Reads never fail the caller: a missing file is
 * empty; a corrupt one is moved aside as {@code <name>.corrupt.<epoch>} (so nobody overwrites
 * the evidence) and reported once as a warning.
 */
public final class JsonFiles {
    private static final Logger LOG = LoggerFactory.getLogger(JsonFiles.class);

    private JsonFiles() {
    }

    public static Optional<JsonNode> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.warn("cannot read {}: {}", file, e.getMessage());
            return Optional.empty();
        }
        try {
            JsonNode node = Json.parse(text);
            if (node == null || node.isMissingNode()) {
                throw new JsonProcessingException("empty document") { };
            }
            return Optional.of(node);
        } catch (JsonProcessingException e) {
            quarantine(file);
            return Optional.empty();
        }
    }

    /** Parses without side effects; for files loki does not own (e.g. checkpoint copies). */
    public static Optional<JsonNode> peek(Path file) {
        try {
            JsonNode node = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
            return node == null || node.isMissingNode() ? Optional.empty() : Optional.of(node);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public static void write(Path file, Object value) throws IOException {
        AtomicFiles.writeString(file, Json.pretty(value) + "\n");
    }

    /** Moves a corrupt file aside and returns where it went. */
    public static Optional<Path> quarantine(Path file) {
        Path aside = file.resolveSibling(file.getFileName() + ".corrupt." + System.currentTimeMillis() / 1000);
        try {
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            LOG.warn("{} was not valid JSON; kept it as {} and went on without it", file, aside.getFileName());
            return Optional.of(aside);
        } catch (IOException e) {
            LOG.warn("{} is not valid JSON and could not be moved aside: {}", file, e.getMessage());
            return Optional.empty();
        }
    }
}
