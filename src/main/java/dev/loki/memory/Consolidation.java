package dev.loki.memory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns repeated experience into patterns: a gate that failed and was fixed in two or more
 * runs becomes (or refreshes) one pattern naming how often and the latest fixes, under a fixed
 * id per gate so consolidating twice never duplicates it. Then the size cap is applied.
 */
public final class Consolidation {
    private static final Pattern FIXED = Pattern.compile("^Fixed: gate '([^']{1,60})'(.*)$", Pattern.MULTILINE);
    private static final int SCAN = 5000;

    /** What one consolidation did. */
    public record Report(int episodesProcessed, int patternsCreated, int patternsUpdated, int pruned) {
    }

    private Consolidation() {
    }

    public static Report run(MemoryStore store) {
        List<Memory> episodes = store.recent(SCAN, Optional.of(Memory.EPISODE));
        Map<String, List<String>> fixes = new LinkedHashMap<>();
        for (Memory e : episodes) {
            Matcher m = FIXED.matcher(e.body());
            while (m.find()) {
                fixes.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(e.runId() + m.group(2));
            }
        }
        List<Memory> patterns = new ArrayList<>();
        int created = 0;
        int updated = 0;
        for (Map.Entry<String, List<String>> f : fixes.entrySet()) {
            if (f.getValue().size() < 2) {
                continue;
            }
            String id = "pat-gate-" + f.getKey().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
            if (store.get(id).isPresent()) {
                updated++;
            } else {
                created++;
            }
            StringBuilder body = new StringBuilder("The '" + f.getKey() + "' gate failed and was fixed in "
                    + f.getValue().size() + " runs. Check it before claiming completion. Latest:");
            f.getValue().stream().limit(3).forEach(s -> body.append("\n- run ").append(s.strip()));
            patterns.add(new Memory(id, Memory.PATTERN, "Recurring gate failure: " + f.getKey(), body.toString(), "",
                    "", "", Instant.now(), List.of(), List.of("consolidated", "gate"), 0, "consolidation"));
        }
        if (!patterns.isEmpty()) {
            store.addAll(patterns);
        }
        int pruned = store.prune(store.settings().maxMemories());
        return new Report(episodes.size(), created, updated, pruned);
    }
}
