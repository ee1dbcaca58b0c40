package dev.loki.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.ExitCode;
import dev.loki.LokiException;
import dev.loki.dashboard.audit.AuditLog;
import dev.loki.dashboard.audit.AuditRecord;
import dev.loki.dashboard.auth.Scope;
import dev.loki.dashboard.auth.TokenInfo;
import dev.loki.dashboard.auth.TokenStore;
import dev.loki.store.Json;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code loki dashboard token}: API tokens for scripts and for logging in from another browser. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Create, list and revoke dashboard API tokens (shown once, stored hashed).",
        subcommands = {
            DashboardTokenCommand.Create.class,
            DashboardTokenCommand.ListCmd.class,
            DashboardTokenCommand.Revoke.class,
        })
public final class DashboardTokenCommand extends BaseCommand {
    DashboardTokenCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int doCall() {
        return usage();
    }

    static void audit(CliContext ctx, String action, String resource, String detail) {
        new AuditLog(ctx.lokiDir(), ctx.env()).record(new AuditRecord(System.getProperty("user.name", "cli"), "cli",
                action, resource, 0, "", detail));
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a token; it is printed once on stdout and never again.")
    static final class Create extends BaseCommand {
        @Option(names = "--scope", required = true, paramLabel = "SCOPE",
                description = "read, control (read + pause/resume/stop/checkpoints/rollback) or admin (everything).")
        String scope;

        @Option(names = "--name", paramLabel = "NAME", description = "A name to recognise it by (default: its id).")
        String name;

        @Option(names = "--expires", paramLabel = "WHEN", defaultValue = "30d",
                description = "Lifetime: 90m, 12h, 30d, 2w, or 'never' (default: ${DEFAULT-VALUE}).")
        String expires;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        Create(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            Scope s = Scope.parse(scope).orElseThrow(() -> LokiException.badInput("Invalid --scope '" + scope
                    + "': use read, control or admin"));
            TokenStore.Issued t = new TokenStore(ctx.lokiDir().ensureExists()).issue(name, s,
                    TokenStore.parseExpiry(expires));
            audit(ctx, "token.create", t.info().name(), "scope " + s.label());
            if (json) {
                ObjectNode o = describe(t.info());
                o.put("token", t.token());
                ctx.out().println(Json.pretty(o));
            } else {
                ctx.out().println(t.token());
                ctx.err().println("Created token '" + t.info().name() + "' (" + t.info().id() + ", scope " + s.label()
                        + ", " + t.info().expiresAt().map(e -> "expires " + e).orElse("never expires")
                        + "). It is shown only this once.");
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List tokens (never their secrets).")
    static final class ListCmd extends BaseCommand {
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        ListCmd(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            List<TokenInfo> all = new TokenStore(ctx.lokiDir()).list();
            if (json) {
                ArrayNode arr = Json.MAPPER.createArrayNode();
                all.forEach(t -> arr.add(describe(t)));
                ctx.out().println(Json.pretty(arr));
                return ExitCode.OK;
            }
            if (all.isEmpty()) {
                ctx.out().println("No tokens. Create one with: loki dashboard token create --scope read");
                return ExitCode.OK;
            }
            ctx.out().printf("%-16s %-24s %-8s %-8s %-20s %s%n", "ID", "NAME", "SCOPE", "STATE", "CREATED", "EXPIRES");
            Instant now = Instant.now();
            for (TokenInfo t : all) {
                ctx.out().printf("%-16s %-24s %-8s %-8s %-20s %s%n", t.id(), t.name(), t.scope().label(), t.state(now),
                        t.createdAt(), t.expiresAt().map(Instant::toString).orElse("never"));
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a token by id or name; sessions opened with it end too.")
    static final class Revoke extends BaseCommand {
        @Parameters(paramLabel = "ID|NAME")
        String which;

        Revoke(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int doCall() {
            if (!new TokenStore(ctx.lokiDir()).revoke(which)) {
                throw LokiException.failed("No active token with id or name '" + which
                        + "'. See 'loki dashboard token list'.");
            }
            audit(ctx, "token.revoke", which, "");
            ctx.out().println("Revoked " + which + ".");
            return ExitCode.OK;
        }
    }

    static ObjectNode describe(TokenInfo t) {
        ObjectNode o = Json.object();
        o.put("id", t.id());
        o.put("name", t.name());
        o.put("scope", t.scope().label());
        o.put("state", t.state(Instant.now()));
        o.put("created_at", t.createdAt().toString());
        t.expiresAt().ifPresentOrElse(e -> o.put("expires_at", e.toString()), () -> o.putNull("expires_at"));
        t.revokedAt().ifPresentOrElse(e -> o.put("revoked_at", e.toString()), () -> o.putNull("revoked_at"));
        return o;
    }
}
