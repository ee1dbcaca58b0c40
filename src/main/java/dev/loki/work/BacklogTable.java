package dev.loki.work;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The backlog's live table: redrawn in place on a terminal; as plain lines (one per change of a
 * run's status, phase, iteration or gates) when the output is a file or a pipe.
 */
public final class BacklogTable implements Backlog.Display {
    private final PrintStream out;
    private final boolean tty;
    private final Map<String, String> lastPlain = new HashMap<>();
    private int drawn;

    public BacklogTable(PrintStream out, boolean tty) {
        this.out = out;
        this.tty = tty;
    }

    @Override
    public void show(List<Backlog.Row> rows) {
        if (tty) {
            StringBuilder b = new StringBuilder();
            if (drawn > 0) {
                b.append("\033[").append(drawn).append("F");
            }
            b.append("\033[2K").append(header()).append('\n');
            rows.forEach(r -> b.append("\033[2K").append(line(r)).append('\n'));
            out.print(b);
            out.flush();
            drawn = rows.size() + 1;
            return;
        }
        if (drawn == 0) {
            out.println(header());
            drawn = 1;
        }
        for (Backlog.Row r : rows) {
            String key = r.status() + "|" + r.phase() + "|" + r.iteration() + "|" + (r.gates().isEmpty() ? "-"
                    : r.gates());
            if (!key.equals(lastPlain.put(r.run(), key))) {
                out.println(line(r));
            }
        }
        out.flush();
    }

    static String header() {
        return String.format(Locale.ROOT, "%-24s %-18s %-14s %5s %-10s %8s %9s", "RUN", "STATE", "PHASE", "ITER",
                "GATES", "ELAPSED", "COST");
    }

    static String line(Backlog.Row r) {
        return String.format(Locale.ROOT, "%-24s %-18s %-14s %5d %-10s %7ds %9s", r.run(), r.status(),
                r.phase().isEmpty() ? "-" : r.phase(), r.iteration(), r.gates().isEmpty() ? "-" : r.gates(),
                r.elapsedSec(), String.format(Locale.ROOT, "$%.4f", r.cost()));
    }
}
