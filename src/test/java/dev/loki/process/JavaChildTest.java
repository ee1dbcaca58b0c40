package dev.loki.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A child JVM gets what the launcher's class-data archive needs to map, and nothing of a short command's tuning. */
class JavaChildTest {
    @Test
    void the_archive_s_flags_go_to_the_child_and_the_short_command_s_do_not() {
        List<String> parent = List.of("-XX:+UseSerialGC", "-Xss2m", "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-XX:AOTCache=/cache/loki-j25-c1.aot", "-Xlog:disable",
                "-Xlog:all=error:stderr", "-Dsome.property=x", "--add-modules=ALL-DEFAULT");
        List<String> cmd = JavaChild.command(parent, List.of("-Xmx256m"), "dev.loki.cli.Main", List.of("start"));
        assertThat(cmd.subList(1, 7)).containsExactly("-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED",
                "-XX:AOTCache=/cache/loki-j25-c1.aot", "-Xlog:disable", "-Xlog:all=error:stderr", "-Xmx256m");
        assertThat(cmd).doesNotContain("-XX:TieredStopAtLevel=1", "-Xss2m", "-Dsome.property=x")
                .endsWith("dev.loki.cli.Main", "start");
    }
}
