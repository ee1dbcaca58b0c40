package dev.loki.proof;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loki.store.Json;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Redactor behaviours the corpus does not show one line at a time. */
class RedactorTest {
    private static final String GHP = "ghp_" + "F4ke".repeat(9);

    private final Redactor redactor = new Redactor("/work/projects/todo-app", "/home/alice");

    @Test
    void keys_and_values_of_every_depth_are_redacted_and_non_strings_kept() throws Exception {
        JsonNode tree = Json.parse("{\"env\": {\"" + GHP + "\": [\"x\", {\"DB_PASSWORD\": \"pw-1\"}]},"
                + " \"n\": 42, \"b\": true, \"z\": null}");
        Redactor.Result r = redactor.redact(tree);
        String out = Json.compact(r.tree());
        assertThat(out).doesNotContain(GHP).doesNotContain("pw-1").contains("[REDACTED:GITHUB_TOKEN]")
                .contains("\"DB_PASSWORD\":\"[REDACTED]\"").contains("\"n\":42").contains("\"b\":true")
                .contains("\"z\":null");
        assertThat(r.counts().secrets()).isEqualTo(2);
        assertThat(r.counts().pathRewrites()).isZero();
    }

    @Test
    void every_value_of_a_secret_named_array_is_redacted() throws Exception {
        Redactor.Result r = redactor.redact(Json.parse("{\"passwords\": [\"pw-one-1\", \"pw-two-2\", null, 7],"
                + " \"tokens\": [{\"note\": \"x\"}], \"names\": [\"alice\"]}"));
        String out = Json.compact(r.tree());
        assertThat(out).doesNotContain("pw-one-1").doesNotContain("pw-two-2")
                .contains("\"passwords\":[\"[REDACTED]\",\"[REDACTED]\",null,\"[REDACTED]\"]")
                .contains("\"tokens\":[{\"note\":\"x\"}]").contains("\"names\":[\"alice\"]");
        assertThat(r.counts().secrets()).isEqualTo(3);
    }

    @Test
    void repo_root_and_home_become_dot_and_tilde_and_are_counted_apart_from_secrets() {
        Redactor.Text t = redactor.redact("edited /work/projects/todo-app/src/a.js and /home/alice/.npmrc; "
                + "/home/bob/x and C:\\Users\\carol\\y");
        assertThat(t.text()).isEqualTo("edited ./src/a.js and ~/.npmrc; ~/x and ~\\y");
        assertThat(t.counts().secrets()).isZero();
        assertThat(t.counts().pathRewrites()).isEqualTo(4);
    }

    @Test
    void a_path_that_only_starts_like_home_is_not_cut() {
        Redactor r = new Redactor("/srv/app", "/opt/al");
        assertThat(r.redact("see /opt/alice/notes and /srv/application").text())
                .isEqualTo("see /opt/alice/notes and /srv/application");
        assertThat(r.redact("see /opt/al/notes and /srv/app").text()).isEqualTo("see ~/notes and .");
    }

    @Test
    void three_secrets_in_one_string_count_three() {
        Redactor.Text t = redactor.redact("A " + GHP + " B postgres://u:pw-123@h/db C SECRET=abc123");
        assertThat(t.counts().secrets()).isEqualTo(3);
    }

    @Test
    void second_scan_finds_what_would_have_survived_and_ignores_markers() {
        assertThat(Redactor.survivors("{\"t\":\"" + GHP + "\"}")).containsExactly("GITHUB_TOKEN");
        assertThat(Redactor.survivors("Authorization: Bearer [REDACTED] and ghp_[REDACTED:GITHUB_TOKEN]")).isEmpty();
        assertThat(Redactor.survivors("https://u:[REDACTED]@h and https://h:8080/x@y")).isEmpty();
        assertThat(Redactor.survivors("-----BEGIN " + "EC PRIVATE KEY-----\\nabc")).containsExactly("PRIVATE_KEY");
        assertThat(Redactor.survivors(redactor.redact("x " + GHP + " y https://u:p4ss@h").text())).isEmpty();
        assertThat(Redactor.survivors("Authorization: token 0123456789abcdef0123456789abcdef01234567"))
                .containsExactly("AUTH_TOKEN");
        assertThat(Redactor.survivors(redactor.redact("Authorization: token 0123456789abcdef0123456789abcdef0123")
                .text())).isEmpty();
    }

