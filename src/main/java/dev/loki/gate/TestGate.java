package dev.loki.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The test_coverage gate (upstream's name): runs the project's own tests. {@code LOKI_TEST_CMD}
 * wins; otherwise the first build file found picks the runner (Maven, Gradle, npm, pytest, go,
 * cargo). A runner whose tool is not installed is skipped with the reason, never passed.
 */
final class TestGate {
    static final String NAME = "test_coverage";
    private static final String NPM_PLACEHOLDER = "no test specified";
    private static final int KEEP_LOGS = 20;

    /** The chosen runner: a label for test-results.json and the argument list to run. */
    record Runner(String name, List<String> command, Duration timeout) {
    }

    private TestGate() {
    }

    static GateResult run(GateContext ctx, GateSettings settings, Path qualityDir, Path logsDir) {
        return run(ctx, settings, qualityDir, logsDir, GateProgress.NONE);
    }

    static GateResult run(GateContext ctx, GateSettings settings, Path qualityDir, Path logsDir, GateProgress progress) {
        long start = System.nanoTime();
        List<String> reasons = new ArrayList<>();
        Optional<Runner> runner = detect(ctx.workTree(), ctx.env(), settings, reasons);
        if (runner.isEmpty()) {
            String why = reasons.isEmpty() ? "no test runner detected" : String.join("; ", reasons);
            write(qualityDir, "none", true, "skipped: " + why, Optional.empty(), ctx.env());
            return new GateResult(NAME, GateResult.SKIPPED, why, BoundedRun.millisSince(start));
        }
        Runner r = runner.get();
        Path log = logsDir.resolve("test-iter-" + ctx.iteration() + ".log");
        progress.started(NAME, "running " + display(r) + " (log: " + log.getFileName() + ")");
        BoundedRun.Outcome o = BoundedRun.run(r.command(), ctx.workTree(), ctx.env(), r.timeout(), log);
        Retention.keepNewest(logsDir, "test-iter-", KEEP_LOGS);
        String status;
        String summary;
        if (!o.started()) {
            status = GateResult.ERROR;
            summary = r.name() + " could not start: " + o.startError();
        } else if (o.timedOut()) {
            status = GateResult.FAIL;
            summary = r.name() + " timed out after " + r.timeout().toSeconds() + "s and was killed (log: "
                    + log.getFileName() + ")";
        } else if (o.outputCut()) {
            status = GateResult.FAIL;
            summary = r.name() + " was " + BoundedRun.cutNote(log, ctx.env());
        } else if (o.exitCode() == 0) {
            status = GateResult.PASS;
            summary = r.name() + " passed";
        } else {
            status = GateResult.FAIL;
            summary = failedSummary(r.name(), o.exitCode(), log.getFileName().toString(), BoundedRun.tail(log, 200, 64 * 1024));
        }
        write(qualityDir, r.name(), GateResult.PASS.equals(status), summary, Optional.of(o), ctx.env());
        QualityFiles.marker(qualityDir, "unit-tests.pass", "TESTS_FAILED", GateResult.PASS.equals(status));
        return new GateResult(NAME, status, summary, BoundedRun.millisSince(start));
    }

    /** What a person recognises: the configured command itself, else the argument list. */
    private static String display(Runner r) {
        List<String> c = r.command();
        return r.name().equals("LOKI_TEST_CMD") && c.size() == 3 ? c.get(2) : String.join(" ", c);
    }

    private static final java.util.regex.Pattern FAILING = java.util.regex.Pattern.compile(
            "\\b(fail|failed|failure|failures|failing|error|errors|expected|assert\\w*|exception|panic\\w*)\\b|^\\s*[✗✘×]",
            java.util.regex.Pattern.CASE_INSENSITIVE);
    private static final java.util.regex.Pattern ZERO_COUNTS = java.util.regex.Pattern.compile(
            "\\b0 (failed|failures|failing|errors?)\\b|\\b(failed|failures|failing|errors?)\\s*[:=]\\s*0\\b",
            java.util.regex.Pattern.CASE_INSENSITIVE);
    private static final int MAX_FAILING = 10;
    /** A failing line longer than this (a minified bundle, a one-line JSON dump) is cut in the summary. */
    private static final int MAX_LINE = 500;

    /**
     * The summary of a failed run: its first line names the first failing line of the output
     * (what the console and the next prompt show first), then up to 10 failing lines, then the
     * log's last lines. A failing line mentions a failure, an error, an assertion or an expected
     * value, and is not a "0 failed" tally; without one, the last line stands in.
     */
    static String failedSummary(String runner, int exitCode, String logName, String tail) {
        List<String> all = tail.lines().filter(l -> !l.isBlank())
                .map(l -> l.length() > MAX_LINE ? l.substring(0, MAX_LINE) + "... (" + (l.length() - MAX_LINE)
                        + " more characters)" : l).toList();
        List<String> failing = all.stream().filter(l -> FAILING.matcher(l).find() && !ZERO_COUNTS.matcher(l).find())
                .toList();
        StringBuilder sb = new StringBuilder(runner + " failed with exit code "
                + dev.loki.process.Processes.exitCode(exitCode));
        if (!failing.isEmpty()) {
            sb.append(": ").append(failing.get(0).strip());
            if (failing.size() > 1) {
                sb.append(" (and ").append(failing.size() - 1).append(" more failing line(s))");
            }
            sb.append("\nfailing lines of ").append(logName).append(":\n");
            failing.stream().limit(MAX_FAILING).forEach(l -> sb.append(l).append('\n'));
        } else if (!all.isEmpty()) {
            sb.append(": ").append(all.get(all.size() - 1).strip()).append('\n');
        } else {
            sb.append(" and printed nothing\n");
        }
        List<String> last = all.subList(Math.max(0, all.size() - 20), all.size());
        if (!last.isEmpty()) {
            sb.append("last lines of ").append(logName).append(":\n");
            String text = String.join("\n", last);
            sb.append(text.length() > 2000 ? text.substring(text.length() - 2000) : text);
        }
        return sb.toString().stripTrailing();
    }

    /** The runner for this project, or empty with the reasons nothing could run. */
    static Optional<Runner> detect(Path dir, Map<String, String> env, GateSettings s, List<String> reasons) {
        Duration t = s.gateTimeout();
        if (s.testCommand().isPresent()) {
            // the user's own configured command is the one place a shell string is right
            Optional<Path> bash = BoundedRun.which(env, "bash");
            if (bash.isEmpty()) {
                reasons.add("LOKI_TEST_CMD is set but bash is not on PATH");
                return Optional.empty();
            }
            return Optional.of(new Runner("LOKI_TEST_CMD", List.of(bash.get().toString(), "-c", s.testCommand().get()), t));
        }
        if (Files.isRegularFile(dir.resolve("pom.xml"))) {
            Path wrapper = dir.resolve("mvnw");
            if (Files.isExecutable(wrapper)) {
                return Optional.of(new Runner("maven", List.of(wrapper.toString(), "-B", "-q", "test"), t));
            }
            return tool(env, "mvn", "pom.xml", reasons).map(m -> new Runner("maven", List.of(m, "-B", "-q", "test"), t));
        }
        if (Files.isRegularFile(dir.resolve("build.gradle")) || Files.isRegularFile(dir.resolve("build.gradle.kts"))) {
            Path wrapper = dir.resolve("gradlew");
            if (Files.isExecutable(wrapper)) {
                return Optional.of(new Runner("gradle", List.of(wrapper.toString(), "test", "--console=plain"), t));
            }
            return tool(env, "gradle", "build.gradle", reasons)
                    .map(g -> new Runner("gradle", List.of(g, "test", "--console=plain"), t));
        }
        if (Files.isRegularFile(dir.resolve("package.json"))) {
            Optional<JsonNode> pkg = JsonFiles.peek(dir.resolve("package.json"));
            String test = pkg.map(p -> p.path("scripts").path("test").asText("")).orElse("");
            if (test.isBlank() || test.contains(NPM_PLACEHOLDER)) {
                reasons.add("package.json has no test script");
            } else {
                Optional<Runner> npm = tool(env, "npm", "package.json", reasons)
                        .map(n -> new Runner("npm", List.of(n, "test", "--silent"), t));
                if (npm.isPresent() || !pythonProject(dir)) {
                    return npm;
                }
            }
        }
        if (pythonProject(dir)) {
            return tool(env, "python3", "a Python project", reasons)
                    .map(p -> new Runner("pytest", List.of(p, "-m", "pytest", "-q"), s.pytestTimeout()));
        }
        if (Files.isRegularFile(dir.resolve("go.mod"))) {
            return tool(env, "go", "go.mod", reasons).map(g -> new Runner("go", List.of(g, "test", "./..."), t));
        }
        if (Files.isRegularFile(dir.resolve("Cargo.toml"))) {
            return tool(env, "cargo", "Cargo.toml", reasons).map(c -> new Runner("cargo", List.of(c, "test"), t));
        }
        return Optional.empty();
    }

    /** Upstream ran pytest only for a real Python project, not for a stray script. */
    private static boolean pythonProject(Path dir) {
        for (String marker : List.of("pyproject.toml", "setup.py", "setup.cfg", "pytest.ini", "tox.ini")) {
            if (Files.isRegularFile(dir.resolve(marker))) {
                return true;
            }
        }
        return false;
    }

    private static Optional<String> tool(Map<String, String> env, String name, String foundWhat, List<String> reasons) {
        Optional<Path> p = BoundedRun.which(env, name);
        if (p.isEmpty()) {
            reasons.add(foundWhat + " found but " + name + " is not installed (not on PATH)");
        }
        return p.map(Path::toString);
    }

    private static void write(Path qualityDir, String runner, boolean pass, String summary,
            Optional<BoundedRun.Outcome> outcome, Map<String, String> env) {
        ObjectNode o = Json.object();
        o.put("timestamp", Instant.now().toString());
        o.put("runner", runner);
        o.put("pass", pass);
        // recorded only, as upstream: coverage is not enforced
        o.put("min_coverage", GateSettings.positive(env, "LOKI_MIN_COVERAGE", 80));
        o.put("summary", summary);
        outcome.ifPresent(r -> {
            o.put("exit_code", r.exitCode());
            o.put("timed_out", r.timedOut());
            o.put("output_cut", r.outputCut());
            o.put("duration_ms", r.durationMs());
            o.put("log", r.log().toString());
        });
        QualityFiles.writeJson(qualityDir.resolve("test-results.json"), o);
    }
}
