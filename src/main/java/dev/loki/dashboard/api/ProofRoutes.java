package dev.loki.dashboard.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.dashboard.ApiError;
import dev.loki.dashboard.Backend;
import dev.loki.dashboard.BoundedFiles;
import dev.loki.dashboard.Requests;
import dev.loki.dashboard.RouteTable;
import dev.loki.dashboard.auth.Scope;
import dev.loki.store.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Proof-of-run reports under {@code .loki/proofs/<id>/} ({@code proof.json}, {@code index.html}).
 * The HTML is served with {@code Content-Security-Policy: sandbox}: it runs in an opaque origin,
 * so nothing in a report can reach the dashboard's cookies or API (upstream served it
 * same-origin, uncontained).
 */
public final class ProofRoutes {
    public static final String PROOF_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:;"
            + " frame-ancestors 'self'";
    private static final long MAX_HTML = 16L * 1024 * 1024;

    private final Backend b;

    public ProofRoutes(Backend b) {
        this.b = b;
    }

    public void register(RouteTable t) {
        t.get("/api/proofs", Scope.READ, this::list);
        t.get("/api/proofs/{id}", Scope.READ, this::show);
        t.get("/api/proofs/{id}/html", Scope.READ, this::html);
    }

    void list(Context ctx) {
        int limit = Requests.limit(ctx, 50, 200);
        int offset = Requests.offset(ctx);
        List<Path> dirs = dirs();
        ObjectNode o = Json.object();
        ArrayNode arr = o.putArray("proofs");
        // this machine's key, loaded once for the page (each proof's check trusts the same one)
        List<java.security.PublicKey> trusted = dev.loki.proof.ProofSigner.forEnv(b.env()).publicKey()
                .map(List::of).orElse(List.of());
        for (int i = offset; i < Math.min(dirs.size(), offset + limit); i++) {
            Path d = dirs.get(i);
            JsonNode p = BoundedFiles.json(b.loki(), d.resolve("proof.json")).orElse(Json.object());
            ObjectNode item = arr.addObject();
            item.put("run_id", d.getFileName().toString());
            item.set("generated_at", p.path("generated_at").isTextual() ? p.get("generated_at") : Json.MAPPER.nullNode());
            item.set("loki_version", p.path("loki_version").isTextual() ? p.get("loki_version") : Json.MAPPER.nullNode());
            JsonNode cost = p.path("cost").path("usd");
            item.set("cost_usd", cost.isNumber() ? cost : Json.MAPPER.nullNode());
            JsonNode files = p.path("files_changed").path("count");
            item.set("files_changed", files.isNumber() ? files : Json.MAPPER.nullNode());
            JsonNode verdict = p.path("council").path("final_verdict");
            item.set("final_verdict", verdict.isTextual() ? verdict : Json.MAPPER.nullNode());
            item.put("has_html", BoundedFiles.isConfinedFile(b.loki(), d.resolve("index.html")));
            // what 'loki proof verify' says: a verdict from an edited proof.json is not shown as a fact
            item.put("integrity", integrity(d, trusted));
        }
        o.put("total", dirs.size());
        o.put("limit", limit);
        o.put("offset", offset);
        ctx.json(o);
    }

    void show(Context ctx) {
        Path dir = dir(Requests.id(ctx, "id"));
        Path f = dir.resolve("proof.json");
        if (!BoundedFiles.isConfinedFile(b.loki(), f)) {
            throw ApiError.notFound("proof not found: " + dir.getFileName());
        }
        ctx.json(BoundedFiles.json(b.loki(), f).orElseThrow(() -> new ApiError(500, "unreadable",
                "proof " + dir.getFileName() + " is corrupt or too large")));
    }

    void html(Context ctx) throws IOException {
        Path dir = dir(Requests.id(ctx, "id"));
        Path f = dir.resolve("index.html");
        if (!BoundedFiles.isConfinedFile(b.loki(), f) || Files.size(f) > MAX_HTML) {
            throw ApiError.notFound("proof page not found: " + dir.getFileName());
        }
        ctx.header("Content-Security-Policy", PROOF_CSP);
        ctx.header("X-Frame-Options", "SAMEORIGIN");
        ctx.contentType("text/html; charset=utf-8").result(Files.readAllBytes(f));
    }

    /**
     * {@code loki proof verify}'s verdict for the proof in {@code d} ({@code trusted}: this machine's key):
     * VERIFIED, INTEGRITY ONLY, ALTERED or NO HASH; UNREADABLE when its files cannot be read.
     */
    private String integrity(Path d, List<java.security.PublicKey> trusted) {
        if (!BoundedFiles.isConfinedFile(b.loki(), d.resolve("proof.json"))) {
            return "UNREADABLE";
        }
        try {
            return dev.loki.proof.Attestation.verify(d, trusted).verdict().label();
        } catch (IOException | RuntimeException e) {
            return "UNREADABLE";
        }
    }

    private Path dir(String id) {
        Path root = b.loki().resolve("proofs").toAbsolutePath().normalize();
        Path d = root.resolve(id).normalize();
        if (!d.startsWith(root) || d.equals(root)) {
            throw ApiError.badRequest("invalid proof id");
        }
        try {
            if (Files.exists(d) && !d.toRealPath().startsWith(root.toRealPath())) {
                throw ApiError.badRequest("invalid proof id");
            }
        } catch (IOException e) {
            throw ApiError.notFound("proof not found: " + id);
        }
        return d;
    }

    /** Proof directories, newest run id first (run ids start with their timestamp). */
    private List<Path> dirs() {
        Path root = b.loki().resolve("proofs");
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.limit(ReadRoutes.MAX_LISTED).filter(Files::isDirectory)
                    .filter(p -> dev.loki.Ids.isSafe(p.getFileName().toString()))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
