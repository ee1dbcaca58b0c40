package dev.loki.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.loki.ExitCode;
import dev.loki.LokiException;
import dev.loki.Quote;
import dev.loki.memory.Consolidation;
import dev.loki.memory.Memory;
import dev.loki.memory.MemoryStore;
import dev.loki.memory.PromptMemories;
import dev.loki.store.AtomicFiles;
import dev.loki.store.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code loki memory}: what loki remembers across runs (episodes and patterns). */
@Command(name = "memory", mixinStandardHelpOptions = true,
        description = {"What loki remembers across runs: an episode per run and patterns (lessons).",
            "Commands: search, list, show, add, forget, export, import, consolidate."},
        subcommands = {
            MemoryCommand.Search.class,
            MemoryCommand.ListCmd.class,
            MemoryCommand.Show.class,
            MemoryCommand.Add.class,
            MemoryCommand.Forget.class,
            MemoryCommand.Export.class,
            MemoryCommand.Import.class,
            MemoryCommand.Consolidate.class,
        })
public final class MemoryCommand extends BaseCommand {
    MemoryCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() {
        return usage();
    }

    static MemoryStore store(CliContext ctx) {
        return MemoryStore.open(ctx.lokiDir(), ctx.env());
    }

    static Optional<String> kind(String k) {
        if (k == null || k.equals("all")) {
            return Optional.empty();
        }
        if (!k.equals(Memory.EPISODE) && !k.equals(Memory.PATTERN)) {
            throw LokiException.badInput("--kind must be episode, pattern or all");
        }
        return Optional.of(k);
    }

    static void printLine(CliContext ctx, Memory m, String extra) {
        ctx.out().printf("%-32s %-8s %-10s %s%s%n", m.id(), m.kind(), m.outcome().isEmpty() ? "-" : m.outcome(),
                Quote.excerpt(m.title(), 90), extra); // one memory, one line, whatever its title holds
    }

    @Command(name = "search", mixinStandardHelpOptions = true, description = "Search memories (BM25, newer and"
            + " successful first).")
    static final class Search extends BaseCommand {
        @Parameters(arity = "1..*", paramLabel = "WORDS", description = "What to look for.")
        List<String> words;

