package dev.loki.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.provider.Provider;
import dev.loki.provider.Providers;
import dev.loki.store.Json;
import dev.loki.store.JsonFiles;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Provider failover ({@code LOKI_FAILOVER=true}): a rate-limited provider is marked unhealthy
 * until its wait is over and the next installed provider of {@code LOKI_FAILOVER_CHAIN} takes
 * over; after a successful iteration the loop returns to the primary once it is healthy
 * again. State in {@code state/failover.json} (upstream's shape).
 */
public final class Failover {
    private final LokiDir dir;
    private final List<String> chain;
    private final String primary;
    private final Map<String, String> env;
    private final Map<String, Instant> unhealthyUntil = new HashMap<>();
    private int count;
    private String lastFailover = "";

    public Failover(LokiDir dir, List<String> chain, String primary, Map<String, String> env) {
        this.dir = dir;
        this.chain = chain;
        this.primary = primary;
        this.env = env;
    }

    /** The provider to switch to after {@code current} was rate limited until {@code until}. */
    public java.util.Optional<Provider> next(Provider current, Instant until) throws IOException {
        unhealthyUntil.put(current.name(), until);
        int start = Math.max(0, chain.indexOf(current.name()));
        for (int k = 1; k <= chain.size(); k++) {
            String name = chain.get((start + k) % chain.size());
            if (name.equals(current.name()) || !healthy(name)) {
                continue;
            }
            Provider p = Providers.byName(name, env);
            if (p.locate(env).isPresent()) {
                count++;
                lastFailover = Instant.now().toString();
                save(name);
                ObjectNode ev = Json.object();
                ev.put("from", current.name());
                ev.put("to", name);
                dir.events().append("provider_failover", ev);
                return java.util.Optional.of(p);
            }
        }
        save(current.name());
        return java.util.Optional.empty();
    }

    /** After a success on a fallback: the primary again, when its rate-limit wait is over. */
    public java.util.Optional<Provider> backToPrimary(Provider current) throws IOException {
        if (current.name().equals(primary) || !healthy(primary)) {
            return java.util.Optional.empty();
        }
        save(primary);
        return java.util.Optional.of(Providers.byName(primary, env));
    }

    private boolean healthy(String name) {
        Instant until = unhealthyUntil.get(name);
        return until == null || Instant.now().isAfter(until);
    }

    private void save(String current) throws IOException {
        ObjectNode f = Json.object();
        f.put("enabled", true);
        chain.forEach(f.putArray("chain")::add);
        f.put("currentProvider", current);
        f.put("primaryProvider", primary);
        f.put("lastFailover", lastFailover);
        f.put("failoverCount", count);
        ObjectNode h = f.putObject("healthCheck");
        chain.forEach(c -> h.put(c, healthy(c) ? "healthy" : "unhealthy"));
        JsonFiles.write(dir.resolve("state/failover.json"), f);
    }
}
