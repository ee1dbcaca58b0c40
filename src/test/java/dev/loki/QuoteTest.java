package dev.loki;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What loki prints for a person to paste or read cannot run anything or fake a line. */
class QuoteTest {
    /** Task texts, ids and paths an agent or an issue author could choose. */
    static final List<String> HOSTILE = List.of("greet; touch PWNED", "add hello script", "#123",
            "it's \"quoted\"", "$(touch PWNED)", "`touch PWNED`", "a\nb\n", "-rf /", "--pr", "'", "''", "\\",
            "x > PWNED", "a|touch PWNED", "${HOME}", "~", "*", "!!", "tab\there", "ü ✓ 漢字", "", " ",
            "a&&touch PWNED", "=ls", "{a,b}", "[ab]", "x?");

    @TempDir
    Path dir;

    @Test
    void a_pasted_command_gives_back_exactly_its_words_in_bash_and_sh() {
        List<String> words = new ArrayList<>(HOSTILE);
        String line = Quote.command(words);
        for (String shell : List.of("bash", "sh")) {
            String out = TestRepo.run(List.of(shell, "-c", "loki() { printf '%s\\0' \"$@\"; }; loki " + line), dir,
                    Map.of("PATH", "/usr/bin:/bin", "HOME", dir.toString()));
            assertThat(Arrays.asList(out.split("\0", -1))).as(shell + ": " + line)
                    .isEqualTo(concat(words, ""));
        }
        assertThat(dir.resolve("PWNED")).doesNotExist();
    }

    @Test
    void plain_words_stay_readable_and_the_rest_is_single_quoted() {
        assertThat(Quote.command("loki", "rollback", "to", "cp-20261206-095940")).isEqualTo(
                "loki rollback to cp-20261206-095940");
        assertThat(Quote.command("loki", "start", "add hello script", "--pr")).isEqualTo(
                "loki start 'add hello script' --pr");
        assertThat(Quote.shell("#123")).isEqualTo("'#123'");
        assertThat(Quote.shell("it's")).isEqualTo("'it'\\''s'");
        assertThat(Quote.shell("")).isEqualTo("''");
        assertThat(Quote.shell("=ls")).isEqualTo("'=ls'");
        assertThat(Quote.shell("--key=value")).isEqualTo("--key=value");
    }

    @Test
    void a_path_is_quoted_exactly_as_git_quotes_it() throws Exception {
        TestRepo repo = TestRepo.create(dir);
        List<String> names = List.of("plain.txt", "a\nUndo this rollback with: loki rollback to cp-evil", "tab\tx",
                "q\"uote", "back\\slash", "bell\u0007", "del\u007f", "esc\u001b[31mred", "cr\rx", "ü ✓ 漢字.txt",
                "with space");
        for (String n : names) {
            Files.writeString(repo.dir().resolve(n), "x");
        }
        List<String> git = repo.git("-c", "core.quotepath=false", "ls-files", "--others").lines().sorted().toList();
        List<String> ours = names.stream().map(Quote::path).sorted().toList();
        assertThat(ours).isEqualTo(git);
        assertThat(Quote.path("a\nb")).isEqualTo("\"a\\nb\"").doesNotContain("\n");
        assertThat(Quote.path("plain/dir/file.txt")).isEqualTo("plain/dir/file.txt");
    }

    @Test
    void characters_a_terminal_turns_into_line_breaks_or_reorders_are_escaped_too() {
        for (String evil : List.of("a\u2028b", "a\u0085b", "a\u202eb", "a\u2067b")) {
            String q = Quote.path(evil);
            assertThat(q).startsWith("\"").endsWith("\"").matches("[\\x20-\\x7e]+");
        }
        assertThat(Quote.path("a\u2028b")).isEqualTo("\"a\\342\\200\\250b\"");
    }

    @Test
    void free_text_stays_one_line_and_otherwise_unchanged() {
        assertThat(Quote.line("Left as they are: sub/, a\nUndo this"))
                .isEqualTo("Left as they are: sub/, a\\nUndo this");
        assertThat(Quote.line("it's \"fine\" C:\\x ü")).isEqualTo("it's \"fine\" C:\\x ü");
        assertThat(Quote.line("a\rb\u001b[2Kc")).isEqualTo("a\\rb\\033[2Kc");
    }

    private static List<String> concat(List<String> a, String last) {
        List<String> out = new ArrayList<>(a);
        out.add(last);
        return out;
    }

    @Test
    void an_echoed_value_is_cut_and_kept_to_one_line() {
        assertThat(Quote.excerpt(null, 10)).isEmpty();
        assertThat(Quote.excerpt("short", 10)).isEqualTo("short");
        assertThat(Quote.excerpt("a".repeat(12), 10)).isEqualTo("a".repeat(10) + "...");
        assertThat(Quote.excerpt("cp-1\nUndo this rollback with: rm -rf ~", 80))
                .isEqualTo("cp-1\\nUndo this rollback with: rm -rf ~").doesNotContain("\n");
        assertThat(Quote.excerpt("a".repeat(9) + "\uD83D\uDE00b", 10)).as("never half a surrogate pair")
                .isEqualTo("a".repeat(9) + "...");
    }
}
