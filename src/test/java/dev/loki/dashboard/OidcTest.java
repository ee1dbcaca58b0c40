package dev.loki.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bearer JWTs from an OIDC issuer the test serves itself (JDK HttpServer on 127.0.0.1). */
class OidcTest {
    @TempDir
    static Path tmp;

    static HttpServer idp;
    static String issuer;
    static final List<JWK> published = new CopyOnWriteArrayList<>();
    static final AtomicInteger discoveryHits = new AtomicInteger();
    static final AtomicInteger jwksHits = new AtomicInteger();
    static RSAKey rsa;
    static ECKey ec;
    static ServerFixture f;

    @BeforeAll
    static void up() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        published.add(rsa.toPublicJWK());
        published.add(ec.toPublicJWK());
        idp = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        issuer = "http://127.0.0.1:" + idp.getAddress().getPort();
        idp.createContext("/.well-known/openid-configuration", ex -> {
            discoveryHits.incrementAndGet();
            respond(ex, "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/jwks\"}");
        });
        idp.createContext("/jwks", ex -> {
            jwksHits.incrementAndGet();
            respond(ex, new JWKSet(new ArrayList<>(published)).toString());
        });
        idp.start();
        f = ServerFixture.start(tmp, Map.of("LOKI_OIDC_ISSUER", issuer, "LOKI_OIDC_CLIENT_ID", "loki-dash",
                "LOKI_OIDC_ROLE_CLAIM", "groups", "LOKI_OIDC_ROLE_MAP", "viewers=read,operators=control"));
    }

    @AfterAll
    static void down() {
        f.close();
        idp.stop(0);
    }

    private static void respond(com.sun.net.httpserver.HttpExchange ex, String body) throws java.io.IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    static JWTClaimsSet.Builder claims(List<String> groups) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(issuer).subject("alice").audience("loki-dash")
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(600))).claim("groups", groups);
    }

    static String rs256(JWTClaimsSet c, RSAKey key) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), c);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    static int status(String jwt) {
        return Api.bearer(f.base(), jwt).get("/api/status").status();
    }

    @Test
    void a_valid_rs256_token_gets_the_scope_its_group_maps_to() throws Exception {
        String viewer = rs256(claims(List.of("viewers")).build(), rsa);
        assertThat(status(viewer)).isEqualTo(200);
        assertThat(Api.bearer(f.base(), viewer).post("/api/control/pause", null).status()).isEqualTo(403);
        String operator = rs256(claims(List.of("staff", "operators")).build(), rsa);
        assertThat(Api.bearer(f.base(), operator).post("/api/control/pause", null).status()).isEqualTo(200);
        assertThat(Api.bearer(f.base(), operator).get("/api/auth/session").json().path("subject").asText())
                .isEqualTo("oidc:alice");
    }

    @Test
    void an_es256_token_is_accepted() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").build(),
                claims(List.of("viewers")).build());
        jwt.sign(new ECDSASigner(ec));
        assertThat(status(jwt.serialize())).isEqualTo(200);
    }

    @Test
    void an_expired_token_is_refused() throws Exception {
        Instant past = Instant.now().minusSeconds(3600);
        String jwt = rs256(claims(List.of("viewers")).issueTime(Date.from(past.minusSeconds(60)))
                .expirationTime(Date.from(past)).build(), rsa);
        assertThat(status(jwt)).isEqualTo(401);
    }

    @Test
    void a_token_without_exp_is_refused() throws Exception {
        String jwt = rs256(claims(List.of("viewers")).expirationTime(null).build(), rsa);
        assertThat(status(jwt)).isEqualTo(401);
    }

    @Test
    void a_token_for_another_audience_or_issuer_is_refused() throws Exception {
        assertThat(status(rs256(claims(List.of("viewers")).audience("other-app").build(), rsa))).isEqualTo(401);
        assertThat(status(rs256(claims(List.of("viewers")).issuer("http://evil.example").build(), rsa)))
                .isEqualTo(401);
    }

    @Test
    void a_token_signed_with_an_unknown_key_is_refused_even_with_a_known_kid() throws Exception {
        RSAKey forger = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        assertThat(status(rs256(claims(List.of("viewers")).build(), forger))).isEqualTo(401);
    }

    @Test
    void hmac_and_unsigned_tokens_are_refused() throws Exception {
        SignedJWT hs = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims(List.of("viewers")).build());
        hs.sign(new MACSigner("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8)));
        assertThat(status(hs.serialize())).isEqualTo(401);
        String none = new com.nimbusds.jwt.PlainJWT(claims(List.of("viewers")).build()).serialize() + "x";
        assertThat(status(none)).isEqualTo(401);
    }

    @Test
    void a_valid_user_whose_groups_map_to_no_scope_gets_403() throws Exception {
        assertThat(status(rs256(claims(List.of("marketing")).build(), rsa))).isEqualTo(403);
        assertThat(status(rs256(claims(List.of()).build(), rsa))).isEqualTo(403);
    }

    @Test
    void a_rotated_key_is_picked_up_and_discovery_is_fetched_once() throws Exception {
        assertThat(status(rs256(claims(List.of("viewers")).build(), rsa))).isEqualTo(200);
        RSAKey next = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
        published.add(next.toPublicJWK());
        assertThat(status(rs256(claims(List.of("viewers")).build(), next))).isEqualTo(200);
        for (int i = 0; i < 5; i++) {
            assertThat(status(rs256(claims(List.of("viewers")).build(), rsa))).isEqualTo(200);
        }
        assertThat(discoveryHits.get()).isEqualTo(1);
        assertThat(jwksHits.get()).as("JWKS is cached, refreshed only for the new kid").isLessThanOrEqualTo(3);
    }
}
