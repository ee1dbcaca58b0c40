package dev.loki.work;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.Json;
import java.util.ArrayList;
import java.util.List;

/** An imported GitHub issue: what {@code gh issue view --json} said, plus its acceptance criteria. */
public record Issue(String ref, int number, String title, String body, List<String> labels, String url,
        List<Criterion> criteria) {

    public Issue {
        labels = List.copyOf(labels);
        criteria = List.copyOf(criteria);
    }

    /** From gh's JSON ({@code number,title,body,labels,url}). */
    static Issue fromGh(IssueRef ref, JsonNode j) {
        List<String> labels = new ArrayList<>();
        for (JsonNode l : j.path("labels")) {
            String name = l.isTextual() ? l.asText() : l.path("name").asText("");
            if (!name.isEmpty()) {
                labels.add(name);
            }
        }
        String body = j.path("body").asText("");
        return new Issue(ref.toString(), j.path("number").asInt(ref.number()), oneLine(j.path("title").asText("")), body,
                labels, j.path("url").asText(""), AcceptanceCriteria.extract(body));
    }

    /**
     * A title as the commit subject, the PR title, the spec's heading and the console show it:
     * one line (line breaks and tabs become a space) with any other control character escaped,
     * so a hostile issue title cannot add lines to the spec (a fake "Acceptance criteria"), to
     * the commit message or to the console, nor send escape sequences to a terminal.
     */
    static String oneLine(String title) {
        return dev.loki.Quote.line(title.replaceAll("[\\s\\u2028\\u2029\\u0085]+", " ").strip());
    }

    /** What is saved under the run ({@code .loki/issue/issue.json}) and read by the proof. */
    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("ref", ref);
        o.put("number", number);
        o.put("title", title);
        o.put("url", url);
        ArrayNode l = o.putArray("labels");
        labels.forEach(l::add);
        ArrayNode ac = o.putArray("acceptance_criteria");
        for (Criterion c : criteria) {
            ObjectNode n = ac.addObject();
            n.put("text", c.text());
            n.put("done", c.done());
        }
        o.put("body", body);
        return o;
    }

    /** The spec the agent works from: title, link, labels, the criteria as a checklist, then the body. */
    public String toSpec() {
        StringBuilder s = new StringBuilder();
        s.append("# ").append(title.isBlank() ? "Issue " + ref : title).append("\n\n");
        s.append("GitHub issue ").append(ref).append(url.isEmpty() ? "" : " (" + url + ")").append('\n');
        if (!labels.isEmpty()) {
            s.append("Labels: ").append(String.join(", ", labels)).append('\n');
        }
        if (!criteria.isEmpty()) {
            s.append("\n## Acceptance criteria\n\n");
            for (Criterion c : criteria) {
                s.append("- [").append(c.done() ? 'x' : ' ').append("] ").append(c.text()).append('\n');
            }
        }
        s.append("\n## Issue description\n\n").append(body.isBlank() ? "(no description)" : body.strip()).append('\n');
        return s.toString();
    }
}
