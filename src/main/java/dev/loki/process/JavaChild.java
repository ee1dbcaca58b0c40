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
        return command(ManagementFactory.getRuntimeMXBean().getInputArguments(), jvmFlags, mainClass, args);
    }

    /**
     * The flags the launcher's class-data archive was made with go to the child too (the archive,
     * the module option a JDK 22+ launcher adds, the collector, its quiet logging): a child
     * started without them cannot map the archive, starts slower and logs the mismatch. The
     * short commands' C1-only flag is not passed on: the children live long.
     */
    static List<String> command(List<String> parentFlags, List<String> jvmFlags, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : parentFlags) {
            if (a.startsWith("-XX:SharedArchiveFile=") || a.startsWith("-XX:AOTCache=") || a.startsWith("-Xlog:cds")
                    || a.startsWith("-Xlog:aot") || a.startsWith("-Xshare:") || a.startsWith("--enable-native-access=")
                    || a.equals("-XX:+UseSerialGC") || a.equals("-Xlog:disable") || a.startsWith("-Xlog:all=")) {
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
