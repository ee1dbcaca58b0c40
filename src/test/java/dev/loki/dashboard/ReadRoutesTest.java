package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.dashboard.auth.Scope;
import dev.loki.store.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read views over a .loki written in upstream's layout. */
class ReadRoutesTest {
    @TempDir
    static Path tmp;

    static ServerFixture f;
    static Api read;

    static void write(String rel, String content) throws Exception {
        Path p = f.loki.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    @BeforeAll
    static void up() throws Exception {
        f = ServerFixture.start(tmp, java.util.Map.of("LOKI_BUDGET_LIMIT", "10"));
        read = f.as(Scope.READ);
        write("state/orchestrator.json", "{\"currentPhase\": \"DEVELOPMENT\", \"iteration\": 2}");
        write("autonomy-state.json", "{\"iterationCount\": 4, \"status\": \"running\"}");
        write("state/provider", "claude\n");
        write("queue/pending.json", "[{\"id\": \"t1\", \"title\": \"Write tests\"}, {\"id\": \"t2\", \"title\": \"Docs\"}]");
        write("queue/in-progress.json", "{\"tasks\": [{\"id\": \"t3\", \"payload\": {\"description\": \"Build it\"}}]}");
        write("queue/completed.json", "[{\"id\": \"t1\", \"title\": \"duplicate of pending\"}]");
        write("queue/current-task.json", "{\"id\": \"t3\", \"title\": \"Build it\"}");
        write("metrics/efficiency/iteration-1.json", "{\"iteration\": 1, \"model\": \"sonnet\", \"phase\": \"DEV\","
                + " \"input_tokens\": 1000000, \"output_tokens\": 0}");
        write("metrics/efficiency/iteration-2.json", "{\"iteration\": 2, \"model\": \"opus\", \"phase\": \"DEV\","
                + " \"input_tokens\": 5, \"output_tokens\": 5, \"cost_usd\": 1.5}");
        write("metrics/efficiency/iteration-3.json", "{corrupt");
        for (int n : new int[] {9, 10, 2}) {
            write("council/transcripts/iter-" + n + "-1700000000.json", "{\"iteration_id\": \"iter-" + n
                    + "-1700000000\", \"iteration\": " + n + "}");
        }
        write("council/transcripts/iter-11-1700000000.json", "[\"not an object\"]");
        write("proofs/20260101T000000Z-aaaaaa/proof.json", "{\"run_id\": \"20260101T000000Z-aaaaaa\", \"cost\":"
                + " {\"usd\": 1.84}, \"files_changed\": {\"count\": 3}, \"council\": {\"final_verdict\": \"APPROVE\"}}");
        write("proofs/20260101T000000Z-aaaaaa/index.html", "<html><script>alert(1)</script></html>");
        write("proofs/20260202T000000Z-bbbbbb/proof.json", "{\"run_id\": \"20260202T000000Z-bbbbbb\"}");
        StringBuilder log = new StringBuilder();
        for (int i = 1; i <= 300; i++) {
            log.append("line ").append(i).append('\n');
        }
        write("logs/run.log", log.toString());
        for (int i = 0; i < 12; i++) {
            f.loki.events().append(i % 2 == 0 ? "iteration.start" : "gate.result", Json.object().put("n", i));
        }
        write("quality/latest.json", "{\"passed\": true}");
    }

    @AfterAll
    static void down() {
        f.close();
    }

    @Test
    void status_is_built_from_the_loops_files() {
        JsonNode s = read.get("/api/status").json();
        // the state file says running but no process holds the session: the run crashed (as loki status says)
        assertThat(s.path("status").asText()).isEqualTo("crashed");
        assertThat(s.path("phase").asText()).isEqualTo("DEVELOPMENT");
        assertThat(s.path("iteration").asInt()).isEqualTo(4);
        assertThat(s.path("provider").asText()).isEqualTo("claude");
        assertThat(s.path("current_task").asText()).isEqualTo("Build it");
        assertThat(s.path("pending_tasks").asInt()).isEqualTo(2);
        assertThat(s.path("budget").path("limit").asDouble()).isEqualTo(10.0);
        assertThat(s.path("budget").path("used").asDouble()).isEqualTo(4.5);
    }

    @Test
    void tasks_merge_the_queues_once_per_id_and_paginate() {
        JsonNode t = read.get("/api/tasks").json();
        assertThat(t.path("total").asInt()).isEqualTo(3);
        List<String> ids = new ArrayList<>();
        t.path("items").forEach(i -> ids.add(i.path("id").asText() + ":" + i.path("status").asText()));
        assertThat(ids).containsExactly("t1:pending", "t2:pending", "t3:in_progress");
        assertThat(t.path("items").get(2).path("description").asText()).isEqualTo("Build it");
        JsonNode page = read.get("/api/tasks?limit=1&offset=1").json();
        assertThat(page.path("items")).hasSize(1);
        assertThat(page.path("items").get(0).path("id").asText()).isEqualTo("t2");
        assertThat(read.get("/api/tasks?status=in_progress").json().path("total").asInt()).isEqualTo(1);
    }

    @Test
    void cost_prices_tokens_when_cost_is_missing_and_skips_corrupt_files() {
        JsonNode c = read.get("/api/cost").json();
        assertThat(c.path("estimated_cost_usd").asDouble()).isEqualTo(4.5);
        assertThat(c.path("total_input_tokens").asLong()).isEqualTo(1_000_005);
        assertThat(c.path("by_model").path("sonnet").asDouble()).isEqualTo(3.0);
        assertThat(c.path("budget_limit").asDouble()).isEqualTo(10.0);
        assertThat(c.path("budget_remaining").asDouble()).isEqualTo(5.5);
        assertThat(c.path("iterations_counted").asInt()).isEqualTo(2);
    }

    @Test
    void transcripts_sort_by_iteration_number_and_skip_corrupt_ones() {
        JsonNode t = read.get("/api/council/transcripts").json();
        List<String> ids = new ArrayList<>();
        t.path("transcripts").forEach(x -> ids.add(x.path("iteration_id").asText()));
        assertThat(ids).containsExactly("iter-10-1700000000", "iter-9-1700000000", "iter-2-1700000000");
        assertThat(t.path("latest_id").asText()).isEqualTo("iter-11-1700000000");
        assertThat(read.get("/api/council/transcripts?limit=1&offset=1").json().path("transcripts").get(0)
                .path("iteration_id").asText()).isEqualTo("iter-10-1700000000");
        assertThat(read.get("/api/council/transcripts?iter_min=10").json().path("total").asInt()).isEqualTo(2);
        assertThat(read.get("/api/council/transcripts/iter-9-1700000000").json().path("iteration").asInt())
                .isEqualTo(9);
        assertThat(read.get("/api/council/transcripts/iter-11-1700000000").status()).isEqualTo(410);
        assertThat(read.get("/api/council/transcripts/iter-99").status()).isEqualTo(404);
        assertThat(read.get("/api/council").json().path("enabled").asBoolean()).isFalse();
    }

    @Test
    void proofs_list_newest_first_and_their_html_is_sandboxed() {
        JsonNode p = read.get("/api/proofs").json();
        assertThat(p.path("total").asInt()).isEqualTo(2);
        JsonNode older = p.path("proofs").get(1);
        assertThat(p.path("proofs").get(0).path("run_id").asText()).isEqualTo("20260202T000000Z-bbbbbb");
        assertThat(older.path("cost_usd").asDouble()).isEqualTo(1.84);
        assertThat(older.path("files_changed").asInt()).isEqualTo(3);
        assertThat(older.path("final_verdict").asText()).isEqualTo("APPROVE");
        assertThat(older.path("has_html").asBoolean()).isTrue();
        assertThat(p.path("proofs").get(0).path("has_html").asBoolean()).isFalse();

        Api.Answer html = read.get("/api/proofs/20260101T000000Z-aaaaaa/html");
        assertThat(html.status()).isEqualTo(200);
        assertThat(html.header("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(html.header("Content-Security-Policy").orElseThrow()).startsWith("sandbox");
        assertThat(read.get("/api/proofs/20260202T000000Z-bbbbbb/html").status()).isEqualTo(404);
        assertThat(read.get("/api/proofs/20260101T000000Z-aaaaaa").json().path("cost").path("usd").asDouble())
                .isEqualTo(1.84);
    }

    @Test
    void logs_and_events_are_bounded_tails() {
        JsonNode l = read.get("/api/logs?lines=5").json();
        assertThat(l.path("lines")).hasSize(5);
        assertThat(l.path("lines").get(4).asText()).isEqualTo("line 300");
        assertThat(l.path("file").asText()).isEqualTo("run.log");
        assertThat(read.get("/api/logs").json().path("lines")).hasSize(100);

        JsonNode e = read.get("/api/events?limit=4").json();
        assertThat(e.path("items")).hasSize(4);
        assertThat(e.path("total").asInt()).isEqualTo(12);
        assertThat(e.path("items").get(0).path("data").path("n").asInt()).as("newest first").isEqualTo(11);
        assertThat(read.get("/api/events?type=gate").json().path("total").asInt()).isEqualTo(6);
        assertThat(read.get("/api/quality").json().path("latest").path("passed").asBoolean()).isTrue();
    }
}
