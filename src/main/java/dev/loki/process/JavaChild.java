package dev.loki.process;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that starts another JVM of this program (a background dashboard, a backlog's
 * {@code loki start}, a run started over MCP): this JVM's own java binary and class path, the
 * class-data archive the launcher gave this JVM (so the child starts as fast as its parent), the
 * given JVM flags, then the main class and its arguments. Pass the result to
 * {@link Processes#startDetached}.
 */
public final class JavaChild {
    private JavaChild() {
    }

    public static List<String> command(List<String> jvmFlags, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-XX:SharedArchiveFile=") || a.startsWith("-XX:AOTCache=") || a.startsWith("-Xlog:cds")
                    || a.startsWith("-Xlog:aot") || a.startsWith("-Xshare:")) {
                cmd.add(a);
            }
        }
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }
}
