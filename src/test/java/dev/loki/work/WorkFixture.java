package dev.loki.work;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.testing.FakeAgents;
import dev.loki.testing.Leftovers;
import dev.loki.testing.TestRepo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A repository with a real local bare repository as {@code origin}, a fake {@code gh} on the
 * PATH that records its arguments and answers like gh (issue view JSON, issue list, pr create
 * URL, "not logged in"), and a scripted agent; the environment keeps the loop fast.
 */
final class WorkFixture {
    final Path base;
    final TestRepo repo;
    final Path origin;
    final Path gh;
    final Map<String, String> env;

    private WorkFixture(Path base, TestRepo repo, Path origin, Path gh, Map<String, String> env) {
        this.base = base;
        this.repo = repo;
        this.origin = origin;
        this.gh = gh;
        this.env = env;
    }

    static WorkFixture create(Path base) {
        TestRepo repo = TestRepo.create(base);
        repo.write(".gitignore", "build/\n*.log\n");
        repo.write("src/app.txt", "app v1\n");
        repo.commitAll("app");
        Path origin = base.resolve("origin.git");
        TestRepo.run(List.of("git", "init", "-q", "--bare", origin.toString()), base, repo.env());
        repo.git("remote", "add", "origin", origin.toString());
        repo.git("push", "-q", "-u", "origin", "main");
        Path gh = base.resolve("gh");
        try {
            Files.createDirectories(gh.resolve("issues"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        FakeAgents.script(base, "gh", """
                printf '%s\\n' "$*" >> "$FAKE_GH/calls.log"
                if [ -f "$FAKE_GH/logged-out" ]; then
                  echo 'To get started with GitHub CLI, please run:  gh auth login' >&2; exit 4
                fi
                case "$1 $2" in
                  "issue view")
                    n="${3##*/}"
                    if [ -f "$FAKE_GH/issues/$n.json" ]; then cat "$FAKE_GH/issues/$n.json"; exit 0; fi
                    echo "GraphQL: Could not resolve to an issue or pull request with the number of $n. (repository.issue)" >&2
                    exit 1 ;;
                  "issue list") cat "$FAKE_GH/list.json" ;;
                  "pr create")
                    shift 2
                    while [ $# -gt 0 ]; do
                      case "$1" in
                        --body-file) cp "$2" "$FAKE_GH/pr-body.md"; shift ;;
                        --head) head="$2"; shift ;;
                      esac
                      shift
                    done
                    n=$(( $(ls "$FAKE_GH"/pr-*.url 2>/dev/null | wc -l) + 1 ))
                    echo "https://github.com/acme/app/pull/$n" | tee "$FAKE_GH/pr-$n.url" ;;
                  *) echo "fake gh: unknown command $*" >&2; exit 2 ;;
                esac""");
        Map<String, String> env = FakeAgents.env(repo, base);
        env.put("FAKE_GH", gh.toString());
        env.put("LOKI_MAX_RETRIES", "2");
        return new WorkFixture(base, repo, origin, gh, env);
    }

    /** An issue gh will answer for. */
    WorkFixture issue(int n, String title, String body, String... labels) {
        StringBuilder l = new StringBuilder();
        for (String label : labels) {
            l.append(l.length() == 0 ? "" : ",").append("{\"name\":\"").append(label).append("\"}");
        }
        String json = dev.loki.store.Json.compact(java.util.Map.of("number", n, "title", title, "body", body,
                "url", "https://github.com/acme/app/issues/" + n, "state", "OPEN")).replaceFirst("\\}$",
                ",\"labels\":[" + l + "]}");
        write(gh.resolve("issues").resolve(n + ".json"), json);
        return this;
    }

    /**
     * The scripted agent as the provider: writes {@code <slug>.txt} and a build log (ignored),
     * then claims completion; {@code FAIL_ON} names an issue slug whose run always fails.
     */
    Map<String, String> withAgent(String extra) {
        Path agent = FakeAgents.script(base, "agent", """
                cat > /dev/null
                slug=$(basename "$PWD")
                """ + extra + """

                if [ -n "$FAIL_ON" ] && [ "$slug" = "$FAIL_ON" ]; then echo "cannot do $slug"; exit 3; fi
                echo "work for $slug" > "result-$slug.txt"
                mkdir -p build && echo junk > build/out.bin && echo noise > agent.log
                echo "done with $slug" > .loki/signals/COMPLETION_REQUESTED
                echo "iteration $LOKI_ITERATION done"
                exit 0""");
        return FakeAgents.command(env, agent);
    }

    void loggedOut() {
        write(gh.resolve("logged-out"), "");
    }

    List<String> ghCalls() {
        Path log = gh.resolve("calls.log");
        try {
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The user's tree, every file but .git, with its bytes: for before/after comparisons. */
    Map<String, String> userTree() {
        Map<String, String> m = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.walk(repo.dir())) {
            for (Path p : s.toList()) {
                Path rel = repo.dir().relativize(p);
                if (rel.toString().isEmpty() || rel.startsWith(".git")) {
                    continue;
                }
                m.put(rel.toString(), Files.isRegularFile(p) ? java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)))
                        + " " + Files.getPosixFilePermissions(p) : "dir");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return m;
    }

    static void write(Path p, String text) {
        try {
            Files.createDirectories(p.getParent());
            Files.writeString(p, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pids of live processes whose command line mentions {@code marker} (a `ps` check). */
    /**
     * After a test: within 15 s no process names {@code base} on its command line, and none
     * carries {@code marker} (when given: a process whose command line does not name base).
     */
    static void assertNoProcessLeft(Path base, Leftovers.Marker marker) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(processesMentioning(base.toString())).isEmpty();
            if (marker != null) {
                assertThat(marker.carrying()).as("marked processes (one whose command line does not name base)")
                        .isEmpty();
            }
        });
    }

    static List<String> processesMentioning(String marker) {
        return Leftovers.mentioning(marker);
    }
}
