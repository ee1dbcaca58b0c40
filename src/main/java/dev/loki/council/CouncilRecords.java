package dev.loki.council;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.AtomicFiles;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The council's files in upstream's layout: {@code votes/round-N.json},
 * {@code votes/devils-advocate-round-N.json}, {@code votes/iteration-N/{evidence.md,member-k.txt,contrarian.txt}},
 * {@code transcripts/iter-N-<ts>.json}, {@code report.md} and {@code gate-block.json}.
 * A file that cannot be written is logged; it never turns a decision into a crash.
 */
final class CouncilRecords {
    private static final Logger LOG = LoggerFactory.getLogger(CouncilRecords.class);

    /** Everything one session decided, for the files. */
    record Session(int iteration, int round, String timestamp, String specText, List<Ballot> ballots,
            DevilsAdvocate.Review devil, boolean contrarianTriggered, boolean contrarianFlipped, int approvals,
            int effectiveApprovals, int threshold, int size, CouncilDecision decision) {
    }

    private final Path council;

    CouncilRecords(LokiDir dir) {
        this.council = dir.resolve("council");
    }

    void evidence(int iteration, String evidence) {
        text(iterationDir(iteration).resolve("evidence.md"), evidence);
    }

    void memberAnswer(int iteration, int k, String prompt, Ballot b) {
        text(iterationDir(iteration).resolve("member-" + k + ".txt"), "=== PROMPT ===\n" + prompt
                + "\n=== ANSWER (" + b.rawVote() + " -> " + b.vote() + ") ===\n" + b.raw() + "\n");
    }

    void contrarianAnswer(int iteration, Ballot b) {
        text(iterationDir(iteration).resolve("contrarian.txt"), "=== ANSWER (" + b.rawVote() + " -> " + b.vote()
                + ") ===\n" + b.raw() + "\nREASON: " + b.reason() + "\n");
    }

    void gateBlock(int iteration, List<String> items) {
        ObjectNode o = Json.object();
        o.put("blocked", !items.isEmpty());
        o.put("iteration", iteration);
        o.put("timestamp", Instant.now().toString());
        o.put("reason", items.isEmpty() ? "" : "critical checklist items failing and not waived");
        ArrayNode arr = o.putArray("items");
        items.forEach(arr::add);
        json(council.resolve("gate-block.json"), o);
    }

    void write(Session s) {
        String verdict = s.decision().verdict() == CouncilDecision.Verdict.APPROVE ? "COMPLETE" : "CONTINUE";
        ObjectNode round = Json.object();
        round.put("round", s.round());
        round.put("timestamp", s.timestamp());
        round.put("iteration", s.iteration());
        round.put("complete_votes", s.approvals());
        round.put("continue_votes", s.size() - s.approvals());
        round.put("total_members", s.size());
        round.put("effective_approvals", s.effectiveApprovals());
        round.put("threshold", s.threshold());
        round.put("verdict", verdict);
        round.put("decision", s.decision().verdict().name());
        round.put("reason", s.decision().reason());
        ArrayNode votes = round.putArray("votes");
        for (int k = 0; k < s.ballots().size(); k++) {
            Ballot b = s.ballots().get(k);
            votes.addObject().put("member", k + 1).put("role", b.member()).put("vote", b.vote())
                    .put("reason", b.reason());
        }
        json(council.resolve("votes").resolve("round-" + s.round() + ".json"), round);
        if (s.contrarianTriggered()) {
            ObjectNode da = Json.object();
            da.put("round", s.round());
            da.put("timestamp", s.timestamp());
            ArrayNode v = da.putArray("vetoes");
            s.devil().vetoes().forEach(v::add);
            s.devil().contrarian().ifPresent(c -> da.put("contrarian_vote", c.vote()).put("contrarian_reason", c.reason()));
            da.put("flipped", s.contrarianFlipped());
            json(council.resolve("votes").resolve("devils-advocate-round-" + s.round() + ".json"), da);
        }
        transcript(s);
        report(s);
    }

