package dev.loki.proof;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Opens a proof page with the desktop's opener ({@code xdg-open}, {@code open}), if there is one. */
public final class Opener {
    private Opener() {
    }

    /** Whether an opener was found and accepted the page. */
    public static boolean open(Path page, Map<String, String> env, Path cwd) throws IOException {
        for (String name : List.of("xdg-open", "open")) {
            Optional<Path> exe = ExternalCommand.find(name, env);
            if (exe.isPresent()) {
                ExternalCommand.Result r = ExternalCommand.launch(exe.get(), List.of(page.toString()), env, cwd,
                        Duration.ofSeconds(15));
                if (r.ok()) {
                    return true;
                }
            }
        }
        return false;
    }
}
