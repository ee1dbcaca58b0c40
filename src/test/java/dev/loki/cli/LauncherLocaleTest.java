package dev.loki.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/loki under a locale that is not UTF-8 (a bare container, cron): Java would read no
 * non-ASCII file name, and a checkpoint of a repository holding "résumé.txt" failed with an
 * internal error. The launcher runs the JVM under C.UTF-8 and hands the user's LC_ALL on to
 * loki (which gives it back to the programs it starts). Run against a stand-in Main that
 * reports what the JVM got, so no build of the real jar is needed.
 */
class LauncherLocaleTest {
    @TempDir
    Path tmp;

    @Test
    void the_jvm_reads_utf8_names_whatever_the_locale_and_loki_knows_the_user_s() throws Exception {
        Path jar = standInJar();
        Files.writeString(tmp.resolve("résumé.txt"), "x");
        assertThat(launch(jar, Map.of("LANG", "C"))).isEqualTo("UTF-8 true C.UTF-8 unset");
        assertThat(launch(jar, Map.of("LC_ALL", "POSIX"))).isEqualTo("UTF-8 true C.UTF-8 set:POSIX");
        assertThat(launch(jar, Map.of("LANG", "C.UTF-8"))).as("a UTF-8 locale is left as it is")
                .isEqualTo("UTF-8 true none none");
    }

    private String launch(Path jar, Map<String, String> locale) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("bin", "loki").toAbsolutePath().toString(),
                tmp.toString()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("LC_") || k.equals("LANG") || k.equals("LOKI_USER_LC_ALL"));
        env.putAll(locale);
        env.put("LOKI_JAR", jar.toString());
        env.put("LOKI_CDS", "0");
        env.put("LOKI_JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /** A jar whose dev.loki.cli.Main prints the JVM's file-name charset, whether it sees résumé.txt, and the locale. */
    private Path standInJar() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src/dev/loki/cli")).resolve("Main.java");
        Files.writeString(src, "package dev.loki.cli; public class Main { public static void main(String[] a) throws"
                + " Exception { boolean seen; try (var s = java.nio.file.Files.list(java.nio.file.Path.of(a[0]))) {"
                + " seen = s.anyMatch(p -> p.getFileName().toString().equals(\"r\\u00e9sum\\u00e9.txt\")); }"
                + " System.out.println(System.getProperty(\"sun.jnu.encoding\") + \" \" + seen + \" \""
                + " + System.getenv().getOrDefault(\"LC_ALL\", \"none\") + \" \""
                + " + System.getenv().getOrDefault(\"LOKI_USER_LC_ALL\", \"none\")); } }");
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), src.toString());
        assertThat(rc).isZero();
        Path jar = tmp.resolve("stand-in.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("dev/loki/cli/Main.class"));
            out.write(Files.readAllBytes(classes.resolve("dev/loki/cli/Main.class")));
            out.closeEntry();
        }
        return jar;
    }
}
