package dev.loki.git;

/**
 * One path that differs between two snapshots, as {@code git diff-tree --raw} reports it:
 * {@code A} added, {@code D} deleted, {@code M} modified, {@code T} type changed (file,
 * symlink, gitlink), with the modes on each side ({@code 000000} when absent) and the object
 * ids on each side (all zeros when absent; null when not known).
 */
public record TreeChange(char status, String path, String oldMode, String newMode, String oldId, String newId) {

    public TreeChange(char status, String path, String oldMode, String newMode) {
        this(status, path, oldMode, newMode, null, null);
    }

    /** True when the path exists in the "to" side of the diff. */
    public boolean inTarget() {
        return status != 'D';
    }

    public TreeChange reversed() {
        char s = switch (status) {
            case 'A' -> 'D';
            case 'D' -> 'A';
            default -> status;
        };
        return new TreeChange(s, path, newMode, oldMode, newId, oldId);
    }
}
