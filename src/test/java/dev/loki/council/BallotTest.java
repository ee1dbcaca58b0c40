package dev.loki.council;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.council.CouncilSettings.Severity;
import org.junit.jupiter.api.Test;

class BallotTest {

    @Test
    void vote_reason_and_issues_are_read_through_markdown() {
        Ballot b = Ballot.parse("m", "**VOTE:** reject\n**REASON:** tests fail\nISSUES:\n- CRITICAL: suite red\n"
                + "- [low] typo in README\n* SEV: MEDIUM: slow\n");
        assertThat(b.vote()).isEqualTo(Vote.REJECT);
        assertThat(b.reason()).isEqualTo("tests fail");
        assertThat(b.issues()).extracting(Ballot.Issue::severity)
                .containsExactly(Severity.CRITICAL, Severity.LOW, Severity.MEDIUM);
    }

    @Test
    void prose_that_merely_starts_with_a_severity_word_is_not_an_issue() {
        Ballot b = Ballot.parse("m", "VOTE: APPROVE\nREASON: fine\nLow-hanging fruit remains but nothing blocking\n");
        assertThat(b.issues()).isEmpty();
        assertThat(b.vote()).isEqualTo(Vote.APPROVE);
    }

    @Test
    void an_issue_at_the_severity_threshold_turns_an_approval_into_a_reject() {
        Ballot b = Ballot.parse("m", "VOTE: APPROVE\nREASON: ok\nISSUES:\n- HIGH: no input validation\n");
        assertThat(b.withSeverityThreshold(Severity.HIGH).vote()).isEqualTo(Vote.REJECT);
        assertThat(b.withSeverityThreshold(Severity.CRITICAL).vote()).isEqualTo(Vote.APPROVE);
    }

    @Test
    void a_reject_with_only_minor_issues_becomes_an_approval_but_one_without_issues_stays_a_reject() {
        Ballot minor = Ballot.parse("m", "VOTE: REJECT\nREASON: nits\nISSUES:\n- LOW: naming\n");
        assertThat(minor.withSeverityThreshold(Severity.MEDIUM).vote()).isEqualTo(Vote.APPROVE);
        assertThat(minor.withSeverityThreshold(Severity.LOW).vote()).isEqualTo(Vote.REJECT);
        Ballot bare = Ballot.parse("m", "VOTE: REJECT\nREASON: not sure\n");
        assertThat(bare.withSeverityThreshold(Severity.CRITICAL).vote()).isEqualTo(Vote.REJECT);
    }

    @Test
    void cannot_validate_empty_and_conflicting_answers_are_rejects() {
        assertThat(Ballot.parse("m", "VOTE: CANNOT_VALIDATE").vote()).isEqualTo(Vote.REJECT);
        assertThat(Ballot.parse("m", "").vote()).isEqualTo(Vote.REJECT);
        assertThat(Ballot.parse("m", "vote: approved\nvote: rejected").rawVote()).isEqualTo("CONFLICTING");
        assertThat(Ballot.parse("m", "Vote - Approved").vote()).isEqualTo(Vote.APPROVE);
    }
}
