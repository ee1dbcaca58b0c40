package dev.loki.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.run.LoopResult;
import dev.loki.testing.Loki;
import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Help texts that say each thing once and wrap cleanly (the check); exit codes documented; -C checked. */
class HelpAndDirectoryTest {
    @TempDir
    Path tmp;

    /**
     * A help text says each sentence once and never breaks a word at a dot; checked on every
     * command's help by {@link CliTest#every_command_has_help_that_exits_zero}, which runs them all.
     */
    static void assertSaysEachThingOnce(List<String> args, String out) {
        String what = String.join(" ", args) + "\n" + out;
        // wrapped lines joined back: a sentence split over lines is found whole
        String text = out.replaceAll("\\s*\\n\\s*", " ");
        assertThat(text).as(what).doesNotContain(" . ");
        Set<String> seen = new HashSet<>();
        for (String sentence : text.split("(?<=[.;:])\\s+")) {
            String s = sentence.strip();
            if (s.length() < 25) {
                continue; // short fragments ("Print JSON.") may rightly appear on several options
            }
            assertThat(seen.add(s)).as("repeated in '" + String.join(" ", args) + "': " + s + "\n" + out).isTrue();
        }
    }

    @Test
    void run_commands_document_every_exit_code_in_help_and_readme() throws Exception {
        Map<String, String> env = TestRepo.isolatedEnv(tmp);
        String readme = Files.readString(Path.of("README.md"));
        for (String cmd : List.of("start", "quick")) {
            String help = Loki.run(tmp, env, cmd, "--help").out();
            assertThat(help).contains("Exit codes:");
            for (String[] row : LoopResult.EXIT_CODES) {
                assertThat(help.replaceAll("\\s+", " ")).as(cmd).contains(row[0] + " " + row[1]);
                assertThat(readme).contains("| `" + row[0] + "` |");
            }
        }
        // docs/loop.md says its table is LoopResult.EXIT_CODES: the same codes, each status on its code's row
        Set<String> docCodes = new HashSet<>();
        int statuses = 0;
        for (String row : Files.readAllLines(Path.of("docs/loop.md"))) {
            var m = java.util.regex.Pattern.compile("^\\| (\\d+) \\| ([^|]*)\\|").matcher(row);
            if (!m.find()) {
                continue;
            }
            docCodes.add(m.group(1));
            var status = java.util.regex.Pattern.compile("`([a-z_]+)`").matcher(m.group(2));
            while (status.find()) {
                statuses++;
                assertThat(LoopResult.exitCodeFor(status.group(1))).as("docs/loop.md: " + row)
                        .isEqualTo(Integer.parseInt(m.group(1)));
            }
        }
        assertThat(docCodes).as("docs/loop.md exit codes").containsExactlyInAnyOrderElementsOf(
                java.util.Arrays.stream(LoopResult.EXIT_CODES).map(r -> r[0]).toList());
        assertThat(statuses).as("statuses named in docs/loop.md").isGreaterThanOrEqualTo(8);
        assertThat(LoopResult.exitCodeFor("max_iterations_reached")).isEqualTo(3);
        assertThat(LoopResult.exitCodeFor("council_force_stop")).isEqualTo(6);
        assertThat(LoopResult.exitCodeFor("stopped")).isEqualTo(7);
        assertThat(LoopResult.exitCodeFor("budget_exceeded")).isEqualTo(5);
        assertThat(LoopResult.exitCodeFor("council_approved")).isZero();
        assertThat(LoopResult.exitCodeFor("completion_promise_fulfilled")).isZero();
    }

    @Test
    void a_missing_directory_given_with_C_is_bad_input_and_creates_nothing() {
        TestRepo repo = TestRepo.create(tmp);
        Path missing = tmp.resolve("nonexistent");
        for (String[] args : List.of(
                new String[] {"-C", missing.toString(), "checkpoint", "create", "x"},
                new String[] {"checkpoint", "create", "x", "-C", missing.toString()},
                new String[] {"-C", missing.toString(), "start", "PRD.md"},
                new String[] {"-C", missing.toString(), "status"})) {
            Loki.Result r = Loki.run(repo.dir(), repo.env(), args);
            assertThat(r.exit()).as(String.join(" ", args) + "\n" + r).isEqualTo(2);
            assertThat(r.err().strip()).as(r.toString()).startsWith("Error: -C " + missing).doesNotContain("\n");
            assertThat(missing).doesNotExist();
        }
        assertThat(repo.path(".loki")).doesNotExist();
    }
}
