package dev.loki.proof;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loki.store.Json;
import dev.loki.testing.Loki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loki proof share ID} with a fake {@code gh} on the PATH loki is given. */
class GistShareTest {
    @TempDir
    static Path tmp;

    static RunFixture fx;
    static byte[] proofJson;
    static byte[] attestation;
    static Path bin;
    static Path ghLog;
    static Path uploaded;

    @BeforeAll
    static void createRun() throws IOException {
        fx = RunFixture.create(tmp);
        assertThat(ProofService.generateNow(fx.dir, fx.repo.env(), RunFixture.RUN_ID, false).written()).isTrue();
        proofJson = Files.readAllBytes(fx.proofDir().resolve(ProofStore.JSON));
        attestation = Files.readAllBytes(fx.proofDir().resolve(Attestation.FILE));
        bin = Files.createDirectories(tmp.resolve("bin"));
        ghLog = tmp.resolve("gh.log");
        uploaded = tmp.resolve("uploaded.html");
        // behaves like gh: "auth status" exits 1 when logged out, "gist create FILE" prints the URL
        Path gh = bin.resolve("gh");
        Files.writeString(gh, String.join("\n",
                "#!/bin/sh",
                "echo \"$*\" >> \"$FAKE_GH_LOG\"",
                "if [ \"$1\" = auth ]; then",
                "  [ \"$FAKE_GH_AUTH\" = fail ] && { echo 'You are not logged into any GitHub hosts.' >&2; exit 1; }",
                "  echo 'Logged in to github.com as tester' >&2; exit 0",
                "fi",
                "if [ \"$1\" = gist ] && [ \"$2\" = create ]; then",
                "  [ \"$FAKE_GH_CREATE\" = fail ] && { echo 'HTTP 422: Validation Failed' >&2; exit 1; }",
                "  cp \"$3\" \"$FAKE_GH_UPLOADED\"",
                "  echo '- Creating gist index.html' >&2",
                "  echo 'https://gist.github.com/tester/0123456789abcdef'",
                "  exit 0",
                "fi",
                "exit 2", ""));
        Files.setPosixFilePermissions(gh, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @BeforeEach
    void restore() throws IOException {
        Files.write(fx.proofDir().resolve(ProofStore.JSON), proofJson);
        Files.write(fx.proofDir().resolve(Attestation.FILE), attestation);
        Files.deleteIfExists(fx.proofDir().resolve(ProofStore.PUBLISH_LOG));
        Files.deleteIfExists(ghLog);
        Files.deleteIfExists(uploaded);
    }

    /** {@code env} with a fake, logged-in {@code gh} (in {@code base}) first on the PATH. */
    static Map<String, String> fakeGhEnv(Path base, Map<String, String> env) throws IOException {
        Path dir = Files.createDirectories(base.resolve("fake-gh-bin"));
        Path gh = dir.resolve("gh");
        Files.writeString(gh, String.join("\n",
                "#!/bin/sh",
                "if [ \"$1\" = auth ]; then echo 'Logged in to github.com as tester' >&2; exit 0; fi",
                "if [ \"$1\" = gist ] && [ \"$2\" = create ]; then cp \"$3\" \"$FAKE_GH_UPLOADED\";"
                        + " echo 'https://gist.github.com/tester/0123456789abcdef'; exit 0; fi",
                "exit 2", ""));
        Files.setPosixFilePermissions(gh, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> out = new java.util.HashMap<>(env);
        out.put("PATH", dir + ":" + env.get("PATH"));
        out.put("FAKE_GH_UPLOADED", base.resolve("fake-gh-uploaded").toString());
        return out;
    }

    private Map<String, String> env() {
        Map<String, String> env = fx.repo.env();
        env.put("PATH", bin + ":" + env.get("PATH"));
        env.put("FAKE_GH_LOG", ghLog.toString());
        env.put("FAKE_GH_UPLOADED", uploaded.toString());
        return env;
    }

    private List<String> ghCalls() throws IOException {
        return Files.exists(ghLog) ? Files.readAllLines(ghLog) : List.of();
    }

    @Test
    void answering_no_publishes_nothing() throws Exception {
        Loki.Result r = fx.lokiWithInput(env(), "n\n", "proof", "share", RunFixture.RUN_ID);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("What will be shared:").contains("redaction: applied=true")
                .contains("stripped").contains("[y/N]").contains("Aborted. Nothing was published.");
        assertThat(ghCalls()).noneMatch(l -> l.startsWith("gist"));
        assertThat(fx.proofDir().resolve(ProofStore.PUBLISH_LOG)).doesNotExist();
    }

    @Test
    void yes_flag_uploads_the_page_as_a_secret_gist_and_records_it() throws Exception {
        Loki.Result r = fx.loki(env(), "proof", "share", "--yes", RunFixture.RUN_ID);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Shared: https://gist.github.com/tester/0123456789abcdef");
        assertThat(Files.readAllBytes(uploaded)).isEqualTo(Files.readAllBytes(fx.proofDir().resolve(ProofStore.HTML)));
        String create = ghCalls().stream().filter(l -> l.startsWith("gist create")).findFirst().orElseThrow();
        assertThat(create).contains("--desc Loki proof-of-run " + RunFixture.RUN_ID).doesNotContain("--public");
        assertThat(create).contains("index.html");
        // the temporary copy is gone
        assertThat(Path.of(create.split(" ")[2])).doesNotExist();
        String line = Files.readAllLines(fx.proofDir().resolve(ProofStore.PUBLISH_LOG)).get(0);
        assertThat(Json.parse(line).path("target").asText()).isEqualTo("gist");
        assertThat(fx.loki("proof", "verify", RunFixture.RUN_ID).exit()).isZero();
    }

    @Test
    void the_page_uploaded_is_the_page_that_was_checked_even_if_rewritten_before_the_upload() throws Exception {
        Path html = fx.proofDir().resolve(ProofStore.HTML);
        byte[] page = Files.readAllBytes(html);
        // a gh whose login check (after the page was checked, before the upload) has the page
        // rewritten, as a run regenerating this proof, or anyone, could while the user is asked
        Path dir = Files.createDirectories(tmp.resolve("rewriting-gh"));
        Path gh = dir.resolve("gh");
        Files.writeString(gh, String.join("\n",
                "#!/bin/sh",
                "if [ \"$1\" = auth ]; then printf '<p>%s</p>' \"$REWRITE_TOKEN\" >> \"$REWRITE_PAGE\"; exit 0; fi",
                "if [ \"$1\" = gist ] && [ \"$2\" = create ]; then cp \"$3\" \"$FAKE_GH_UPLOADED\";"
                        + " echo 'https://gist.github.com/tester/0123456789abcdef'; exit 0; fi",
                "exit 2", ""));
        Files.setPosixFilePermissions(gh, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = env();
        env.put("PATH", dir + ":" + env.get("PATH"));
        env.put("REWRITE_PAGE", html.toString());
        env.put("REWRITE_TOKEN", RunFixture.TOKEN);
        try {
            Loki.Result r = fx.lokiWithInput(env, "y\n", "proof", "share", RunFixture.RUN_ID);
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(Files.readString(html)).as("the page was rewritten").contains(RunFixture.TOKEN);
            assertThat(Files.readAllBytes(uploaded)).as("what was checked went out").isEqualTo(page);
        } finally {
            Files.write(html, page);
        }
    }

    @Test
    void typed_yes_with_public_makes_a_public_gist() throws Exception {
        Loki.Result r = fx.lokiWithInput(env(), "YES\n", "proof", "share", "--public", RunFixture.RUN_ID);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("as a public GitHub Gist");
        assertThat(ghCalls()).anyMatch(l -> l.startsWith("gist create") && l.endsWith("--public"));
    }

    @Test
    void public_and_private_together_are_a_usage_error() {
        Loki.Result r = fx.loki(env(), "proof", "share", "--public", "--private", "--yes", RunFixture.RUN_ID);
        assertThat(r.exit()).isEqualTo(2);
    }

    @Test
    void missing_gh_is_a_clear_failure() throws Exception {
        Map<String, String> env = env();
        env.put("PATH", "/nonexistent-bin");
        Loki.Result r = fx.loki(env, "proof", "share", "--yes", RunFixture.RUN_ID);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("gh CLI not found").contains("cli.github.com");
    }

    @Test
    void logged_out_gh_is_a_clear_failure() throws Exception {
        Map<String, String> env = env();
        env.put("FAKE_GH_AUTH", "fail");
        Loki.Result r = fx.loki(env, "proof", "share", "--yes", RunFixture.RUN_ID);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("not authenticated").contains("gh auth login");
        assertThat(ghCalls()).noneMatch(l -> l.startsWith("gist"));
    }

    @Test
    void failed_upload_exits_1_with_gh_reason() throws Exception {
        Map<String, String> env = env();
        env.put("FAKE_GH_CREATE", "fail");
        Loki.Result r = fx.loki(env, "proof", "share", "--yes", RunFixture.RUN_ID);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("Failed to create gist").contains("HTTP 422");
    }

    @Test
    void unconfirmed_redaction_is_refused_before_gh_runs() throws Exception {
        Path file = fx.proofDir().resolve(ProofStore.JSON);
        Files.writeString(file, Files.readString(file).replace("\"applied\": true", "\"applied\": \"yes\""));
        Loki.Result r = fx.loki(env(), "proof", "share", "--yes", RunFixture.RUN_ID);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("redaction was not confirmed");
        assertThat(ghCalls()).isEmpty();
    }

    @Test
    void share_without_id_is_a_usage_error_and_mentions_no_tier() {
        Map<String, String> env = env();
        env.put("LOKI_TIER", "enterprise");
        Loki.Result r = fx.loki(env, "proof", "share");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out() + r.err()).doesNotContainIgnoringCase("license").doesNotContainIgnoringCase("tier");
    }

    @Test
    void json_output_is_only_the_result() throws Exception {
        Loki.Result r = fx.loki(env(), "proof", "share", "--yes", "--json", RunFixture.RUN_ID);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.json().path("url").asText()).isEqualTo("https://gist.github.com/tester/0123456789abcdef");
        assertThat(r.err()).contains("What will be shared:");
    }
}
