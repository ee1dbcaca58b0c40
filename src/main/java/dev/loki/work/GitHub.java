package dev.loki.work;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.LokiException;
import dev.loki.store.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The GitHub CLI ({@code gh}): reads issues, lists them by label, opens pull requests. */
public final class GitHub {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final Map<String, String> env;

    public GitHub(Path dir, Map<String, String> env) {
        this.dir = dir;
        this.env = env;
    }

    /** Imports one issue; any gh failure is one clear line, exit 1. */
    public Issue view(IssueRef ref) throws IOException {
        List<String> argv = new ArrayList<>(List.of("gh", "issue", "view"));
        argv.addAll(ref.ghArgs());
        argv.addAll(List.of("--json", "number,title,body,labels,url,state"));
        WorkProcesses.Result r = call(argv, "read issue " + ref);
        if (!r.ok()) {
            String line = r.firstErrorLine();
            String low = (r.err() + r.out()).toLowerCase(Locale.ROOT);
            if (low.contains("could not resolve to an issue") || low.contains("not found")
                    || low.contains("no issue")) {
                throw LokiException.failed("Issue " + ref + " was not found (gh: " + line
                        + "). Check the number and the repository.");
            }
            throw LokiException.failed("Could not read issue " + ref + " (gh: " + line + ")");
        }
        try {
            JsonNode j = Json.parse(r.out());
            // not an issue, or another one than asked for: a run must not start on it
            if (j == null || !j.isObject() || j.path("number").asInt(-1) != ref.number()) {
                throw LokiException.failed("gh issue view " + ref + " answered "
                        + (j != null && j.isObject() && j.has("number") ? "issue #"
                                + dev.loki.Quote.excerpt(j.path("number").asText(), 20) : "no issue")
                        + ", not issue #" + ref.number() + "; nothing started (is gh up to date?)");
            }
            return Issue.fromGh(ref, j);
        } catch (JsonProcessingException e) {
            throw LokiException.failed("gh issue view " + ref + " did not answer JSON; is gh up to date?");
        }
    }

    /** Open issues carrying a label, oldest first. */
    public List<IssueRef> withLabel(String label) throws IOException {
        WorkProcesses.Result r = call(List.of("gh", "issue", "list", "--label", label, "--state", "open",
                "--json", "number", "--limit", "100"), "list issues labelled " + label);
        if (!r.ok()) {
            throw LokiException.failed("Could not list issues labelled '" + label + "' (gh: " + r.firstErrorLine()
                    + ")");
        }
        List<IssueRef> refs = new ArrayList<>();
        try {
            for (JsonNode n : Json.parse(r.out())) {
                refs.add(IssueRef.parse("#" + n.path("number").asInt()));
            }
        } catch (JsonProcessingException e) {
            throw LokiException.failed("gh issue list did not answer JSON; is gh up to date?");
        }
        refs.sort(java.util.Comparator.comparingInt(IssueRef::number));
        return refs;
    }

    /** Opens a pull request; returns its URL. */
    public String createPr(Path worktree, String title, Path bodyFile, String base, String head, boolean draft)
            throws IOException {
        List<String> argv = new ArrayList<>(List.of("gh", "pr", "create", "--title", title, "--body-file",
                bodyFile.toString(), "--base", base, "--head", head));
        if (draft) {
            argv.add("--draft");
        }
        WorkProcesses.Result r = callIn(worktree, argv, "open a pull request");
        if (!r.ok()) {
            throw LokiException.failed("gh pr create failed: " + r.firstErrorLine());
        }
        return r.out().lines().map(String::strip).filter(l -> l.startsWith("http")).reduce((a, b) -> b)
                .orElse(r.out().strip());
    }

    private WorkProcesses.Result call(List<String> argv, String what) throws IOException {
        return callIn(dir, argv, what);
    }

    private WorkProcesses.Result callIn(Path where, List<String> argv, String what) throws IOException {
        WorkProcesses.Result r = WorkProcesses.run(argv, where, env, TIMEOUT).orElseThrow(() -> LokiException.failed(
                "gh (the GitHub CLI) is not installed, so loki cannot " + what
                        + ": install it from https://cli.github.com and run 'gh auth login'"));
        String low = (r.err() + r.out()).toLowerCase(Locale.ROOT);
        if (!r.ok() && (low.contains("gh auth login") || low.contains("not logged in")
                || low.contains("authentication"))) {
            throw LokiException.failed("gh is not logged in, so loki cannot " + what + ": run 'gh auth login'");
        }
        return r;
    }
}
