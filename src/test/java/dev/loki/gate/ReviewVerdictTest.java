package dev.loki.gate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReviewVerdictTest {

    @Test
    void fail_with_a_high_finding_blocks() {
        ReviewVerdict v = ReviewVerdict.parse("r", "VERDICT: FAIL\nFINDINGS:\n- [High] SQL built from input (src/db.js:12)\n");
        assertThat(v.kind()).isEqualTo(ReviewVerdict.Kind.FAIL);
        assertThat(v.blocking()).isTrue();
        assertThat(v.findings()).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo("high");
            assertThat(f.file()).isEqualTo("src/db.js");
            assertThat(f.line()).isEqualTo(12);
        });
    }

    @Test
    void fail_with_only_medium_and_low_findings_does_not_block() {
        ReviewVerdict v = ReviewVerdict.parse("r", "VERDICT: FAIL\n- [Medium] naming\n- [low] typo\n");
        assertThat(v.kind()).isEqualTo(ReviewVerdict.Kind.FAIL);
        assertThat(v.blocking()).isFalse();
        assertThat(v.findings()).hasSize(2);
    }

    @Test
    void markdown_decorated_verdict_is_understood() {
        assertThat(ReviewVerdict.parse("r", "## Review\n**VERDICT:** fail\n* [CRITICAL] secret in code\n").blocking())
                .isTrue();
        assertThat(ReviewVerdict.parse("r", "> Verdict - PASS").kind()).isEqualTo(ReviewVerdict.Kind.PASS);
    }

    @Test
    void quoting_the_severity_legend_in_a_pass_does_not_block() {
        ReviewVerdict v = ReviewVerdict.parse("r",
                "VERDICT: PASS\nSeverity levels: [Critical], [High], Medium, Low\nNothing found.");
        assertThat(v.kind()).isEqualTo(ReviewVerdict.Kind.PASS);
        assertThat(v.blocking()).isFalse();
    }

    @Test
    void the_first_verdict_line_wins() {
        ReviewVerdict v = ReviewVerdict.parse("r", "VERDICT: PASS\n- [High] x\nVERDICT: FAIL\n");
        assertThat(v.kind()).isEqualTo(ReviewVerdict.Kind.PASS);
        assertThat(v.blocking()).isFalse();
    }

    @Test
    void empty_and_unparseable_answers_are_not_verdicts() {
        assertThat(ReviewVerdict.parse("r", "  \n").kind()).isEqualTo(ReviewVerdict.Kind.NO_OUTPUT);
        assertThat(ReviewVerdict.parse("r", "Looks fine to me!").kind()).isEqualTo(ReviewVerdict.Kind.UNPARSED);
        assertThat(ReviewVerdict.parse("r", "Looks fine to me!").answered()).isFalse();
    }

    @Test
    void a_critical_finding_without_a_verdict_line_counts_as_fail() {
        ReviewVerdict v = ReviewVerdict.parse("r", "I found:\n- [Critical] rm -rf on user input");
        assertThat(v.kind()).isEqualTo(ReviewVerdict.Kind.FAIL);
        assertThat(v.blocking()).isTrue();
    }
}
