package dev.loki.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prompt's parts and the PRD task queue. */
class PromptAndQueueTest {
    private static final String PRD = """
            # Shop

            ## Overview

            - this bullet is only an overview and never a task

            ## Features

            - Users can sign up with an email address
            - Users can reset a forgotten password
              - nested detail is not a task
            - short
            1. Admins can list every order placed

            ## Deployment

            - Ship it as a docker image somewhere
            """;

    @TempDir
    Path base;

    private LokiDir dir() throws Exception {
        LokiDir d = new LokiDir(base.resolve(".loki"), base);
        Files.createDirectories(d.resolve("queue"));
        return d;
    }

    @Test
    void prd_features_become_prioritised_tasks_once_and_earlier_tasks_are_kept() throws Exception {
        LokiDir d = dir();
        Files.writeString(d.resolve("queue/pending.json"), "{\"tasks\": [{\"id\": \"mine\", \"title\": \"keep me\"}]}");
        assertThat(PrdTasks.populate(d, PRD)).isEqualTo(3);
        JsonNode tasks = Json.parse(Files.readString(d.resolve("queue/pending.json"))).path("tasks");
        assertThat(tasks).hasSize(4);
        assertThat(tasks.get(0).path("id").asText()).isEqualTo("mine");
        assertThat(tasks.get(1).path("id").asText()).isEqualTo("prd-001");
        assertThat(tasks.get(1).path("title").asText()).isEqualTo("Users can sign up with an email address");
        assertThat(tasks.get(3).path("title").asText()).isEqualTo("Admins can list every order placed");
        assertThat(tasks.get(3).path("priority").asText()).isEqualTo("high");
        assertThat(tasks.get(1).path("project").asText()).isEqualTo("Shop");
        assertThat(PrdTasks.populate(d, PRD)).isZero();
    }

    @Test
    void prompt_carries_retry_directive_gate_failures_three_tasks_and_completion_instructions() throws Exception {
        LokiDir d = dir();
        Files.writeString(d.resolve("queue/in-progress.json"), "[{\"id\": \"t1\", \"type\": \"fix\","
                + " \"payload\": {\"action\": \"fix the build\"}}]");
        StringBuilder pending = new StringBuilder("[");
        for (int i = 1; i <= 5; i++) {
            pending.append(i > 1 ? "," : "").append("{\"id\": \"prd-00").append(i).append("\", \"title\": \"task ")
                    .append(i).append("\", \"source\": \"prd\", \"acceptance_criteria\": [\"works\"]}");
        }
        Files.writeString(d.resolve("queue/pending.json"), pending.append("]").toString());
        String p = new PromptBuilder(d).build(new PromptBuilder.Inputs("PRD.md", "the spec body", 4, 10, 2,
                Optional.of("use tabs"), "test_coverage,", RunSettings.DEFAULT_PROMISE, false, false));

        assertThat(p).startsWith("<loki_system>\nLoki Mode with PRD at PRD.md");
        assertThat(p.indexOf("</loki_system>")).isLessThan(p.indexOf("<dynamic_context iteration=\"4\" retry=\"2\">"));
        assertThat(p).contains("Resume iteration #4 (retry #2)", "HUMAN_DIRECTIVE (PRIORITY): use tabs",
                "QUALITY GATE FAILURES FROM PREVIOUS ITERATION: test_coverage,", "TASK[1] id=t1 type=fix: fix the build",
                "PENDING[3] prd-003: task 3\nAcceptance: works", "COMPLETION_PROMISE: [" + RunSettings.DEFAULT_PROMISE,
                "COMPLETION_REQUESTED", "Iteration 4 of max 10");
        assertThat(p).doesNotContain("PENDING[4]", "the spec body");

        String degraded = new PromptBuilder(d).build(new PromptBuilder.Inputs("PRD.md", "the spec body", 1, 10, 0,
                Optional.empty(), "", "", true, true));
        assertThat(degraded).contains("PRD contents:\nthe spec body", "NO COMPLETION PROMISE SET", "Tasks: ");
    }
}
