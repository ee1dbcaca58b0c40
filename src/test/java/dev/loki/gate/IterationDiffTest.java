package dev.loki.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.git.SnapshotCheckout.FileDiff;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The review diff is cut by whole files and names what it left out. */
class IterationDiffTest {
    private static FileDiff file(char status, String path, int size) {
        String head = "diff --git a/" + path + " b/" + path + "\n";
        return new FileDiff(status, path, head + "+".repeat(Math.max(0, size - head.length())));
    }

    @Test
    void a_diff_that_fits_is_whole_and_names_nothing() {
        IterationDiff d = IterationDiff.of("a", "b", List.of(file('A', "x.txt", 100), file('D', "y.txt", 50)), 1000);

        assertThat(d.diff()).contains("a/x.txt", "a/y.txt").doesNotContain("[loki]");
        assertThat(d.omitted()).isEmpty();
        assertThat(d.deleted()).containsExactly("y.txt");
        assertThat(d.changedFiles().files()).containsExactly("x.txt");
    }

    @Test
    void a_file_that_does_not_fit_is_left_out_whole_and_named_while_later_small_files_still_fit() {
        // 1000 characters, of which 200 are kept for the note naming what was left out
        IterationDiff d = IterationDiff.of("a", "b", List.of(file('M', "big.txt", 700), file('M', "small.txt", 50),
                file('A', "mid.txt", 600), file('A', "tiny.txt", 40)), 1000);

        assertThat(d.files()).containsExactly("big.txt", "small.txt", "mid.txt", "tiny.txt");
        assertThat(d.diff()).contains("a/big.txt", "a/small.txt", "a/tiny.txt").doesNotContain("diff --git a/mid.txt");
        assertThat(d.omitted()).containsExactly("mid.txt (600 characters of diff)");
        assertThat(d.diff()).contains("1 of 4 changed file(s) left out", "- mid.txt (600");
        assertThat(d.diff().length()).isLessThanOrEqualTo(1000);
        assertThat(d.changedFiles().diffTruncated()).isTrue();
    }
}
