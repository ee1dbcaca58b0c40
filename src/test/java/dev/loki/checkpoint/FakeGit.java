package dev.loki.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/** A {@code git} on PATH that fails or stalls one subcommand and passes the rest to real git. */
final class FakeGit {
    private FakeGit() {
    }

    static Map<String, String> failing(Path base, Map<String, String> env, String subcommand) {
        return wrap(base, env, subcommand, "echo \"fatal: injected failure of $sub\" >&2; exit 128");
    }

    static Map<String, String> stalling(Path base, Map<String, String> env, String subcommand) {
        return wrap(base, env, subcommand, "exec sleep 30");
    }

    private static Map<String, String> wrap(Path base, Map<String, String> env, String subcommand, String action) {
        try {
            Path bin = Files.createDirectories(base.resolve("fakebin-" + subcommand));
            String real = realGit(env.get("PATH"));
            Path git = bin.resolve("git");
            Files.writeString(git, "#!/bin/bash\n"
                    + "sub=\"\"; skip=0\n"
                    + "for a in \"$@\"; do\n"
                    + "  if [ $skip = 1 ]; then skip=0; continue; fi\n"
                    + "  case \"$a\" in -c) skip=1 ;; -*) ;; *) sub=\"$a\"; break ;; esac\n"
                    + "done\n"
                    + "if [ \"$sub\" = \"" + subcommand + "\" ]; then " + action + "; fi\n"
                    + "exec " + real + " \"$@\"\n");
            Files.setPosixFilePermissions(git, PosixFilePermissions.fromString("rwxr-xr-x"));
            Map<String, String> out = new java.util.HashMap<>(env);
            out.put("PATH", bin + ":" + env.get("PATH"));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String realGit(String path) {
        for (String dir : path.split(":")) {
            Path g = Path.of(dir, "git");
            if (Files.isExecutable(g)) {
                return g.toString();
            }
        }
        throw new IllegalStateException("git not found on PATH");
    }
}
