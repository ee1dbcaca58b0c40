package dev.loki.run;

import dev.loki.git.GitCli;
import dev.loki.git.GitException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The two facts about the work tree the loop needs when no checkpoint is taken. */
final class GitState {
    private GitState() {
    }

    /** HEAD's commit, or "" without commits or outside git. */
    static String head(Path workTree, Map<String, String> env) {
        try {
            GitCli.Result r = GitCli.in(workTree, env).exec(List.of("rev-parse", "-q", "--verify", "HEAD^{commit}"),
                    null, Duration.ofSeconds(10));
            return r.ok() ? r.out().strip() : "";
        } catch (GitException e) {
            return "";
        }
    }

    /** Whether HEAD or the status of the work tree changed since the loop last looked. */
    static boolean changedSince(Path workTree, Map<String, String> env, AutonomousLoop loop) {
        String now;
        try {
            GitCli.Result r = GitCli.in(workTree, env).exec(List.of("status", "--porcelain", "-uall"), null,
                    Duration.ofSeconds(30));
            now = head(workTree, env) + "\n" + (r.ok() ? r.out() : "");
        } catch (GitException e) {
            now = "";
        }
        String key = Integer.toHexString(now.hashCode()) + ":" + now.length();
        boolean changed = !key.equals(loop.lastTree());
        loop.lastTree(key);
        return changed;
    }
}
