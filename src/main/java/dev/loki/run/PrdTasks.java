package dev.loki.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.FileLocks;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a Markdown PRD into {@code prd-NNN} tasks in {@code queue/pending.json}, once per
 * project (sentinel {@code queue/.prd-populated}), as upstream does: bullets of feature-like
 * sections, else {@code ###} titles, else whole sections; the first third high priority, the
 * second medium, the rest low (all high with 3 or fewer). Existing tasks are kept.
 */
public final class PrdTasks {
    private static final List<String> SKIP = List.of("overview", "summary", "appendix", "tech stack", "deployment",
            "roadmap", "background", "glossary", "references", "non-goals", "out of scope", "success criteria",
            "constraints");
    private static final List<String> FEATURE = List.of("feature", "requirement", "api", "component", "phase",
            "user stor", "functional", "scope", "task", "milestone", "epic");
    private static final Pattern HEADING = Pattern.compile("^(#{1,3})\\s+(.*)$");
    private static final Pattern ITEM = Pattern.compile("^(?:[-*+]|\\d+[.)])\\s+(.*)$");

    private PrdTasks() {
    }

    private record Section(int level, String title, List<String> lines) {
    }

    /** Populates once; returns how many tasks were added. */
    public static int populate(LokiDir dir, String spec) throws IOException {
        Path sentinel = dir.resolve("queue/.prd-populated");
        Path pending = dir.resolve("queue/pending.json");
        try (FileLocks.Held lock = FileLocks.lockFor(pending, Duration.ofSeconds(10))) {
            if (Files.exists(sentinel)) {
                return 0;
            }
            List<ObjectNode> tasks = tasks(spec);
            JsonNode existing = JsonFiles.read(pending).orElse(Json.MAPPER.createArrayNode());
            ArrayNode list = existing.isArray() ? (ArrayNode) existing
                    : existing.path("tasks").isArray() ? (ArrayNode) existing.get("tasks") : Json.MAPPER.createArrayNode();
            Set<String> ids = new HashSet<>();
            list.forEach(t -> ids.add(t.path("id").asText()));
            int added = 0;
            for (ObjectNode t : tasks) {
                if (ids.add(t.get("id").asText())) {
                    list.add(t);
                    added++;
                }
            }
            if (existing.isObject()) {
                ((ObjectNode) existing).set("tasks", list);
                JsonFiles.write(pending, existing);
            } else {
                JsonFiles.write(pending, list);
            }
            dev.loki.store.AtomicFiles.writeString(sentinel, added + "\n");
            return added;
        }
    }

    static List<ObjectNode> tasks(String spec) {
        List<Section> sections = new ArrayList<>();
        String project = "";
        Section cur = new Section(0, "", new ArrayList<>());
        for (String line : spec.split("\\R")) {
            Matcher h = HEADING.matcher(line);
            if (h.matches()) {
                sections.add(cur);
                cur = new Section(h.group(1).length(), h.group(2).strip(), new ArrayList<>());
                if (cur.level() == 1 && project.isEmpty()) {
                    project = cur.title();
                }
            } else {
                cur.lines().add(line);
            }
        }
        sections.add(cur);
        List<String[]> found = new ArrayList<>();
        for (Section s : sections) {
            String t = s.title().toLowerCase(Locale.ROOT);
            if (s.level() <= 1 || SKIP.stream().anyMatch(t::contains) || FEATURE.stream().noneMatch(t::contains)) {
                continue;
            }
            for (String l : s.lines()) {
                Matcher m = ITEM.matcher(l);
                if (!l.startsWith(" ") && !l.startsWith("\t") && m.matches() && m.group(1).strip().length() > 10) {
                    found.add(new String[] {m.group(1).strip(), s.title(), String.join("\n", s.lines()).strip()});
                }
            }
        }
        if (found.isEmpty()) {
            for (Section s : sections) {
                if (s.level() == 3 && s.title().length() > 5 && SKIP.stream().noneMatch(s.title().toLowerCase(Locale.ROOT)::contains)) {
                    found.add(new String[] {s.title(), s.title(), String.join("\n", s.lines()).strip()});
                }
            }
        }
        if (found.isEmpty()) {
            for (Section s : sections) {
                String t = s.title().toLowerCase(Locale.ROOT);
                if (s.level() >= 2 && SKIP.stream().noneMatch(t::contains)) {
                    found.add(new String[] {s.title(), s.title(), String.join("\n", s.lines()).strip()});
                }
            }
        }
        List<ObjectNode> out = new ArrayList<>();
        int n = found.size();
        for (int i = 0; i < n; i++) {
            String[] f = found.get(i);
            ObjectNode t = Json.object();
            t.put("id", String.format("prd-%03d", i + 1));
            t.put("title", f[0]);
            t.put("description", f[0] + "\n" + Queue.cut(f[2], 500));
            t.put("priority", n <= 3 || i < n / 3.0 ? "high" : i < 2 * n / 3.0 ? "medium" : "low");
            t.put("status", "pending");
            t.put("source", "prd");
            t.put("project", project);
            t.putArray("acceptance_criteria").add(f[0]);
            t.put("user_story", "As a user, I want " + f[0] + ", so that the product delivers its core value.");
            out.add(t);
        }
        return out;
    }
}
