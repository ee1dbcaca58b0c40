package dev.loki.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.Ids;
import dev.loki.store.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A tool call's arguments, checked against the tool's schema with one clear sentence per
 * problem: unknown names, wrong types, out-of-range numbers, malformed ids.
 */
final class Args {
    private final String tool;
    private final ObjectNode values;

    private Args(String tool, ObjectNode values) {
        this.tool = tool;
        this.values = values;
    }

    static Args of(String tool, ObjectNode schema, Map<String, Object> raw) {
        ObjectNode v = raw == null ? Json.object() : Json.MAPPER.valueToTree(raw);
        JsonNode props = schema.path("properties");
        for (Iterator<String> it = v.fieldNames(); it.hasNext();) {
            String name = it.next();
            if (!props.has(name)) {
                throw ToolError.badInput(tool + " has no argument '" + name + "'; it takes: "
                        + (props.isEmpty() ? "no arguments" : String.join(", ", names(props))) + ".");
            }
        }
        for (JsonNode r : schema.path("required")) {
            JsonNode x = v.get(r.asText());
            if (x == null || x.isNull() || (x.isTextual() && x.asText().isBlank())) {
                throw ToolError.badInput(tool + " needs the argument '" + r.asText() + "'.");
            }
        }
        Args a = new Args(tool, v);
        props.fields().forEachRemaining(e -> a.check(e.getKey(), e.getValue()));
        return a;
    }

    private static List<String> names(JsonNode props) {
        List<String> out = new ArrayList<>();
        props.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private void check(String name, JsonNode spec) {
        JsonNode x = values.get(name);
        if (x == null || x.isNull()) {
            return;
        }
        switch (spec.path("type").asText()) {
            case "string" -> {
                if (!x.isTextual()) {
                    throw bad(name, "must be a string");
                }
                if (x.asText().length() > spec.path("maxLength").asInt(Integer.MAX_VALUE)) {
                    throw bad(name, "is longer than " + spec.path("maxLength").asInt() + " characters");
                }
                if (spec.has("pattern") && !Ids.isSafe(x.asText())) {
                    throw bad(name, "must be 1-128 letters, digits, '-' or '_'");
                }
                if (spec.has("enum")) {
                    List<String> allowed = new ArrayList<>();
                    spec.path("enum").forEach(e -> allowed.add(e.asText()));
                    if (!allowed.contains(x.asText())) {
                        throw bad(name, "must be one of " + String.join(", ", allowed));
                    }
                }
            }
            case "integer" -> {
                if (!x.canConvertToInt() || !(x.isIntegralNumber() || x.isDouble() && x.asDouble() == x.asInt())) {
                    throw bad(name, "must be a whole number");
                }
                int n = x.asInt();
                if (n < spec.path("minimum").asInt(Integer.MIN_VALUE) || n > spec.path("maximum").asInt(Integer.MAX_VALUE)) {
                    throw bad(name, "must be between " + spec.path("minimum").asInt() + " and "
                            + spec.path("maximum").asInt());
                }
            }
            case "boolean" -> {
                if (!x.isBoolean()) {
                    throw bad(name, "must be true or false");
                }
            }
            case "array" -> {
                if (!x.isArray()) {
                    throw bad(name, "must be a list of strings");
                }
                if (x.size() > spec.path("maxItems").asInt(Integer.MAX_VALUE)) {
                    throw bad(name, "has more than " + spec.path("maxItems").asInt() + " items");
                }
                for (JsonNode i : x) {
                    if (!i.isTextual() || i.asText().length() > 100) {
                        throw bad(name, "must hold strings of at most 100 characters");
                    }
                }
            }
            default -> {
            }
        }
    }

    private ToolError bad(String name, String what) {
        return ToolError.badInput(tool + ": '" + name + "' " + what + ".");
    }

    String string(String name) {
        return values.path(name).asText("");
    }

    Optional<String> optional(String name) {
        String s = values.path(name).asText("");
        return s.isBlank() ? Optional.empty() : Optional.of(s.strip());
    }

    int integer(String name, int dflt) {
        JsonNode x = values.get(name);
        return x == null || x.isNull() ? dflt : x.asInt();
    }

    boolean flag(String name) {
        return values.path(name).asBoolean(false);
    }

    List<String> strings(String name) {
        List<String> out = new ArrayList<>();
        values.path(name).forEach(x -> out.add(x.asText()));
        return out;
    }
}
