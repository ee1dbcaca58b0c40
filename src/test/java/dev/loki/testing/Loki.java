package dev.loki.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.cli.Main;
import dev.loki.store.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Runs the real loki entry point in-process and captures what it printed. */
public final class Loki {
    private Loki() {
    }

    /** One invocation's exit code and output. */
    public record Result(int exit, String out, String err) {
        public JsonNode json() {
            try {
                return Json.parse(out);
            } catch (IOException e) {
                throw new UncheckedIOException("stdout is not JSON:\n" + out + "\nstderr:\n" + err, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    public static Result run(Path cwd, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(new ByteArrayInputStream(new byte[0]), o, e, env, cwd, args);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    public static Result run(TestRepo repo, String... args) {
        return run(repo.dir(), repo.env(), args);
    }

    /** {@code loki checkpoint create <message> --json}, which must succeed; the new checkpoint's id. */
    public static String checkpoint(TestRepo repo, String message) {
        Result r = run(repo, "checkpoint", "create", message, "--json");
        if (r.exit() != 0) {
            throw new AssertionError("checkpoint create failed: " + r);
        }
        return r.json().path("id").asText();
    }
}
