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
}
