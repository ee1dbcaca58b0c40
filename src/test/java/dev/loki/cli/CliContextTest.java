package dev.loki.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An isolated run acts in its worktree with the flags that carry over: --verbose does, -C does not. */
class CliContextTest {
    @Test
    void elsewhere_keeps_verbose_and_acts_in_the_new_directory() {
        PrintStream out = new PrintStream(new java.io.ByteArrayOutputStream());
        CliContext ctx = new CliContext(new ByteArrayInputStream(new byte[0]), out, out, Map.of(), Path.of("/a"));
        ctx.setVerbose(true);
        ctx.setDirectoryFlag(Path.of("sub"));
        CliContext there = ctx.elsewhere(Path.of("/wt/x"), Map.of("K", "v"));
        assertThat(there.verbose()).isTrue();
        assertThat(there.cwd()).isEqualTo(Path.of("/wt/x"));
        assertThat(there.env()).containsEntry("K", "v");
        assertThat(there.out()).isSameAs(out);
        assertThat(new CliContext(new ByteArrayInputStream(new byte[0]), out, out, Map.of(), Path.of("/a"))
                .elsewhere(Path.of("/b"), Map.of()).verbose()).isFalse();
    }
}
