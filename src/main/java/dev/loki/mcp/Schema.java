package dev.loki.mcp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.Json;
import java.util.List;
import java.util.Map;

/**
 * A tool's input JSON schema, built field by field: an object with no other properties
 * allowed, so a misspelt argument is an error rather than silently ignored.
 */
final class Schema {
    private final ObjectNode root = Json.object();
    private final ObjectNode props;
    private final ArrayNode required;

    private Schema() {
        root.put("type", "object");
        props = root.putObject("properties");
        required = root.putArray("required");
        root.put("additionalProperties", false);
    }

    static Schema object() {
        return new Schema();
    }

    Schema string(String name, String description, boolean req, int maxLength) {
        ObjectNode p = props.putObject(name);
        p.put("type", "string");
        p.put("description", description);
        p.put("maxLength", maxLength);
        if (req) {
            p.put("minLength", 1);
            required.add(name);
        }
        return this;
    }

    /** An id: letters, digits, '-' and '_', as every id loki hands out. */
    Schema id(String name, String description, boolean req) {
        string(name, description, req, 128);
        ((ObjectNode) props.get(name)).put("pattern", "^[A-Za-z0-9_-]{1,128}$");
        return this;
    }

    Schema integer(String name, String description, int min, int max) {
        ObjectNode p = props.putObject(name);
        p.put("type", "integer");
        p.put("description", description);
        p.put("minimum", min);
        p.put("maximum", max);
        return this;
    }

    Schema bool(String name, String description) {
        ObjectNode p = props.putObject(name);
        p.put("type", "boolean");
        p.put("description", description);
        return this;
    }

    Schema enumeration(String name, String description, List<String> values, boolean req) {
        ObjectNode p = props.putObject(name);
        p.put("type", "string");
        p.put("description", description);
        ArrayNode e = p.putArray("enum");
        values.forEach(e::add);
        if (req) {
            required.add(name);
        }
        return this;
    }

    Schema strings(String name, String description, int maxItems) {
        ObjectNode p = props.putObject(name);
        p.put("type", "array");
        p.put("description", description);
        p.putObject("items").put("type", "string").put("maxLength", 100);
        p.put("maxItems", maxItems);
        return this;
    }

    ObjectNode node() {
        return root;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> asMap() {
        return Json.MAPPER.convertValue(root, Map.class);
    }
}