        @Option(names = {"-n", "--limit"}, defaultValue = "10", description = "At most N (default ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--kind", description = "episode, pattern or all (default).")
        String kind;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        Search(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            if (limit < 1 || limit > 100) {
                throw LokiException.badInput("--limit must be between 1 and 100");
            }
            try (MemoryStore s = store(ctx)) {
                List<MemoryStore.Hit> hits = s.search(String.join(" ", words), limit, kind(kind));
                if (json) {
                    ArrayNode arr = Json.MAPPER.createArrayNode();
                    hits.forEach(h -> arr.add(h.memory().toJson().put("score", Math.round(h.score() * 1000) / 1000.0)));
                    ctx.out().println(Json.pretty(arr));
                } else if (hits.isEmpty()) {
                    ctx.out().println("No memories match.");
                } else {
                    hits.forEach(h -> printLine(ctx, h.memory(), String.format("  (%.2f)", h.score())));
                }
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "Memories, newest first.")
    static final class ListCmd extends BaseCommand {
        @Option(names = {"-n", "--limit"}, defaultValue = "20", description = "At most N (default ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--kind", description = "episode, pattern or all (default).")
        String kind;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        ListCmd(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            if (limit < 1) {
                throw LokiException.badInput("--limit must be at least 1");
            }
            try (MemoryStore s = store(ctx)) {
                List<Memory> all = s.recent(limit, kind(kind));
                if (json) {
                    ArrayNode arr = Json.MAPPER.createArrayNode();
                    all.forEach(m -> arr.add(m.toJson()));
                    ctx.out().println(Json.pretty(arr));
                } else if (all.isEmpty()) {
                    ctx.out().println("No memories yet: each 'loki start' records one; 'loki memory add' stores a"
                            + " lesson.");
                } else {
                    all.forEach(m -> printLine(ctx, m, ""));
                    ctx.out().println(s.count() + " memories in " + s.directory());
                }
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One memory in full.")
    static final class Show extends BaseCommand {
        @Parameters(paramLabel = "ID", description = "The memory id.")
        String id;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        Show(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            try (MemoryStore s = store(ctx)) {
                Memory m = s.get(id).orElseThrow(() -> LokiException.failed("Memory not found: " + id
                        + ". See 'loki memory list'."));
                if (json) {
                    ctx.out().println(Json.pretty(m.toJson()));
                    return ExitCode.OK;
                }
                ctx.out().println("ID:       " + m.id());
                ctx.out().println("Kind:     " + m.kind() + (m.outcome().isEmpty() ? "" : " (" + m.outcome() + ")"));
                ctx.out().println("Created:  " + m.createdAt());
                ctx.out().println("Title:    " + Quote.line(m.title()));
                if (!m.task().isEmpty()) {
                    ctx.out().println("Task:     " + Quote.line(m.task()));
                }
                if (!m.tags().isEmpty()) {
                    ctx.out().println("Tags:     " + String.join(", ", m.tags()));
                }
                ctx.out().println();
                ctx.out().println(m.body());
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Store a pattern (a lesson for later"
            + " runs); secrets are redacted first.")
    static final class Add extends BaseCommand {
        @Parameters(arity = "1..*", paramLabel = "TEXT", description = "The lesson.")
        List<String> words;

        @Option(names = "--title", description = "A short name (default: the start of the text).")
        String title;

        @Option(names = "--tag", description = "A word to find it by (repeatable).")
        List<String> tags;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        Add(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            String text = String.join(" ", words).strip();
            if (text.isEmpty() || text.length() > 4000) {
                throw LokiException.badInput("The text must be 1 to 4000 characters");
            }
            String t = title == null || title.isBlank() ? (text.length() > 80 ? text.substring(0, 80) : text) : title;
            try (MemoryStore s = store(ctx)) {
                Memory m = s.add(new Memory("", Memory.PATTERN, t, text, "", "", "", Instant.now(), List.of(),
                        tags == null ? List.of() : tags, 0, "loki memory add"));
                ctx.out().println(json ? Json.pretty(m.toJson()) : "Stored " + m.id());
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "forget", mixinStandardHelpOptions = true, description = "Remove a memory from the store and"
            + " from the record of prompts that used it.")
    static final class Forget extends BaseCommand {
        @Parameters(paramLabel = "ID", description = "The memory id.")
        String id;

        Forget(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            try (MemoryStore s = store(ctx)) {
                if (!s.forget(id)) {
                    throw LokiException.failed("Memory not found: " + id + ". See 'loki memory list'.");
                }
            }
            int uses = PromptMemories.forgetUse(ctx.lokiDir(), id);
            ctx.out().println("Forgot " + id + (uses > 0 ? " (and " + uses + " record(s) of its use)" : ""));
            return ExitCode.OK;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "Every memory as JSON lines, oldest"
            + " first.")
    static final class Export extends BaseCommand {
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE (default: stdout).")
        Path output;

        Export(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() throws IOException {
            StringBuilder sb = new StringBuilder();
            try (MemoryStore s = store(ctx)) {
                List<Memory> all = new ArrayList<>(s.recent(Math.max(1, s.count()), Optional.empty()));
                java.util.Collections.reverse(all);
                all.forEach(m -> sb.append(Json.compact(m.toJson())).append('\n'));
                if (output == null) {
                    ctx.out().print(sb);
                } else {
                    Path out = ctx.cwd().resolve(output);
                    if (Files.exists(out)) {
                        throw LokiException.failed(out + " exists; pick another file (export never overwrites)");
                    }
                    AtomicFiles.writeString(out, sb.toString());
                    ctx.err().println("Exported " + all.size() + " memories to " + out);
                }
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true, description = "Add memories from JSON lines ('loki"
            + " memory export'); same ids replace, secrets are redacted.")
    static final class Import extends BaseCommand {
        @Parameters(paramLabel = "FILE", description = "The JSON-lines file.")
        Path file;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        Import(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() throws IOException {
            Path in = ctx.cwd().resolve(file);
            if (!Files.isRegularFile(in)) {
                throw LokiException.failed("No such file: " + in);
            }
            List<Memory> ms = new ArrayList<>();
            int lineNo = 0;
            for (String line : Files.readAllLines(in, StandardCharsets.UTF_8)) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = Json.parse(line);
                } catch (IOException e) {
                    throw LokiException.badInput(in + " line " + lineNo + " is not JSON; nothing was imported");
                }
                if (!n.isObject() || n.path("body").asText("").isEmpty() && n.path("title").asText("").isEmpty()) {
                    throw LokiException.badInput(in + " line " + lineNo + " is not a memory (no title or body);"
                            + " nothing was imported");
                }
                String at = n.path("created_at").asText("");
                if (!at.isEmpty()) {
                    try {
                        java.time.Instant.parse(at);
                    } catch (java.time.format.DateTimeParseException e) {
                        throw LokiException.badInput(in + " line " + lineNo + ": created_at \"" + Quote.line(at)
                                + "\" is not an ISO-8601 instant (e.g. 2026-12-06T10:00:00Z); nothing was imported");
                    }
                }
                ms.add(Memory.fromJson(n));
            }
            try (MemoryStore s = store(ctx)) {
                List<Memory> stored = s.addAll(ms);
                if (json) {
                    ctx.out().println(Json.pretty(Json.object().put("imported", stored.size()).put("total", s.count())));
                } else {
                    ctx.out().println("Imported " + stored.size() + " memories (" + s.count() + " in the store)");
                }
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "consolidate", mixinStandardHelpOptions = true, description = "Turn gate failures fixed in"
            + " several runs into patterns; apply the size cap.")
    static final class Consolidate extends BaseCommand {
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        Consolidate(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            try (MemoryStore s = store(ctx)) {
                Consolidation.Report r = Consolidation.run(s);
                if (json) {
                    ctx.out().println(Json.pretty(Json.toTree(r)));
                } else {
                    ctx.out().println("Read " + r.episodesProcessed() + " episodes: " + r.patternsCreated()
                            + " pattern(s) created, " + r.patternsUpdated() + " updated, " + r.pruned() + " pruned.");
                }
            }
            return ExitCode.OK;
        }
    }
}
