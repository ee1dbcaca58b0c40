package dev.loki.mcp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file an MCP caller names by a path inside the project. The check is made on the real path
 * (links resolved), not on the spelling: a symbolic link in the project that leads out of it
 * would otherwise hand an outside file (a key, a secret) to whatever reads the path next.
 */
final class ProjectPath {
    private ProjectPath() {
    }

    /**
     * The existing regular file {@code rel} names inside {@code workTree}; {@code what} names the
     * argument in the one-sentence refusal ("The spec must be inside the project...").
     */
    static Path existingFile(Path workTree, String rel, String what) {
        Path p = workTree.resolve(rel).normalize();
        if (!p.startsWith(workTree.normalize())) {
            throw ToolError.badInput("The " + what + " must be inside the project: " + rel + ".");
        }
        if (!Files.isRegularFile(p)) {
            throw ToolError.notFound(capitalized(what) + " file not found: " + rel + ".");
        }
        Path real;
        Path root;
        try {
            real = p.toRealPath();
            root = workTree.toRealPath();
        } catch (IOException e) {
            throw ToolError.notFound(capitalized(what) + " file not found: " + rel + ".");
        }
        if (!real.startsWith(root)) {
            throw ToolError.badInput("The " + what + " must be inside the project, and " + rel
                    + " is a symbolic link (or passes through one) that leads out of it.");
        }
        return real;
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
