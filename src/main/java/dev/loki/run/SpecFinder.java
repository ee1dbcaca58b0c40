package dev.loki.run;

import dev.loki.LokiException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Which spec a run works from: the argument, else {@code LOKI_PRD_FILE}, else upstream's auto-detect list. */
public final class SpecFinder {
    static final List<String> CANDIDATES;

    static {
        List<String> c = new ArrayList<>(List.of("PRD.md", "prd.md", "PRD.json", "prd.json", "REQUIREMENTS.md",
                "requirements.md", "requirements.json", "SPEC.md", "spec.md", "spec.json"));
        for (String n : List.of("PRD", "prd", "REQUIREMENTS", "requirements", "SPEC", "spec")) {
            c.add("docs/" + n + ".md");
            c.add("docs/" + n + ".json");
        }
        c.addAll(List.of(".github/PRD.md", ".github/PRD.json", "PROJECT.md", "project.md", "project.json"));
        CANDIDATES = List.copyOf(c);
    }

    private SpecFinder() {
    }

    public static Path resolve(Optional<Path> given, Optional<String> envFile, Path cwd, Path workTree) {
        Optional<Path> explicit = given.or(() -> envFile.map(Path::of));
        if (explicit.isPresent()) {
            Path p = cwd.resolve(explicit.get()).normalize();
            if (Files.isDirectory(p)) {
                throw LokiException.failed("The spec " + explicit.get() + " is a directory: pass the PRD file inside it");
            }
            if (!Files.isRegularFile(p)) {
                throw LokiException.failed("PRD file not found: " + explicit.get());
            }
            return p;
        }
        for (Path base : List.of(cwd, workTree)) {
            for (String name : CANDIDATES) {
                Path p = base.resolve(name);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        throw LokiException.failed("No spec found: pass one (loki start path/to/PRD.md), create PRD.md, or use"
                + " loki quick \"<task>\" for a small task.");
    }

    /** A spec's text; {@code replaced}: it was not valid UTF-8 and unreadable bytes became U+FFFD. */
    public record Text(String text, boolean replaced) {
        /** The warning to log when bytes were replaced. */
        public String warning(String specPath) {
            return "The spec " + specPath + " is not valid UTF-8 (Latin-1 or binary?): its unreadable bytes were"
                    + " replaced with \uFFFD; save it as UTF-8 to give the agent every character";
        }
    }

    /**
     * Reads a spec as UTF-8. A spec in another encoding (a Latin-1 "café" from an old editor) is
     * read with its unreadable bytes replaced, not refused with an internal error.
     */
    public static Text read(Path spec) throws java.io.IOException {
        byte[] bytes = Files.readAllBytes(spec);
        java.nio.charset.CharsetDecoder strict = java.nio.charset.StandardCharsets.UTF_8.newDecoder();
        try {
            return new Text(strict.decode(java.nio.ByteBuffer.wrap(bytes)).toString(), false);
        } catch (java.nio.charset.CharacterCodingException e) {
            return new Text(new String(bytes, java.nio.charset.StandardCharsets.UTF_8), true);
        }
    }
}
