package dev.loki.cli;

import dev.loki.run.RunHooks;
import dev.loki.run.RunStarter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Starts a run for start/quick and prints its one-line result on stdout. */
final class RunOutput {
    private RunOutput() {
    }

    static int run(CliContext ctx, Optional<Path> spec, Optional<String> provider, Map<String, String> overrides)
            throws Exception {
        boolean realProcess = ctx.err() == System.err;
        boolean live = realProcess && System.console() != null && !"dumb".equals(ctx.env().get("TERM"));
        Map<String, String> env = new java.util.HashMap<>(ctx.env());
        if (ctx.verbose()) {
            overrides = new java.util.HashMap<>(overrides);
            overrides.put("LOKI_ECHO", "true");
        }
        env.putAll(overrides);
        if (realProcess && !"0".equals(env.get("LOKI_PROOF"))) {
            // the first run without a signing key offers one, once
            dev.loki.proof.ProofSigner.firstStartHint(env).ifPresent(ctx.err()::println);
        }
        RunStarter.Outcome o = new RunStarter(ctx.lokiDir(), ctx.env(), ctx.cwd(), ctx.err()).start(
                new RunStarter.Request(spec, provider, Optional.empty(), overrides, live, realProcess,
                        RunHooks.standard(env)));
        ctx.out().println(o.run().runId() + " " + o.result().status() + " after " + o.result().iterations()
                + " iteration(s): " + o.result().reason());
        int code = o.result().exitCode();
        if (code != 0) {
            ctx.err().println("loki: exit " + code + ": " + meaning(code) + " (exit codes: 'loki start --help')");
        }
        return code;
    }

    static String meaning(int code) {
        for (String[] row : dev.loki.run.LoopResult.EXIT_CODES) {
            if (row[0].equals(Integer.toString(code))) {
                return row[1];
            }
        }
        return "the run did not complete";
    }
}
