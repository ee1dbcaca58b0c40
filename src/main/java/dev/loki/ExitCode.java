package dev.loki;

/** The one exit-code table every command uses. */
public final class ExitCode {
    /** Done. */
    public static final int OK = 0;
    /** Not found, refused or failed; nothing was half-done. */
    public static final int FAILED = 1;
    /** Bad input or usage. */
    public static final int USAGE = 2;
    /** A bug in loki: "internal error", stack trace with --verbose. */
    public static final int INTERNAL = 4;

    private ExitCode() {
    }
}
