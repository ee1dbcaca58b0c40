package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.dashboard.auth.LoginTickets;
import dev.loki.dashboard.auth.Secrets;
import org.junit.jupiter.api.Test;

/** loki's own credential formats are masked in dashboard answers; ordinary words are not. */
class LogRedactionTest {
    @Test
    void masks_tickets_tokens_bearer_headers_session_cookies_and_url_tokens() {
        String ticket = Secrets.newSecret(LoginTickets.PREFIX);
        String token = Secrets.newSecret("loki_");
        String cookie = Secrets.newSecret("");
        String line = "Dashboard: http://127.0.0.1:1/login?token=" + ticket + " ticket " + ticket
                + " | Authorization: Bearer " + token + " | Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig"
                + " | Cookie: loki_session=" + cookie + " | /cb?code=abcdef123456&state=x";
        String out = LogRedaction.maskOwn(line);
        assertThat(out).doesNotContain(ticket).doesNotContain(token).doesNotContain(cookie)
                .doesNotContain("eyJhbGciOiJSUzI1NiJ9").doesNotContain("abcdef123456")
                .contains("ticket lt_[REDACTED]").contains("Bearer [REDACTED]").contains("loki_session=[REDACTED]")
                .contains("login?token=[REDACTED]");
        assertThat(LogRedaction.holdsOwnSecret(line)).isTrue();
        assertThat(LogRedaction.holdsOwnSecret(out)).as("masking is idempotent").isFalse();
    }

    @Test
    void leaves_ordinary_text_alone() {
        String text = "salt_value=3 default_timeout lt_ alone, loki_session expired, bearer of news, loki_dir";
        assertThat(LogRedaction.maskOwn(text)).isEqualTo(text);
    }

    @Test
    void the_full_pass_also_applies_the_proof_redactor() {
        String key = "sk-ant-api03-" + "A".repeat(40);
        String out = new LogRedaction("/work/repo", "/home/u").apply("agent printed " + key);
        assertThat(out).doesNotContain(key).startsWith("agent printed ").contains("[REDACTED");
    }

    private static final String BODY1 = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun";
    private static final String BODY2 = "VDnx3hnqDbvSuvXQ2q5aSuHhr7D9XMhVpYjQ1tZ1k0hC2ajtD5UXZ8mFq3Hn8nR1";

    @Test
    void a_private_key_spread_over_log_lines_is_masked_line_by_line() {
        LogRedaction r = new LogRedaction("/work/repo", "/home/u");
        java.util.List<String> out = r.applyLines(java.util.List.of("before", "-----BEGIN RSA PRIVATE KEY-----",
                BODY1, BODY2, "-----END RSA PRIVATE KEY----- after", "plain line"));
        assertThat(String.join("\n", out)).doesNotContain(BODY1).doesNotContain(BODY2).doesNotContain("BEGIN RSA");
        assertThat(out).hasSize(6);
        assertThat(out.get(0)).isEqualTo("before");
        assertThat(out.get(2)).isEqualTo("[REDACTED:PRIVATE_KEY]");
        assertThat(out.get(4)).startsWith("[REDACTED:PRIVATE_KEY]").endsWith(" after");
        assertThat(out.get(5)).isEqualTo("plain line");

        // a tail that starts inside the key: the body lines before the END line are masked too
        java.util.List<String> tail = r.applyLines(java.util.List.of("some text", BODY2,
                "-----END RSA PRIVATE KEY-----", "next"));
        assertThat(tail).containsExactly("some text", "[REDACTED:PRIVATE_KEY]", "[REDACTED:PRIVATE_KEY]", "next");

        // the live stream polls in pieces: one KeyBlock carries the state from one poll to the next
        LogRedaction.KeyBlock block = new LogRedaction.KeyBlock();
        assertThat(r.apply("-----BEGIN OPENSSH PRIVATE KEY-----", block)).doesNotContain("BEGIN OPENSSH");
        assertThat(r.apply(BODY1, block)).isEqualTo("[REDACTED:PRIVATE_KEY]");
        assertThat(r.apply("-----END OPENSSH PRIVATE KEY-----", block)).isEqualTo("[REDACTED:PRIVATE_KEY]");
        assertThat(r.apply(BODY1, block)).as("after END, lines are themselves again").isEqualTo(BODY1);
    }

    @Test
    void a_key_without_an_end_line_stops_masking_after_a_bound() {
        LogRedaction r = new LogRedaction("/work/repo", "/home/u");
        LogRedaction.KeyBlock block = new LogRedaction.KeyBlock();
        r.apply("-----BEGIN RSA PRIVATE KEY-----", block);
        for (int i = 0; i < LogRedaction.KeyBlock.MAX_LINES; i++) {
            assertThat(r.apply("line " + i, block)).isEqualTo("[REDACTED:PRIVATE_KEY]");
        }
        assertThat(r.apply("the log goes on", block)).isEqualTo("the log goes on");
    }

    @Test
    void the_rendered_text_of_a_page_decodes_references_and_drops_tags() {
        assertThat(AnswerRedaction.rendered("<p>a &#103;h<b>p</b>_x &#x41;&amp;&lt;</p>")).isEqualTo("a ghp_x A&<");
    }
}
