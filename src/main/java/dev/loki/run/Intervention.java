package dev.loki.run;

import dev.loki.store.AtomicFiles;
import dev.loki.store.LokiDir;
import dev.loki.store.Signals;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The control files a person writes to steer the loop, read at the top of every iteration in
 * upstream's order: PAUSE (wait until it is removed; STOP while paused stops), then
 * PAUSE_AT_CHECKPOINT (becomes a pause: every iteration ends at a checkpoint), then
 * HUMAN_INPUT.md (accepted only with {@code LOKI_PROMPT_INJECTION=true}, never through a
 * symlink, at most 1 MB; otherwise quarantined under logs/), then STOP (consumed).
 */
public final class Intervention {
    static final long MAX_INPUT_BYTES = 1024 * 1024;
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")
            .withZone(ZoneOffset.UTC);

    /** What the loop should do next, and a human directive for the next prompt if one came in. */
    public record Result(boolean stop, Optional<String> directive) {
    }

    /** Called when the loop starts waiting in a pause (to save the "paused" status). */
    public interface PauseListener {
        void paused() throws IOException;
    }

    private final LokiDir dir;
    private final Signals signals;
    private final RunSettings settings;
    private final RunLog log;
    private final BooleanSupplier hardStop;
    private final PauseListener onPause;

    public Intervention(LokiDir dir, RunSettings settings, RunLog log, BooleanSupplier hardStop, PauseListener onPause) {
        this.dir = dir;
        this.signals = new Signals(dir);
        this.settings = settings;
        this.log = log;
        this.hardStop = hardStop;
        this.onPause = onPause;
    }

    public Result check() throws IOException, InterruptedException {
        Optional<String> directive = Optional.empty();
        while (true) {
            if (hardStop.getAsBoolean()) {
                return new Result(true, directive);
            }
            if (signals.isSet(Signals.PAUSE_AT_CHECKPOINT)) {
                signals.raise(Signals.PAUSE);
                signals.clear(Signals.PAUSE_AT_CHECKPOINT);
            }
            if (signals.isSet(Signals.PAUSE)) {
                if (waitWhilePaused()) {
                    return new Result(true, directive);
                }
                continue;
            }
            directive = humanInput();
            if (signals.isSet(Signals.STOP)) {
                signals.clear(Signals.STOP);
                log.info("STOP signal received: stopping");
                return new Result(true, directive);
            }
            return new Result(false, directive);
        }
    }

    /** Blocks in a pause; true when it ended with a stop. */
    boolean waitWhilePaused() throws IOException, InterruptedException {
        onPause.paused();
        String budget = signals.isSet(Signals.BUDGET_EXCEEDED) ? "The budget limit was reached. " : "";
        signals.raise(Signals.PAUSED_NOTE, "# Loki is paused\n\n" + budget + "Paused at " + Instant.now() + ".\n\n"
                + "- Resume: `loki resume` (or delete .loki/PAUSE)\n- Stop: `loki stop`\n");
        log.info("Paused. " + budget + "Resume with 'loki resume', stop with 'loki stop'.");
        long pollMs = Math.max(10, settings.pausePoll().toMillis());
        while (true) {
            if (hardStop.getAsBoolean()) {
                signals.clear(Signals.PAUSED_NOTE);
                return true;
            }
            if (signals.isSet(Signals.STOP)) {
                signals.clear(Signals.STOP);
                signals.clear(Signals.PAUSE);
                signals.clear(Signals.PAUSED_NOTE);
                log.info("STOP signal received while paused: stopping");
                return true;
            }
            if (!signals.isSet(Signals.PAUSE)) {
                signals.clear(Signals.PAUSED_NOTE);
                log.info("Resumed");
                return false;
            }
            Thread.sleep(pollMs);
        }
    }

    /** Consumes HUMAN_INPUT.md under upstream's safety rules; the directive when accepted. */
    Optional<String> humanInput() throws IOException {
        Path file = signals.file(Signals.HUMAN_INPUT);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Path logs = dir.resolve("logs");
        Files.createDirectories(logs);
        String ts = TS.format(Instant.now());
        if (Files.isSymbolicLink(file)) {
            moveAway(file, logs.resolve("human-input-REJECTED-SYMLINK-" + ts + ".md"));
            log.warn("HUMAN_INPUT.md is a symlink: refused (moved to logs/). Write a regular file instead.");
            return Optional.empty();
        }
        if (Files.size(file) == 0) {
            return Optional.empty();
        }
        // Claim the file by renaming it: of two concurrent consumers only one rename succeeds.
        Path claimed = logs.resolve(".human-input-claim-" + ts + "-" + ProcessHandle.current().pid());
        if (!moveAway(file, claimed)) {
            return Optional.empty();
        }
        if (!settings.promptInjection()) {
            moveAway(claimed, logs.resolve("human-input-REJECTED-" + ts + ".md"));
            log.warn("HUMAN_INPUT.md ignored: prompt injection is off (set LOKI_PROMPT_INJECTION=true to allow it)."
                    + " Kept in logs/.");
            return Optional.empty();
        }
        if (Files.size(claimed) > MAX_INPUT_BYTES) {
            moveAway(claimed, logs.resolve("human-input-REJECTED-TOOLARGE-" + ts + ".md"));
            log.warn("HUMAN_INPUT.md is larger than 1 MB: refused (kept in logs/).");
            return Optional.empty();
        }
        String text = Files.readString(claimed, StandardCharsets.UTF_8);
        moveAway(claimed, logs.resolve("human-input-" + ts + ".md"));
        log.info("Human directive accepted (" + text.length() + " characters); it goes into the next prompt");
        return Optional.of(text.strip());
    }

    private static boolean moveAway(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.fsyncDirectory(to.getParent());
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
            return true;
        }
    }
}
