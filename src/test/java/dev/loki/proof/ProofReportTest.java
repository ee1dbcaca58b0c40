package dev.loki.proof;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import org.junit.jupiter.api.Test;

/** The HTML page shows the imported issue and the memories used, escaped like everything else. */
class ProofReportTest {

    @Test
    void the_page_shows_the_issue_its_criteria_and_the_memories_used() throws Exception {
        JsonNode proof = Json.parse("""
                {"run_id": "run-1", "issue": {"ref": "acme/app#12", "number": 12,
                  "title": "Add sub <script>alert(1)</script>", "url": "https://github.com/acme/app/issues/12",
                  "labels": ["enhancement"],
                  "acceptance_criteria": [{"text": "sub(a, b) returns a - b", "done": false},
                                          {"text": "docs & tests", "done": true}]},
                 "memories": [{"id": "ep-20261201-1", "kind": "episode", "title": "fixed the <b>parser</b>",
                               "first_iteration": 2, "uses": 3}]}
                """);
        String html = ProofReport.render(proof);
        String section = html.substring(html.indexOf("id=\"issue-and-memory\""), html.indexOf("id=\"details\""));
        assertThat(section).contains("GitHub issue acme/app#12: Add sub &lt;script&gt;alert(1)&lt;/script&gt;"
                + " - https://github.com/acme/app/issues/12 (labels: enhancement)");
        assertThat(section).contains("<td>sub(a, b) returns a - b</td><td>open</td>")
                .contains("<td>docs &amp; tests</td><td>checked</td>");
        assertThat(section).contains("<td>ep-20261201-1</td><td>episode</td><td>fixed the &lt;b&gt;parser&lt;/b&gt;</td>"
                + "<td>2</td><td>3</td>");
        assertThat(html).doesNotContain("<script>").doesNotContain("<b>parser");
    }

    @Test
    void a_run_without_an_issue_or_memories_says_so() throws Exception {
        String html = ProofReport.render(Json.parse("{\"run_id\": \"run-2\", \"memories\": []}"));
        assertThat(html).contains("This run was not started from an issue.")
                .contains("No memory of an earlier run went into this run's prompts.");
    }
}
