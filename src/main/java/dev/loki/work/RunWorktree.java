package dev.loki.work;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One isolated run's git worktree: where it is, its branch, what it was started from and the
 * base it forked at. Saved as {@code .loki/work/worktree.json} inside the worktree.
 */
public record RunWorktree(String slug, Path path, String branch, String baseSha, String baseBranch, String source,
        String createdAt) {
    static final String FILE = "work/worktree.json";

    public LokiDir lokiDir() {
        return new LokiDir(path.resolve(".loki"), path);
    }

    void save() throws IOException {
        ObjectNode o = Json.object();
        o.put("slug", slug);
        o.put("branch", branch);
        o.put("base_sha", baseSha);
        o.put("base_branch", baseBranch);
        o.put("source", source);
        o.put("created_at", createdAt);
        JsonFiles.write(lokiDir().resolve(FILE), o);
    }

    static Optional<RunWorktree> load(Path path) {
        Optional<JsonNode> j = JsonFiles.peek(path.resolve(".loki").resolve(FILE));
        return j.map(o -> new RunWorktree(o.path("slug").asText(path.getFileName().toString()), path,
                o.path("branch").asText(""), o.path("base_sha").asText(""), o.path("base_branch").asText(""),
                o.path("source").asText(""), o.path("created_at").asText("")));
    }
}
