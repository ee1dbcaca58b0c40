package dev.loki.process;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One live child as the registry knows it: its process, its group, what it was seen to start. */
final class Child {
    final Process process;
    final long pgid;
    final boolean cancellable;
    final String name;
    final ProcessScope scope;
    /** Descendants seen while it ran; the ones that left the group are found here afterwards. */
    final Map<Long, ProcessHandle> seen = new ConcurrentHashMap<>();
    /** The {@code NAME=value} entry only this child's environment (and its descendants') holds. */
    final String tag;
    volatile boolean cancelled;

    Child(Process process, long pgid, boolean cancellable, String name, ProcessScope scope, String tag) {
        this.process = process;
        this.pgid = pgid;
        this.cancellable = cancellable;
        this.name = name;
        this.scope = scope;
        this.tag = tag;
    }

    void snapshotDescendants() {
        process.descendants().forEach(h -> seen.putIfAbsent(h.pid(), h));
    }

    List<ProcessHandle> seenAlive() {
        List<ProcessHandle> out = new ArrayList<>();
        seen.values().stream().filter(ProcessHandle::isAlive).forEach(out::add);
        return out;
    }

    /** Kills the child's whole tree: the root, its descendants, its group, what left the group. */
    void killTree(long graceMillis) {
        killTree(List.of(), graceMillis);
    }

    /** As {@link #killTree(long)}, with {@code named} (processes reported as killed) killed by handle too. */
    void killTree(List<ProcessHandle> named, long graceMillis) {
        snapshotDescendants();
        List<ProcessHandle> known = new ArrayList<>(named);
        known.addAll(seenAlive());
        ProcessTree.kill(process.toHandle(), pgid, known, graceMillis);
        ProcessTree.killCarrying(tag, process.pid());
    }
}
