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
}
