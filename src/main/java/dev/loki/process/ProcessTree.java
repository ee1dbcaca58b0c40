package dev.loki.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What the JDK cannot do for us: read a process's group and session from {@code /proc}, list
 * the members of a group, and kill a set of processes TERM first, then KILL after a grace.
 * Everything degrades to "unknown" (-1, empty) where {@code /proc} is missing.
 */
final class ProcessTree {
    private static final Path PROC = Path.of("/proc");

    private ProcessTree() {
    }

    /** Group and session of a live process; empty when it is gone or /proc is unreadable. */
    record Ids(long pgid, long sid) {
    }

    static Optional<Ids> ids(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.UTF_8);
            // "pid (comm) state ppid pgrp session ..."; comm may hold spaces and parentheses
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if ("Z".equals(f[0])) {
                return Optional.empty();
            }
            return Optional.of(new Ids(Long.parseLong(f[2]), Long.parseLong(f[3])));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Our own group and session: never killed, whatever a caller passes. */
    private static final Ids OWN = ids(ProcessHandle.current().pid()).orElse(new Ids(-1, -1));

    /** Live processes whose process group is {@code pgid} (none for pgid &lt;= 1 or loki's own group). */
    static List<ProcessHandle> groupMembers(long pgid) {
        return groupMembers(pgid, 0);
    }

    /**
     * As {@link #groupMembers(long)}, reading only processes whose pid is at least {@code minPid}:
     * a group's members were started after its leader, so at the end of a call the leader's pid
     * bounds the search (reading /proc/N/stat of every process costs milliseconds; a pid counter
     * that wrapped around meanwhile is the rare miss, and kills on timeout or stop scan fully).
     */
    static List<ProcessHandle> groupMembers(long pgid, long minPid) {
        List<ProcessHandle> out = new ArrayList<>();
        if (pgid <= 1 || pgid == OWN.pgid() || pgid == OWN.sid()) {
            return out;
        }
        for (long pid : pids(minPid)) {
            if (ids(pid).map(i -> i.pgid() == pgid).orElse(false)) {
                ProcessHandle.of(pid).ifPresent(out::add);
            }
        }
        return out;
    }

    /** The pids in /proc of at least {@code minPid}; none where /proc is missing or unreadable. */
    private static List<Long> pids(long minPid) {
        List<Long> out = new ArrayList<>();
        if (!Files.isDirectory(PROC)) {
            return out;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC)) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                try {
                    long pid = Long.parseLong(name);
                    if (pid >= minPid) {
                        out.add(pid);
                    }
                } catch (NumberFormatException e) {
                    // not a process
                }
            }
        } catch (IOException | RuntimeException e) {
            // /proc vanished or unreadable: nothing we can list
        }
        return out;
    }

    /** The root, its descendants, every member of its group, and the known others with their descendants. */
    static Map<Long, ProcessHandle> tree(ProcessHandle root, long pgid, Collection<ProcessHandle> alsoKnown) {
        Map<Long, ProcessHandle> all = new LinkedHashMap<>();
        if (root.isAlive()) {
            root.descendants().forEach(h -> all.put(h.pid(), h));
            all.put(root.pid(), root);
        }
        groupMembers(pgid).forEach(h -> all.putIfAbsent(h.pid(), h));
        for (ProcessHandle h : alsoKnown) {
            if (h.isAlive()) {
                // what a known process started goes with it (one that left the group took its children along)
                h.descendants().forEach(d -> all.putIfAbsent(d.pid(), d));
                all.putIfAbsent(h.pid(), h);
            }
        }
        all.remove(ProcessHandle.current().pid());
        ProcessHandle.current().parent().ifPresent(p -> all.remove(p.pid()));
        return all;
    }

    /**
     * TERM to every process of the tree, then KILL to whatever (old or newly started) is still
     * alive after {@code graceMillis}; waits a little for the KILLs to land.
     */
    static void kill(ProcessHandle root, long pgid, Collection<ProcessHandle> alsoKnown, long graceMillis) {
        Map<Long, ProcessHandle> first = tree(root, pgid, alsoKnown);
        if (first.isEmpty()) {
            return;
        }
        first.values().forEach(ProcessHandle::destroy);
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        for (ProcessHandle h : first.values()) {
            awaitExit(h, until);
        }
        Map<Long, ProcessHandle> rest = tree(root, pgid, first.values());
        if (rest.isEmpty()) {
            return;
        }
        rest.values().forEach(ProcessHandle::destroyForcibly);
        long killUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (ProcessHandle h : rest.values()) {
            awaitExit(h, killUntil);
        }
    }

    /**
     * Live processes (zombies and loki itself excluded) whose environment holds {@code entry}
     * ({@code NAME=value}, exactly), reading only pids of at least {@code minPid} (see
     * {@link #groupMembers(long, long)}). Empty where /proc is missing.
     */
    static List<ProcessHandle> carrying(String entry, long minPid) {
        List<ProcessHandle> out = new ArrayList<>();
        byte[] needle = (entry + "\0").getBytes(StandardCharsets.UTF_8);
        long self = ProcessHandle.current().pid();
        for (long pid : pids(minPid)) {
            if (pid == self) {
                continue;
            }
            try {
                // the environment first: the zombie check (ids() is empty for one) only for a match
                if (holds(Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ")), needle)
                        && ids(pid).isPresent()) {
                    ProcessHandle.of(pid).ifPresent(out::add);
                }
            } catch (IOException | RuntimeException e) {
                // gone meanwhile, or not ours to read
            }
        }
        return out;
    }

    /**
     * KILL to every process that still carries {@code entry}, until none does: the last word of
     * a kill. A process that forked just as its parent was killed is no longer anyone's
     * descendant and may have left the group, but it inherited the entry.
     */
    static void killCarrying(String entry, long minPid) {
        for (int round = 0; round < 5; round++) {
            List<ProcessHandle> left = carrying(entry, minPid);
            if (left.isEmpty()) {
                return;
            }
            left.forEach(ProcessHandle::destroyForcibly);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            for (ProcessHandle h : left) {
                awaitExit(h, until);
            }
        }
    }

    /** Whether the NUL-separated {@code environ} holds {@code needle} (an entry with its NUL) as one entry. */
    private static boolean holds(byte[] environ, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= environ.length; i++) {
            if (i > 0 && environ[i - 1] != 0) {
                continue;
            }
            for (int j = 0; j < needle.length; j++) {
                if (environ[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void awaitExit(ProcessHandle h, long untilNanos) {
        long left = untilNanos - System.nanoTime();
        if (left <= 0 || !h.isAlive()) {
            return;
        }
        try {
            h.onExit().get(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // still alive: the KILL round takes it
        }
    }

    /** "pid 123 (sleep 300)" for a log line. */
    static String describe(ProcessHandle h) {
        ProcessHandle.Info info = h.info();
        String cmd = info.commandLine().or(info::command).orElse("?");
        return "pid " + h.pid() + " (" + (cmd.length() > 120 ? cmd.substring(0, 120) + "..." : cmd) + ")";
    }
}
