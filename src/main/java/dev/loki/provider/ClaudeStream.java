package dev.loki.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads Claude Code's {@code --output-format stream-json} output: one JSON object per line of
 * type {@code system} (init, with the model), {@code assistant} (text and tool_use blocks),
 * {@code user} (tool results), {@code stream_event} (partial text) and a final {@code result}
 * carrying {@code is_error}, {@code total_cost_usd} and {@code usage}. Lines that are not JSON
 * (stderr, a crash trace) are kept as text.
 */
public final class ClaudeStream {
    private final StringBuilder text = new StringBuilder();
    private String model;
    private int toolUses;
    private boolean sawResult;
    private boolean isError;
    private String resultText = "";
    private Optional<Double> cost = Optional.empty();
    private long input;
    private long output;
    private long cacheRead;
    private long cacheCreation;

    private ClaudeStream(String defaultModel) {
        this.model = defaultModel;
    }

    /** Parses a capture file; a missing file parses as an empty stream. */
    public static ClaudeStream parse(Path capture, String defaultModel) throws IOException {
        ClaudeStream s = new ClaudeStream(defaultModel);
        if (!Files.isRegularFile(capture)) {
            return s;
        }
        try (BufferedReader r = Files.newBufferedReader(capture, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                s.accept(line);
            }
        } catch (java.nio.charset.MalformedInputException e) {
            // binary garbage in the capture: keep what was read so far
        }
        return s;
    }

    void accept(String line) {
        String t = line.strip();
        if (t.isEmpty()) {
            return;
        }
        if (!t.startsWith("{")) {
            appendText(line);
            return;
        }
        JsonNode n;
        try {
            n = Json.parse(t);
        } catch (IOException e) {
            appendText(line);
            return;
        }
        switch (n.path("type").asText("")) {
            case "system" -> {
                if (n.hasNonNull("model")) {
                    model = n.get("model").asText();
                }
            }
            case "assistant" -> assistant(n.path("message"));
            case "result" -> result(n);
            default -> {
                // user (tool results), stream_event (partial text repeated in assistant), hooks
            }
        }
    }

    private void assistant(JsonNode message) {
        if (message.hasNonNull("model")) {
            model = message.get("model").asText();
        }
        for (JsonNode block : message.path("content")) {
            String type = block.path("type").asText("");
            if (type.equals("text")) {
                appendText(block.path("text").asText(""));
            } else if (type.equals("tool_use")) {
                toolUses++;
            }
        }
    }

    private void result(JsonNode n) {
        sawResult = true;
        isError = n.path("is_error").asBoolean(false) || n.path("subtype").asText("").startsWith("error");
        if (n.hasNonNull("result")) {
            resultText = n.get("result").asText();
            appendText(resultText);
        }
        JsonNode c = n.hasNonNull("total_cost_usd") ? n.get("total_cost_usd") : n.get("cost_usd");
        if (c != null && c.isNumber()) {
            cost = Optional.of(c.asDouble());
        }
        JsonNode u = n.path("usage");
        input = u.path("input_tokens").asLong(input);
        output = u.path("output_tokens").asLong(output);
        cacheRead = u.path("cache_read_input_tokens").asLong(cacheRead);
        cacheCreation = u.path("cache_creation_input_tokens").asLong(cacheCreation);
        JsonNode mu = n.path("modelUsage");
        if (mu.isObject() && mu.size() > 0) {
            model = mu.fieldNames().next();
        }
    }

    /**
     * A one-shot question's answer: the {@code result} event's text (what {@code --output-format
     * text} prints), else everything read as text (no result: a crash, stderr).
     */
    public ProviderOutput toAnswer(int processExit) {
        String answer = resultText.isBlank() ? text() : resultText;
        return new ProviderOutput(exitFor(processExit), answer, usage(), toolUses);
    }

    private void appendText(String s) {
        if (text.length() < 1_000_000) {
            text.append(s).append('\n');
        }
    }

    public String text() {
        return text.toString();
    }

    public boolean sawResult() {
        return sawResult;
    }

    public boolean isError() {
        return isError;
    }

    public int toolUses() {
        return toolUses;
    }

    public Usage usage() {
        return new Usage(model, input, output, cacheRead, cacheCreation, cost);
    }

    /** Upstream's rule: the exit code is 1 when the result reports an error, else the process's. */
    public ProviderOutput toOutput(int processExit) {
        return new ProviderOutput(exitFor(processExit), text(), usage(), toolUses);
    }

    /** Upstream's rule for both: 1 when the result reports an error, else the process's own code. */
    private int exitFor(int processExit) {
        return sawResult && isError ? 1 : processExit;
    }
}