    @Test
    void both_authorization_schemes_keep_their_name_and_lose_their_credential() {
        String bearer = "fAkEbEaReR" + "tOkEn1234567890";
        String classic = "0123456789abcdef" + "0123456789abcdef01234567";
        String both = "AUTHORIZATION: \"TOKEN " + classic + "\" then basic " + bearer;
        // each scheme's survivor is named by its own label, the bearer one first
        assertThat(Redactor.survivors(both)).containsExactly("BEARER", "AUTH_TOKEN");
        Redactor.Text t = redactor.redact(both);
        assertThat(t.text()).isEqualTo("AUTHORIZATION: \"TOKEN [REDACTED]\" then basic [REDACTED]");
        assertThat(t.counts().secrets()).isEqualTo(2);
        assertThat(Redactor.survivors(t.text())).isEmpty();
        // "token" after anything but the header name is an ordinary word
        assertThat(redactor.redact("the token " + classic + " rotates").text()).contains(classic);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang guard only: bench/redact measures speed
    void large_adversarial_inputs_finish() {
        // these shapes made upstream's rules backtrack; what is harmless stays as it was
        for (String harmless : new String[] {"a=".repeat(100_000), "x://" + ":".repeat(100_000), "\"".repeat(200_000)}) {
            assertThat(redactor.redact(harmless).text()).isEqualTo(harmless);
        }
        assertThat(redactor.redact("-----BEGIN PRIVATE KEY-----" + "A".repeat(200_000)).text())
                .isEqualTo("[REDACTED:PRIVATE_KEY]");
        assertThat(redactor.redact("password is " + "a".repeat(200_000)).text()).startsWith("password is [REDACTED]")
                .as("no part of a long password is left").doesNotContain("aaaa");
        assertThat(redactor.redact("the password is " + "b".repeat(500) + ". Next").text())
                .isEqualTo("the password is [REDACTED]. Next");
        assertThat(redactor.redact("run --api-key=" + "k".repeat(10_000) + " now").text())
                .as("no part of a long flag value is left").doesNotContain("kkkk").endsWith(" now");
        assertThat(redactor.redact("API_TOKEN=\"" + "q".repeat(10_000) + "\" rest").text())
                .as("a long quoted value").doesNotContain("qqqq").endsWith(" rest");
        String open = "API_TOKEN=\"" + "z\\\"".repeat(50_000);
        assertThat(redactor.redact(open).text()).as("an unterminated quote ends (hang guard above)").doesNotContain("z\\\"z");
        assertThat(redactor.redact("API_TOKEN=\"abcdefghijkl0123").text()).as("a line cut inside a quoted secret")
                .doesNotContain("abcdefghijkl0123");
    }

    @Test
    void canonical_json_matches_pythons_sorted_compact_dumps() throws Exception {
        JsonNode n = Json.parse("{\"b\":[1,2.5,null,true,1e-05,1e+16,123456789012],"
                + "\"a\":\"\u00e9\u2028x\uD83D\uDE00\",\"c\":{\"z\":0.1,\"y\":\"q\\\"\\\\\\n\\t\\u0001\"},"
                + "\"verification\":{\"hash\":\"x\"}}");
        JsonNode withoutVerification = ((com.fasterxml.jackson.databind.node.ObjectNode) n.deepCopy()).without("verification");
        // known answer from Python: json.dumps(obj, sort_keys=True, separators=(",", ":"))
        assertThat(CanonicalJson.write(withoutVerification)).isEqualTo(
                "{\"a\":\"\\u00e9\\u2028x\\ud83d\\ude00\",\"b\":[1,2.5,null,true,1e-05,1e+16,123456789012],"
                        + "\"c\":{\"y\":\"q\\\"\\\\\\n\\t\\u0001\",\"z\":0.1}}");
        assertThat(Verification.hashOf(n)).isEqualTo("9cc9a0755ad9aa352793aa5cd7129fa767074315b8bac50e45f690c90a5d1c7b");
    }

    @Test
    void tier_gate_allows_oss_refuses_paid_without_key_and_notes_unverified_keys() {
        assertThat(TierGate.check(java.util.Map.of(), "hosted_publish").allowed()).isTrue();
        assertThat(TierGate.check(java.util.Map.of(), "hosted_publish").notes()).isEmpty();
        assertThat(TierGate.check(java.util.Map.of("LOKI_TIER", "oss"), "x").allowed()).isTrue();
        TierGate.Decision paid = TierGate.check(java.util.Map.of("LOKI_TIER", "enterprise"), "hosted_publish");
        assertThat(paid.allowed()).isFalse();
        assertThat(String.join(" ", paid.notes())).contains("LOKI_LICENSE_KEY");
        TierGate.Decision keyed = TierGate.check(java.util.Map.of("LOKI_TIER", "team", "LOKI_LICENSE_KEY", "k"), "x");
        assertThat(keyed.allowed()).isTrue();
        assertThat(String.join(" ", keyed.notes())).contains("not verified");
    }

    @Test
    void log_lines_lose_loki_s_own_tickets_tokens_and_sessions_but_keep_their_paths() {
        String ticket = "lt_" + "Fk3" + "aB_-x".repeat(8);
        String token = "loki_" + "Tk9" + "zY-_q".repeat(8);
        String session = "Ss1" + "pQ_-r".repeat(8);
        Redactor logs = Redactor.secretsOnly(java.util.Map.of("DB_PASSWORD", "Env-Secret-77", "PWD", "/home/alice/app"));
        String line = "open http://127.0.0.1:5000/login?token=" + ticket + " from /home/alice/app; "
                + "Authorization: Bearer " + token + "; Cookie: loki_session=" + session + "; db Env-Secret-77";
        String out = logs.redact(line).text();
        assertThat(out).doesNotContain(ticket).doesNotContain(token).doesNotContain(session)
                .doesNotContain("Env-Secret-77").contains("/home/alice/app").contains("[REDACTED:ENV:DB_PASSWORD]");
        assertThat(logs.redact(line).counts().pathRewrites()).isZero();
        assertThat(logs.maskedVariables()).containsExactly("DB_PASSWORD");
        // the static entry point for writers that have no environment map at hand
        assertThat(Redactor.line("ticket " + ticket)).isEqualTo("ticket [REDACTED:LOKI_LOGIN_TICKET]");
        assertThat(Redactor.line(null)).isNull();
    }

    @Test
    void env_names_decide_which_values_are_masked() {
        for (String secret : java.util.List.of("DB_PASSWORD", "SENDGRID_API_KEY", "STRIPE_SECRET_KEY", "ANTHROPIC_API_KEY",
                "OPENAI_API_KEY", "GH_TOKEN", "SMTP_PASS", "MYSQL_PWD", "AWS_CREDENTIALS", "BASIC_AUTH", "SSH_PRIVATE",
                "DBPASSWORD")) {
            assertThat(EnvSecrets.isSecretName(secret)).as(secret).isTrue();
        }
        for (String plain : java.util.List.of("PWD", "OLDPWD", "HOME", "PATH", "AUTHOR", "SSH_AUTH_SOCK",
                "GOOGLE_APPLICATION_CREDENTIALS_FILE", "LOKI_PROVIDER", "KEYBOARD_LAYOUT")) {
            assertThat(EnvSecrets.isSecretName(plain)).as(plain).isFalse();
        }
        assertThat(EnvSecrets.worthMasking("short")).isFalse();
        assertThat(EnvSecrets.worthMasking("12345678901")).isFalse();
        assertThat(EnvSecrets.worthMasking("disabled")).isFalse();
        assertThat(EnvSecrets.worthMasking("hunter22")).isTrue();
        assertThat(EnvSecrets.worthMasking("/")).isFalse();
    }
}
