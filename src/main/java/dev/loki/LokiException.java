package dev.loki;

/**
 * A failure the user can fix: printed as one line on stderr, never with a stack trace
 * (unless {@code --verbose}), and mapped to its exit code.
 */
public class LokiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    public LokiException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public LokiException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** Exit 1: not found, refused or failed. */
    public static LokiException failed(String message) {
        return new LokiException(ExitCode.FAILED, message);
    }

    /** Exit 2: the input or usage was wrong. */
    public static LokiException badInput(String message) {
        return new LokiException(ExitCode.USAGE, message);
    }

    public int exitCode() {
        return exitCode;
    }
}
