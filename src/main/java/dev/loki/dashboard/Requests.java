package dev.loki.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.Ids;
import dev.loki.store.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/** Reading request input strictly: bounded numbers, validated ids, JSON bodies only. */
public final class Requests {
    /** Largest request body any route accepts. */
    public static final int MAX_BODY = 64 * 1024;

    private Requests() {
    }

    /** A query parameter as an int in [min, max], {@code dflt} when absent; 400 otherwise. */
    public static int intParam(Context ctx, String name, int dflt, int min, int max) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.strip());
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("'" + name + "' must be a whole number from " + min + " to " + max);
        }
    }

    /** A path id checked against {@code ^[A-Za-z0-9_-]{1,128}$}; 400 otherwise. */
    public static String id(Context ctx, String name) {
        String id = ctx.pathParam(name);
        if (!Ids.isSafe(id)) {
            throw ApiError.badRequest("invalid " + name + ": use 1-128 letters, digits, '-' or '_'");
        }
        return id;
    }

    /**
     * The JSON object body; an empty body is an empty object. A body must be sent as
     * {@code application/json}, which also keeps cross-site HTML forms (which cannot send that
     * type without a CORS preflight) from reaching any state-changing route.
     */
    public static ObjectNode jsonBody(Context ctx) {
        byte[] body = ctx.bodyAsBytes();
        if (body.length > MAX_BODY) {
            throw new ApiError(413, "payload_too_large", "request body is larger than " + MAX_BODY + " bytes");
        }
        if (body.length == 0) {
            return Json.object();
        }
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        if (!type.startsWith("application/json")) {
            throw new ApiError(415, "unsupported_media_type", "send the body as application/json");
        }
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            if (n == null || !n.isObject()) {
                throw ApiError.badRequest("the body must be a JSON object");
            }
            return (ObjectNode) n;
        } catch (IOException e) {
            throw ApiError.badRequest("the body is not valid JSON");
        }
    }

    /** An optional string field of at most {@code max} characters; 400 when not a string or too long. */
    public static String text(ObjectNode body, String field, int max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isTextual()) {
            throw ApiError.badRequest("'" + field + "' must be a string");
        }
        if (v.asText().length() > max) {
            throw ApiError.badRequest("'" + field + "' is longer than " + max + " characters");
        }
        return v.asText();
    }

    /** An optional boolean field; 400 when present and not a boolean. */
    public static boolean flag(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiError.badRequest("'" + field + "' must be true or false");
        }
        return v.asBoolean();
    }

    /** The standard page: {@code {items, total, limit, offset}}. */
    public static ObjectNode page(List<? extends JsonNode> all, int limit, int offset) {
        ObjectNode o = Json.object();
        ArrayNode items = o.putArray("items");
        for (int i = offset; i < Math.min(all.size(), offset + limit); i++) {
            items.add(all.get(i));
        }
        o.put("total", all.size());
        o.put("limit", limit);
        o.put("offset", offset);
        return o;
    }

    public static int limit(Context ctx, int dflt, int max) {
        return intParam(ctx, "limit", dflt, 1, max);
    }

    public static int offset(Context ctx) {
        return intParam(ctx, "offset", 0, 0, 1_000_000);
    }
}
