package dev.loki.work;

import dev.loki.LokiException;
import dev.loki.Quote;
import dev.loki.run.SpecFinder;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where a {@code loki start} gets its work and where it runs: a spec file, a GitHub issue or a
 * plain-text task, in the user's tree ({@code --isolation none}) or in a worktree of its own.
 * Everything that can fail (a bad reference, gh, a bad --base) fails before anything starts.
 */
public final class WorkStart {
    /** Files of an imported issue, inside the run's .loki. */
    public static final String ISSUE_JSON = "work/issue.json";
    /** The source of a plan whose spec was found in the project (no argument was given). */
    static final String AUTO_SPEC = "(auto-detected spec)";
    /**
     * Set by {@code loki backlog} for its child runs: the slug it chose for the entry (entries whose
     * slugs collide are told apart before any of them starts, so two starting at once cannot race),
     * as {@code <slug>:<short hash of the input>}.
     */
    static final String BACKLOG_SLUG = "LOKI_BACKLOG_RUN";

    /** What the user asked for. */
    public record Options(Optional<String> input, Optional<String> isolation, Optional<String> base, boolean pr,
            boolean draft) {
    }

    /**
     * A prepared run: the directory it runs in, its spec, its worktree when isolated, the issue
     * it came from, the title its commit takes, and whether to open a PR.
     */
    public record Plan(Path workDir, Path spec, Optional<RunWorktree> worktree, Optional<Issue> issue, String title,
            String source, boolean pr, boolean draft) {
        public boolean isolated() {
            return worktree.isPresent();
        }
    }

    private enum Kind { NONE, FILE, ISSUE, TEXT }

    private WorkStart() {
    }

    /**
     * The plan, or empty when nothing here is new (a spec file or none, no isolation, no PR):
     * then {@code loki start} behaves exactly as before.
     */
    public static Optional<Plan> plan(Map<String, String> env, Path cwd, LokiDir userLokiDir, Options o)
            throws IOException {
        String input = o.input().map(String::strip).orElse("");
        Kind kind = kind(input, cwd);
        boolean worktree = switch (o.isolation().map(s -> s.toLowerCase(Locale.ROOT)).orElse("")) {
            case "worktree" -> true;
            case "none" -> false;
            case "" -> kind == Kind.ISSUE || o.pr();
            default -> throw LokiException.badInput("--isolation must be worktree or none, not '"
                    + Quote.excerpt(o.isolation().get(), 80) + "'");
        };
        if (!worktree && o.pr()) {
            throw LokiException.badInput("--pr needs an isolated run: drop --isolation none");
        }
        if (o.draft() && !o.pr()) {
            throw LokiException.badInput("--draft is for the pull request: add --pr");
        }
        if (!worktree && o.base().isPresent()) {
            throw LokiException.badInput("--base is where an isolated run's branch starts: add --isolation worktree");
        }
        if (!worktree && (kind == Kind.NONE || kind == Kind.FILE)) {
            return Optional.empty();
        }
        Optional<Issue> issue = Optional.empty();
        String slug;
        String title;
        String specText;
        String specName;
        switch (kind) {
            case ISSUE -> {
                IssueRef ref = IssueRef.parse(input);
                Issue i = new GitHub(cwd, env).view(ref);
                issue = Optional.of(i);
                slug = ref.slug();
                title = i.title().isBlank() ? "Issue " + ref : i.title();
                specText = i.toSpec();
                specName = ref.slug() + ".md";
            }
            case TEXT -> {
                slug = slugify(input);
                title = firstLine(input);
                specText = "# " + title + "\n\n" + input + "\n";
                specName = "task.md";
            }
            default -> {
                Path spec = SpecFinder.resolve(kind == Kind.FILE ? Optional.of(Path.of(input)) : Optional.empty(),
                        Optional.ofNullable(env.get("LOKI_PRD_FILE")).filter(s -> !s.isBlank()), cwd,
                        LokiDir.findWorkTreeRoot(cwd).orElse(cwd));
                String name = spec.getFileName().toString();
                slug = slugify(name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name);
                specText = SpecFinder.read(spec).text();
                title = specTitle(specText).orElse("Implement " + name);
                specName = name;
            }
        }
        String source = kind == Kind.NONE ? AUTO_SPEC : input;
        if (!worktree) {
            LokiDir ld = userLokiDir.ensureExists();
            Path spec = writeInputs(ld, specName, specText, issue);
            return Optional.of(new Plan(cwd, spec, Optional.empty(), issue, title, source, false, false));
        }
        Worktrees trees = Worktrees.of(cwd, env);
        // the backlog's name for this entry: only for the very source it was given for (not for
        // another start an agent of the run might make with the inherited environment)
        String given = env.getOrDefault(BACKLOG_SLUG, "");
        String forThis = ":" + Worktrees.shortHash(source.strip());
        slug = given.matches("^[a-z0-9][a-z0-9-]{0,79}:[0-9a-f]{6}$") && given.endsWith(forThis)
                ? given.substring(0, given.length() - forThis.length())
                : trees.slugFor(slug, source, java.util.Set.of());
        RunWorktree wt = trees.open(slug, o.base(), source);
        Path spec = writeInputs(wt.lokiDir(), specName, specText, issue);
        return Optional.of(new Plan(wt.path(), spec, Optional.of(wt), issue, title, source, o.pr(), o.draft()));
    }

    /** The spec (and the issue) under {@code .loki/work/} of the run. */
    private static Path writeInputs(LokiDir ld, String specName, String specText, Optional<Issue> issue)
            throws IOException {
        Path spec = ld.resolve("work").resolve("spec").resolve(specName);
        Files.createDirectories(spec.getParent());
        Files.writeString(spec, specText, StandardCharsets.UTF_8);
        if (issue.isPresent()) {
            JsonFiles.write(ld.resolve(ISSUE_JSON), issue.get().toJson());
            Files.writeString(ld.resolve("work").resolve("issue.md"), issue.get().toSpec(), StandardCharsets.UTF_8);
        }
        return spec;
    }

    private static Kind kind(String input, Path cwd) {
        if (input.isEmpty()) {
            return Kind.NONE;
        }
        if (IssueRef.looksLikeIssue(input)) {
            return Kind.ISSUE;
        }
        try {
            if (Files.isRegularFile(cwd.resolve(input))) {
                return Kind.FILE;
            }
        } catch (java.nio.file.InvalidPathException e) {
            return Kind.TEXT;
        }
        return input.chars().anyMatch(Character::isWhitespace) ? Kind.TEXT : Kind.FILE;
    }

    /** A branch-safe name: lower case letters, digits and '-', at most 40 characters. */
    static String slugify(String text) {
        String s = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (s.length() > 40) {
            s = s.substring(0, 40).replaceAll("-+$", "");
        }
        return s.isEmpty() ? "task" : s;
    }

    private static String firstLine(String text) {
        String line = Arrays.stream(text.split("\\R")).map(String::strip).filter(l -> !l.isEmpty()).findFirst()
                .orElse("task");
        line = Issue.oneLine(line);
        return line.length() > 72 ? line.substring(0, 69) + "..." : line;
    }

    private static Optional<String> specTitle(String text) {
        return text.lines().map(String::strip).filter(l -> l.startsWith("# ")).map(l -> l.substring(2).strip())
                .filter(l -> !l.isEmpty()).findFirst();
    }
}
