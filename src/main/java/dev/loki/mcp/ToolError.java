package dev.loki.mcp;

/**
 * A tool call that cannot be done as asked: answered as {@code isError} with this one
 * sentence (never a stack trace), and audited with {@code status} (400 bad input, 403 not
 * allowed, 404 not found, 409 conflicts with a live run, 422 refused or failed).
 */
public final class ToolError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public ToolError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public static ToolError badInput(String message) {
        return new ToolError(400, message);
    }

    public static ToolError notFound(String message) {
        return new ToolError(404, message);
    }

    public int status() {
        return status;
    }
}
