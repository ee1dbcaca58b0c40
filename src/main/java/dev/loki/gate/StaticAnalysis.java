package dev.loki.gate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.loki.store.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The static_analysis gate: syntax checks of the files the iteration changed, with whatever
 * checker the machine has (bash -n, a Python parse, node --check, shellcheck, gofmt) and
 * in-process JSON/YAML parsing. A file whose checker is missing is noted, not failed.
 */
final class StaticAnalysis {
    static final String NAME = "static_analysis";
    /** Parses without writing __pycache__ into the user's tree (py_compile would). */
    private static final String PY_PARSE = "import ast,sys\nsrc=open(sys.argv[1],'rb').read()\nast.parse(src,sys.argv[1])";
    private static final int MAX_FILES = 500;
    private static final long MAX_PARSE_BYTES = 5L * 1024 * 1024;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSONC = new com.fasterxml.jackson.databind.ObjectMapper(
            com.fasterxml.jackson.core.JsonFactory.builder()
                    .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_JAVA_COMMENTS)
                    .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_TRAILING_COMMA).build());

    record Finding(String file, String tool, String message) {
    }

    private StaticAnalysis() {
    }

    static GateResult run(GateContext ctx, ChangedFiles changes, Duration timeout, Path outDir) {
        long start = System.nanoTime();
        List<Finding> findings = new ArrayList<>();
        Set<String> missingTools = new LinkedHashSet<>();
        int checked = 0;
        List<String> files = changes.files().size() > MAX_FILES ? changes.files().subList(0, MAX_FILES) : changes.files();
        Path log = outDir.resolve("static-analysis.log");
        for (String f : files) {
            Path file = ctx.workTree().resolve(f);
            // a symlink may point outside the project: only the project's own files are read
            if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Optional<List<String>> cmd = commandFor(f, ctx.env(), missingTools);
            if (f.endsWith(".json")) {
                checked++;
                parse(file, f, false).ifPresent(findings::add);
            } else if (f.endsWith(".yml") || f.endsWith(".yaml")) {
                checked++;
                parse(file, f, true).ifPresent(findings::add);
            } else if (cmd.isPresent()) {
                checked++;
                List<String> argv = new ArrayList<>(cmd.get());
                argv.add(file.toString());
                BoundedRun.Outcome o = BoundedRun.run(argv, ctx.workTree(), ctx.env(), timeout, log);
                if (!o.ok()) {
                    String why = o.timedOut() ? "timed out after " + timeout.toSeconds() + "s"
                            : o.outputCut() ? BoundedRun.cutNote(log, ctx.env()) : BoundedRun.tail(log, 5, 600);
                    findings.add(new Finding(f, Path.of(argv.get(0)).getFileName().toString(), why));
                }
                if ((f.endsWith(".sh") || f.endsWith(".bash")) && o.ok()) {
                    shellcheck(ctx, file, f, timeout, log).ifPresent(findings::add);
                }
            }
        }
        boolean pass = findings.isEmpty();
        String summary;
        if (changes.isEmpty()) {
            summary = "no changed files" + (changes.note().isEmpty() ? "" : " (" + changes.note() + ")");
        } else if (checked == 0) {
            summary = "no checkable files among " + changes.files().size() + " changed"
                    + (missingTools.isEmpty() ? "" : "; not installed: " + String.join(", ", missingTools));
        } else {
            summary = checked + " file(s) checked, " + findings.size() + " finding(s)"
                    + (missingTools.isEmpty() ? "" : "; not installed: " + String.join(", ", missingTools));
        }
        write(outDir, checked, findings, summary, pass);
        String status = pass ? (checked == 0 ? GateResult.SKIPPED : GateResult.PASS) : GateResult.FAIL;
        String text = pass ? summary : summary + ": " + describe(findings);
        return new GateResult(NAME, status, text, BoundedRun.millisSince(start));
    }

    static String describe(List<Finding> findings) {
        StringBuilder sb = new StringBuilder();
        for (Finding f : findings.subList(0, Math.min(10, findings.size()))) {
            sb.append("\n  ").append(f.file()).append(" (").append(f.tool()).append("): ")
                    .append(f.message().replace('\n', ' '));
        }
        return sb.toString();
    }

    private static Optional<List<String>> commandFor(String f, Map<String, String> env, Set<String> missing) {
        if (f.endsWith(".sh") || f.endsWith(".bash")) {
            return tool(env, "bash", missing).map(b -> List.of(b, "-n"));
        }
        if (f.endsWith(".py")) {
            return tool(env, "python3", missing).map(p -> List.of(p, "-c", PY_PARSE));
        }
        if (f.endsWith(".js") || f.endsWith(".mjs") || f.endsWith(".cjs")) {
            return tool(env, "node", missing).map(n -> List.of(n, "--check"));
        }
        if (f.endsWith(".go")) {
            return tool(env, "gofmt", missing).map(g -> List.of(g, "-e", "-l"));
        }
        return Optional.empty();
    }

    private static Optional<String> tool(Map<String, String> env, String name, Set<String> missing) {
        Optional<Path> p = BoundedRun.which(env, name);
        if (p.isEmpty()) {
            missing.add(name);
        }
        return p.map(Path::toString);
    }

    private static Optional<Finding> shellcheck(GateContext ctx, Path file, String rel, Duration timeout, Path log) {
        Optional<Path> sc = BoundedRun.which(ctx.env(), "shellcheck");
        if (sc.isEmpty()) {
            return Optional.empty();
        }
        BoundedRun.Outcome o = BoundedRun.run(List.of(sc.get().toString(), "-S", "error", file.toString()),
                ctx.workTree(), ctx.env(), timeout, log);
        return o.ok() ? Optional.empty() : Optional.of(new Finding(rel, "shellcheck", BoundedRun.tail(log, 5, 600)));
    }

    /** Files whose tools accept comments and trailing commas (tsconfig, VS Code, dev containers). */
    static boolean jsonWithComments(String rel) {
        String name = Path.of(rel).getFileName().toString();
        return name.startsWith("tsconfig") || name.startsWith("jsconfig") || name.equals("devcontainer.json")
                || name.equals(".devcontainer.json") || rel.startsWith(".vscode/") || rel.contains("/.vscode/");
    }

    private static Optional<Finding> parse(Path file, String rel, boolean yaml) {
        try {
            if (Files.size(file) > MAX_PARSE_BYTES) {
                return Optional.empty();
            }
            if (yaml) {
                // every document of a multi-document stream must parse
                try (var parser = new YAMLFactory().createParser(file.toFile())) {
                    var it = Json.MAPPER.readValues(parser, com.fasterxml.jackson.databind.JsonNode.class);
                    while (it.hasNext()) {
                        it.next();
                    }
                }
            } else if (jsonWithComments(rel)) {
                JSONC.readTree(file.toFile());
            } else {
                Json.MAPPER.readTree(file.toFile());
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().split("\n")[0];
            return Optional.of(new Finding(rel, yaml ? "yaml" : "json", msg));
        }
    }

    private static void write(Path outDir, int checked, List<Finding> findings, String summary, boolean pass) {
        ObjectNode o = Json.object();
        o.put("timestamp", Instant.now().toString());
        o.put("files_checked", checked);
        ArrayNode arr = o.putArray("findings");
        for (Finding f : findings) {
            arr.addObject().put("file", f.file()).put("tool", f.tool()).put("message", f.message());
        }
        o.put("summary", summary);
        o.put("pass", pass);
        QualityFiles.writeJson(outDir.resolve("static-analysis.json"), o);
        QualityFiles.marker(outDir, "static-analysis.pass", "STATIC_ANALYSIS_FAILED", pass);
    }
}
