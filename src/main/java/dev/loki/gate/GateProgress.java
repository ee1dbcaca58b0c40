package dev.loki.gate;

/** Told when a gate starts, with what it runs (a command, the reviewers), for the run's console. */
@FunctionalInterface
public interface GateProgress {
    GateProgress NONE = (gate, what) -> { };

    void started(String gate, String what);
}
