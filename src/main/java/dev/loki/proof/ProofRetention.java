package dev.loki.proof;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.FileTrees;
import dev.loki.store.LokiDir;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the newest {@code LOKI_PROOF_RETENTION} proofs loki wrote (default {@value #DEFAULT}; 0
 * keeps all) and deletes the older ones together with their snapshot refs
 * ({@code refs/loki/proofs/<run>}) in the private store, plus any proof ref whose proof is gone.
 * Proofs loki did not write (legacy ones: no {@code verification} block) are the user's files and
 * are never pruned.
 */
public final class ProofRetention {
    static final int DEFAULT = 50;

    /** What a pass removed. */
    public record Report(List<String> removedProofs, List<String> removedRefs, List<String> notes) {
    }

    private ProofRetention() {
    }

    static int retention(Map<String, String> env) {
        String v = env.getOrDefault("LOKI_PROOF_RETENTION", "");
        try {
            return v.isBlank() ? DEFAULT : Math.max(0, Integer.parseInt(v.strip()));
        } catch (NumberFormatException e) {
            return DEFAULT;
        }
    }

    /** One pass; {@code protect} (the proof just written) is never removed. */
    public static Report prune(LokiDir dir, Map<String, String> env, Set<String> protect) {
        int keep = retention(env);
        ProofStore store = new ProofStore(dir);
        List<ProofStore.Entry> all = store.list();
        List<ProofStore.Entry> ours = new ArrayList<>();
        for (ProofStore.Entry e : all) {
            boolean lokiWrote = e.proof().map(p -> !SharePolicy.isLegacy(p)).orElse(false);
            if (lokiWrote) {
                ours.add(e);
            }
        }
        // newest first, by when the proof says it was generated, then by id
        ours.sort(Comparator.comparing((ProofStore.Entry e) -> generatedAt(e.proof().orElseThrow())).reversed()
                .thenComparing(Comparator.comparing(ProofStore.Entry::id).reversed()));
        List<String> removed = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (keep > 0) {
            int kept = 0;
            for (ProofStore.Entry e : ours) {
                if (protect.contains(e.id()) || kept < keep) {
                    kept++;
                    continue;
                }
                try {
                    FileTrees.delete(store.dirOf(e.id()));
                    removed.add(e.id());
                } catch (RuntimeException | java.io.IOException ex) {
                    notes.add("could not delete the proof " + e.id() + ": " + ex.getMessage());
                }
            }
        }
        Set<String> remaining = new HashSet<>(protect);
        for (ProofStore.Entry e : all) {
            if (!removed.contains(e.id())) {
                remaining.add(e.id());
            }
        }
        List<String> refs = FilesChanged.pruneRefs(dir, env, remaining, notes);
        return new Report(removed, refs, notes);
    }

    private static String generatedAt(JsonNode p) {
        return p.path("generated_at").asText("");
    }
}
