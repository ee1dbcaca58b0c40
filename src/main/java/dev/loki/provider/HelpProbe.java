package dev.loki.provider;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The {@code --help} text of a CLI, read once per executable and cached: optional flags are
 * passed only when the installed version lists them, so an older CLI never fails on an
 * unknown option. A CLI whose help cannot be read gets no optional flags.
 */
public final class HelpProbe {
    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

    private HelpProbe() {
    }

    public static boolean lists(Path executable, Map<String, String> env, String flag) {
        return help(executable, env).contains(flag);
    }

    static String help(Path executable, Map<String, String> env) {
        return CACHE.computeIfAbsent(executable.toString(), k -> read(executable, env));
    }

    private static String read(Path executable, Map<String, String> env) {
        try {
            ProcessBuilder pb = new ProcessBuilder(executable.toString(), "--help").redirectErrorStream(true);
            pb.environment().clear();
            pb.environment().putAll(env);
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread t = new Thread(() -> {
                try (InputStream in = p.getInputStream()) {
                    in.transferTo(out);
                } catch (java.io.IOException ignored) {
                    // help text is best effort
                }
            }, "help-probe");
            t.setDaemon(true);
            t.start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                ProcessRunner.killTree(p.toHandle());
                return "";
            }
            t.join(1000);
            return out.toString(StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
