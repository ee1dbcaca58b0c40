package dev.loki.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loki.LokiException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Argument lists, tiers and output parsing of each provider. */
class ProviderTest {
    @TempDir
    Path base;

    private static EnvReader env(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        m.put("PATH", "/nonexistent");
        return new EnvReader(m);
    }

    private ProviderCall call(Tier tier) {
        return new ProviderCall("do it", base.resolve("p.md"), 1, tier, base, base.resolve(".loki"));
    }

    @Test
    void claude_models_follow_tiers_opt_ins_and_caps() {
        assertThat(new ClaudeProvider(env()).model(Tier.DEVELOPMENT)).isEqualTo("opus");
        assertThat(new ClaudeProvider(env()).model(Tier.FAST)).isEqualTo("sonnet");
        assertThat(new ClaudeProvider(env("LOKI_ALLOW_HAIKU", "true")).model(Tier.FAST)).isEqualTo("haiku");
        assertThat(new ClaudeProvider(env("LOKI_MAX_TIER", "haiku")).model(Tier.PLANNING)).isEqualTo("sonnet");
        assertThat(new ClaudeProvider(env("LOKI_MAX_TIER", "sonnet")).effort(Tier.PLANNING)).isEqualTo("high");
        assertThat(new ClaudeProvider(env("LOKI_MODEL_DEVELOPMENT", "m1", "LOKI_CLAUDE_MODEL_DEVELOPMENT", "m2"))
                .model(Tier.DEVELOPMENT)).isEqualTo("m2");
        assertThat(new ClaudeProvider(env("LOKI_MODEL_OVERRIDE", "x")).model(Tier.DEVELOPMENT)).isEqualTo("opus");
        assertThat(new ClaudeProvider(env("LOKI_MODEL_OVERRIDE", "x", "ANTHROPIC_BASE_URL", "http://127.0.0.1"))
                .model(Tier.DEVELOPMENT)).isEqualTo("x");
        ClaudeProvider c = new ClaudeProvider(env("LOKI_COMPLEXITY", "complex"));
        assertThat(List.of(c.effort(Tier.PLANNING), c.effort(Tier.DEVELOPMENT), c.effort(Tier.FAST)))
                .containsExactly("max", "xhigh", "high");
    }

    @Test
    void claude_without_a_readable_help_gets_no_optional_flags() {
        List<String> argv = new ClaudeProvider(env()).iteration(call(Tier.DEVELOPMENT)).argv();
        assertThat(argv).containsExactly("claude", "--dangerously-skip-permissions", "--model", "opus", "-p", "do it",
                "--output-format", "stream-json", "--verbose");
    }

    @Test
    void codex_cline_and_aider_argument_lists_match_upstream() {
        Invocation codex = new CodexProvider(env()).iteration(call(Tier.PLANNING));
        assertThat(codex.argv()).containsExactly("codex", "exec", "--full-auto", "do it");
        assertThat(codex.env()).containsEntry("CODEX_MODEL_REASONING_EFFORT", "xhigh");
        assertThat(new CodexProvider(env("LOKI_MAX_TIER", "low")).effort(Tier.PLANNING)).isEqualTo("low");
        assertThat(new CodexProvider(env("LOKI_MODEL_DEVELOPMENT", "opus")).model(Tier.DEVELOPMENT))
                .isEqualTo("gpt-5.3-codex");
        assertThat(new ClineProvider(env("LOKI_CLINE_MODEL", "m")).iteration(call(Tier.FAST)).argv())
                .containsExactly("cline", "-y", "-m", "m", "do it");
        assertThat(new AiderProvider(env("LOKI_AIDER_FLAGS", " --a  --b ")).iteration(call(Tier.FAST)).argv())
                .containsExactly("aider", "--message", "do it", "--yes-always", "--no-auto-commits", "--model",
                        "claude-opus-4-7", "--a", "--b");
        assertThat(new CodexProvider(env()).degraded()).isTrue();
        assertThat(new ClineProvider(env()).degraded()).isFalse();
    }

    @Test
    void command_provider_splits_its_command_line_without_a_shell() {
        CommandProvider p = new CommandProvider(env("LOKI_PROVIDER_CMD", "/bin/agent --name 'two words' \"a\\\"b\" $HOME"));
        assertThat(p.argv()).containsExactly("/bin/agent", "--name", "two words", "a\"b", "$HOME");
        Invocation inv = p.iteration(call(Tier.DEVELOPMENT));
        assertThat(inv.env()).containsEntry("LOKI_CALL", "iteration").containsKey("LOKI_PROMPT_FILE");
        assertThat(inv.stdin()).contains(base.resolve("p.md"));
    }

    @Test
    void unknown_provider_is_a_usage_error() {
        assertThatThrownBy(() -> Providers.byName("gemini", Map.of())).isInstanceOf(LokiException.class)
                .hasMessageContaining("claude, codex, cline, aider, command");
    }

    @Test
    void claude_stream_yields_text_tool_uses_usage_and_error_state() throws Exception {
        Path f = base.resolve("cap.log");
        Files.writeString(f, String.join("\n",
                "{\"type\":\"system\",\"subtype\":\"init\",\"model\":\"claude-sonnet-4-6\"}",
                "some stderr line",
                "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"hello\"},"
                        + "{\"type\":\"tool_use\",\"name\":\"Edit\"}]}}",
                "{\"type\":\"user\",\"message\":{\"content\":[{\"type\":\"tool_result\"}]}}",
                "{\"type\":\"result\",\"is_error\":false,\"result\":\"bye\",\"usage\":{\"input_tokens\":1000000,"
                        + "\"output_tokens\":0}}"));
        ClaudeStream s = ClaudeStream.parse(f, "opus");
        assertThat(s.text()).contains("hello", "bye", "some stderr line");
        assertThat(s.toolUses()).isEqualTo(1);
        Usage u = s.usage();
        assertThat(u.model()).isEqualTo("claude-sonnet-4-6");
        assertThat(u.costUsd()).isEmpty();
        assertThat(u.cost()).isEqualTo(3.0);
        assertThat(s.toOutput(0).exitCode()).isZero();
        Files.writeString(f, "{\"type\":\"result\",\"is_error\":true}\n");
        assertThat(ClaudeStream.parse(f, "opus").toOutput(0).exitCode()).isEqualTo(1);
    }

    @Test
    void pricing_matches_upstream_per_million_rates() {
        assertThat(Pricing.of("claude-opus-4-7").cost(1_000_000, 1_000_000)).isEqualTo(30.0);
        assertThat(Pricing.of("haiku").cost(1_000_000, 1_000_000)).isEqualTo(6.0);
        assertThat(Pricing.of("gpt-5.3-codex").cost(1_000_000, 1_000_000)).isEqualTo(13.5);
        assertThat(Pricing.of("mystery").cost(1_000_000, 1_000_000)).isEqualTo(18.0);
    }
}