    private void transcript(Session s) {
        String id = "iter-" + s.iteration() + "-" + s.timestamp().replace(":", "").replace(".", "");
        ObjectNode t = Json.object();
        t.put("iteration_id", id);
        t.put("iteration", s.iteration());
        t.put("timestamp", s.timestamp());
        String spec = s.specText().strip();
        t.put("task_or_prd", spec.length() > 200 ? spec.substring(0, 200) : spec);
        t.put("prd_path", "");
        ArrayNode voters = t.putArray("voters");
        for (int k = 0; k < s.ballots().size(); k++) {
            voter(voters, s.ballots().get(k), k, false);
        }
        s.devil().contrarian().ifPresent(c -> {
            ObjectNode v = voter(voters, c, s.ballots().size(), true);
            ArrayNode ch = v.putArray("challenges");
            s.devil().vetoes().forEach(ch::add);
            v.put("triggered", true);
        });
        if (s.devil().contrarian().isEmpty() && s.contrarianTriggered()) {
            ObjectNode v = voters.addObject();
            v.put("name", "devils-advocate").put("role_index", s.ballots().size()).put("verdict", Vote.REJECT)
                    .put("reasoning", String.join("; ", s.devil().vetoes())).putArray("issues");
            v.put("is_contrarian", true);
            ArrayNode ch = v.putArray("challenges");
            s.devil().vetoes().forEach(ch::add);
            v.put("triggered", true);
        }
        t.put("outcome", s.decision().verdict() == CouncilDecision.Verdict.APPROVE ? "APPROVED" : "REJECTED");
        t.put("decision", s.decision().verdict().name());
        t.put("contrarian_triggered", s.contrarianTriggered());
        t.put("contrarian_flipped", s.contrarianFlipped());
        t.put("approve_count", s.approvals());
        t.put("reject_count", s.size() - s.approvals());
        t.put("effective_approvals", s.effectiveApprovals());
        t.put("threshold", s.threshold());
        t.put("total_members", s.size());
        json(council.resolve("transcripts").resolve(id + ".json"), t);
    }

    private static ObjectNode voter(ArrayNode voters, Ballot b, int index, boolean contrarian) {
        ObjectNode v = voters.addObject();
        v.put("name", b.member());
        v.put("role_index", index);
        v.put("verdict", b.vote());
        v.put("reasoning", b.reason());
        ArrayNode issues = v.putArray("issues");
        b.issues().forEach(i -> issues.addObject().put("severity", i.severity().name()).put("description", i.description()));
        v.put("is_contrarian", contrarian);
        return v;
    }

    private void report(Session s) {
        StringBuilder sb = new StringBuilder("# Completion council report\n\n");
        sb.append("- Iteration: ").append(s.iteration()).append("\n- Round: ").append(s.round())
                .append("\n- Time: ").append(s.timestamp()).append("\n- Decision: **")
                .append(s.decision().verdict()).append("** - ").append(s.decision().reason())
                .append("\n- Approvals: ").append(s.approvals()).append(" of ").append(s.size())
                .append(" (after the devil's advocate: ").append(s.effectiveApprovals()).append(')')
                .append(" (needed ").append(s.threshold()).append(")\n\n## Votes\n\n");
        for (Ballot b : s.ballots()) {
            sb.append("- **").append(b.member()).append("**: ").append(b.vote()).append(" - ").append(b.reason()).append('\n');
            b.issues().forEach(i -> sb.append("  - ").append(i.severity()).append(": ").append(i.description()).append('\n'));
        }
        if (s.contrarianTriggered()) {
            sb.append("\n## Devil's advocate\n\n");
            s.devil().vetoes().forEach(v -> sb.append("- veto: ").append(v).append('\n'));
            s.devil().contrarian().ifPresent(c -> sb.append("- contrarian: ").append(c.vote()).append(" - ")
                    .append(c.reason()).append('\n'));
            sb.append("- flipped the outcome: ").append(s.contrarianFlipped()).append('\n');
        }
        text(council.resolve("report.md"), sb.toString());
    }

    /** A decision reached without voting (disabled council, hard gate, safety valve): report only. */
    void reportWithoutVotes(int iteration, CouncilDecision d) {
        text(council.resolve("report.md"), "# Completion council report\n\n- Iteration: " + iteration
                + "\n- Time: " + Instant.now() + "\n- Decision: **" + d.verdict() + "** - " + d.reason()
                + "\n- No vote was taken.\n");
    }

    private Path iterationDir(int iteration) {
        return council.resolve("votes").resolve("iteration-" + iteration);
    }

    private static void text(Path f, String s) {
        try {
            AtomicFiles.writeString(f, s);
        } catch (IOException e) {
            LOG.warn("could not write {}: {}", f, e.getMessage());
        }
    }

    private static void json(Path f, Object o) {
        try {
            JsonFiles.write(f, o);
        } catch (IOException e) {
            LOG.warn("could not write {}: {}", f, e.getMessage());
        }
    }
}
