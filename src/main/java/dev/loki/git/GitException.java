package dev.loki.git;

import java.util.List;

/** A git command failed or timed out; carries the command, exit code and stderr. */
public class GitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;
    private final String stderr;
    private final boolean timedOut;

    public GitException(List<String> args, int exitCode, String stderr, boolean timedOut) {
        super(describe(args, exitCode, stderr, timedOut));
        this.exitCode = exitCode;
        this.stderr = stderr;
        this.timedOut = timedOut;
    }

    private static String describe(List<String> args, int exitCode, String stderr, boolean timedOut) {
        String cmd = "git " + String.join(" ", args.subList(0, Math.min(args.size(), 6)))
                + (args.size() > 6 ? " ..." : "");
        if (timedOut) {
            return cmd + " timed out";
        }
        String err = stderr == null ? "" : stderr.strip();
        int nl = err.indexOf('\n');
        if (nl > 0) {
            err = err.substring(0, nl);
        }
        return cmd + " failed (exit " + exitCode + ")" + (err.isEmpty() ? "" : ": " + err);
    }

    public int exitCode() {
        return exitCode;
    }

    public String stderr() {
        return stderr;
    }

    public boolean timedOut() {
        return timedOut;
    }
}
