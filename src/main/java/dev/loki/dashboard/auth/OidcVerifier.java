package dev.loki.dashboard.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.loki.store.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Validates bearer JWTs from an OIDC issuer ({@code LOKI_OIDC_ISSUER}): discovery and the JWKS
 * are fetched once and cached (an unknown {@code kid} triggers a rate-limited refresh, which
 * is how key rotation is picked up), only RS256 and ES256 are accepted (no HMAC-against-JWKS
 * confusion, no {@code none}), {@code exp}, {@code iss}, {@code aud} and {@code sub} are
 * required, with a small clock skew. The role claim ({@code LOKI_OIDC_ROLE_CLAIM}, default
 * {@code roles}) is mapped to a scope through {@code LOKI_OIDC_ROLE_MAP}; a user none of whose
 * roles map gets no scope at all (upstream gave every OIDC user admin).
 */
public final class OidcVerifier {
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration RETRY_DISCOVERY = Duration.ofSeconds(30);

    private final String issuer;
    private final String audience;
    private final String roleClaim;
    private final Map<String, Scope> roleMap;
    private final int clockSkewSeconds;
    private volatile ConfigurableJWTProcessor<SecurityContext> processor;
    private volatile Instant nextDiscovery = Instant.EPOCH;

    /** Why a JWT was refused; {@code status} is 401 (bad token) or 403 (valid, but no scope). */
    public static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;

        Rejected(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    OidcVerifier(String issuer, String audience, String roleClaim, Map<String, Scope> roleMap, int clockSkewSeconds) {
        this.issuer = issuer;
        this.audience = audience;
        this.roleClaim = roleClaim;
        this.roleMap = Map.copyOf(roleMap);
        this.clockSkewSeconds = clockSkewSeconds;
    }

    /** Configured when both {@code LOKI_OIDC_ISSUER} and {@code LOKI_OIDC_CLIENT_ID} are set. */
    public static Optional<OidcVerifier> fromEnv(Map<String, String> env) {
        String iss = env.getOrDefault("LOKI_OIDC_ISSUER", "").strip();
        String client = env.getOrDefault("LOKI_OIDC_CLIENT_ID", "").strip();
        if (iss.isEmpty() || client.isEmpty()) {
            return Optional.empty();
        }
        String aud = env.getOrDefault("LOKI_OIDC_AUDIENCE", "").strip();
        String claim = env.getOrDefault("LOKI_OIDC_ROLE_CLAIM", "").strip();
        int skew = 60;
        try {
            skew = Integer.parseInt(env.getOrDefault("LOKI_OIDC_CLOCK_SKEW", "60").strip());
        } catch (NumberFormatException e) {
            // keep the default
        }
        return Optional.of(new OidcVerifier(iss.endsWith("/") ? iss.substring(0, iss.length() - 1) : iss,
                aud.isEmpty() ? client : aud, claim.isEmpty() ? "roles" : claim,
                parseRoleMap(env.getOrDefault("LOKI_OIDC_ROLE_MAP", "")), Math.max(0, Math.min(skew, 600))));
    }

    /**
     * {@code role=scope} pairs separated by commas, e.g. {@code loki-admins=admin,devs=control}.
     * Without a map, only the literal role names {@code read}, {@code control} and {@code admin}
     * grant their scope.
     */
    static Map<String, Scope> parseRoleMap(String spec) {
        Map<String, Scope> m = new LinkedHashMap<>();
        if (spec.isBlank()) {
            for (Scope s : List.of(Scope.READ, Scope.CONTROL, Scope.ADMIN)) {
                m.put(s.label(), s);
            }
            return m;
        }
        for (String pair : spec.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            Scope.parse(pair.substring(eq + 1)).ifPresent(s -> m.put(pair.substring(0, eq).strip(), s));
        }
        return m;
    }

    public static boolean looksLikeJwt(String token) {
        return token.chars().filter(c -> c == '.').count() == 2 && token.length() < 16_384;
    }

    public Principal verify(String jwt) throws Rejected {
        JWTClaimsSet claims;
        try {
            claims = processor().process(jwt, null);
        } catch (Rejected e) {
            throw e;
        } catch (Exception e) {
            throw new Rejected(401, "invalid OIDC token: " + e.getMessage());
        }
        String sub = claims.getSubject();
        Scope best = Scope.PUBLIC;
        for (String role : roles(claims)) {
            Scope s = roleMap.get(role);
            if (s != null && s.ordinal() > best.ordinal()) {
                best = s;
            }
        }
        if (best == Scope.PUBLIC) {
            throw new Rejected(403, "OIDC user '" + sub + "' has no role that maps to a dashboard scope (claim '"
                    + roleClaim + "'; see LOKI_OIDC_ROLE_MAP)");
        }
        return new Principal("oidc:" + sub, best, "oidc", "");
    }

    private List<String> roles(JWTClaimsSet claims) {
        Object v = claims.getClaim(roleClaim);
        List<String> out = new ArrayList<>();
        if (v instanceof String s) {
            for (String part : s.split("[ ,]")) {
                if (!part.isBlank()) {
                    out.add(part.strip());
                }
            }
        } else if (v instanceof List<?> l) {
            l.forEach(x -> out.add(String.valueOf(x)));
        }
        return out;
    }

    private ConfigurableJWTProcessor<SecurityContext> processor() throws Rejected {
        ConfigurableJWTProcessor<SecurityContext> p = processor;
        if (p != null) {
            return p;
        }
        synchronized (this) {
            if (processor != null) {
                return processor;
            }
            if (Instant.now().isBefore(nextDiscovery)) {
                throw new Rejected(401, "the OIDC issuer is unreachable; try again shortly");
            }
            try {
                processor = build(discoverJwksUri());
                return processor;
            } catch (IOException | RuntimeException e) {
                nextDiscovery = Instant.now().plus(RETRY_DISCOVERY);
                throw new Rejected(401, "OIDC discovery failed for " + issuer + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Rejected(401, "interrupted during OIDC discovery");
            }
        }
    }

    private URL discoverJwksUri() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration"))
                .timeout(FETCH_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200 || r.body().length() > 1_000_000) {
            throw new IOException("discovery answered HTTP " + r.statusCode());
        }
        JsonNode doc = Json.parse(r.body());
        String found = doc.path("issuer").asText("");
        if (!stripSlash(found).equals(issuer)) {
            throw new IOException("discovery names issuer '" + found + "', expected '" + issuer + "'");
        }
        String jwks = doc.path("jwks_uri").asText("");
        if (jwks.isEmpty()) {
            throw new IOException("discovery has no jwks_uri");
        }
        String scheme = URI.create(jwks).getScheme();
        if (scheme == null || !(scheme.toLowerCase(Locale.ROOT).equals("https") || scheme.equals("http"))) {
            throw new IOException("jwks_uri is not an http(s) URL");
        }
        return URI.create(jwks).toURL();
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private ConfigurableJWTProcessor<SecurityContext> build(URL jwksUri) {
        int ms = (int) FETCH_TIMEOUT.toMillis();
        JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(jwksUri,
                        new DefaultResourceRetriever(ms, ms, 512 * 1024))
                .cache(Duration.ofHours(1).toMillis(), Duration.ofSeconds(5).toMillis())
                .rateLimited(Duration.ofSeconds(10).toMillis())
                .build();
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        p.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT,
                new JOSEObjectType("at+jwt"), null));
        p.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(Set.of(audience),
                new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "exp", "iss", "aud"), null);
        claims.setMaxClockSkew(clockSkewSeconds);
        p.setJWTClaimsSetVerifier(claims);
        return p;
    }
}
