package dev.loki.dashboard.auth;

import java.util.Optional;

/**
 * Turns request credentials into a {@link Principal}: a bearer API token, a bearer OIDC JWT,
 * or a session cookie. A session that was opened with an API token ends when that token is
 * revoked or expires.
 */
public final class Authenticator {
    private final TokenStore tokens;
    private final SessionStore sessions;
    private final Optional<OidcVerifier> oidc;

    /** The outcome: who, and the session when the credential was a cookie (CSRF applies then). */
    public record Result(Principal principal, Optional<SessionStore.Session> session) {
    }

    /** A credential was presented and refused. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;

        public Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    public Authenticator(TokenStore tokens, SessionStore sessions, Optional<OidcVerifier> oidc) {
        this.tokens = tokens;
        this.sessions = sessions;
        this.oidc = oidc;
    }

    /** Empty when no credential was sent at all. */
    public Optional<Result> authenticate(String authorization, String cookie) throws Refused {
        if (authorization != null && !authorization.isBlank()) {
            String a = authorization.strip();
            if (!a.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new Refused(401, "use 'Authorization: Bearer <token>'");
            }
            return Optional.of(new Result(bearer(a.substring(7).strip()), Optional.empty()));
        }
        if (cookie != null && !cookie.isEmpty()) {
            Optional<SessionStore.Session> s = sessions.find(cookie);
            if (s.isEmpty()) {
                throw new Refused(401, "your session has expired; log in again");
            }
            String tokenId = s.get().principal().tokenId();
            if (!tokenId.isEmpty() && !tokens.isActive(tokenId)) {
                sessions.close(cookie);
                throw new Refused(401, "the token this session was opened with was revoked or expired");
            }
            return Optional.of(new Result(s.get().principal(), s));
        }
        return Optional.empty();
    }

    /**
     * Whether the credential a long-lived request (the live stream) was opened with still holds
     * {@code scope}: the token is not revoked or expired, the JWT not expired, the session not
     * logged out, expired, or opened with a token since revoked. Never extends a session.
     */
    public boolean stillValid(String authorization, String cookie, Scope scope) {
        try {
            if (authorization != null && !authorization.isBlank()) {
                return authenticate(authorization, null).map(r -> r.principal().scope().includes(scope)).orElse(false);
            }
            Optional<SessionStore.Session> s = sessions.peek(cookie);
            if (s.isEmpty() || !s.get().principal().scope().includes(scope)) {
                return false;
            }
            String tokenId = s.get().principal().tokenId();
            return tokenId.isEmpty() || tokens.isActive(tokenId);
        } catch (Refused e) {
            return false;
        }
    }

    /** An API token or an OIDC JWT. */
    public Principal bearer(String token) throws Refused {
        if (token.startsWith(TokenStore.PREFIX)) {
            TokenInfo t = tokens.verify(token)
                    .orElseThrow(() -> new Refused(401, "invalid, expired or revoked token"));
            return new Principal(t.name(), t.scope(), "token", t.id());
        }
        if (oidc.isPresent() && OidcVerifier.looksLikeJwt(token)) {
            try {
                return oidc.get().verify(token);
            } catch (OidcVerifier.Rejected e) {
                throw new Refused(e.status(), e.getMessage());
            }
        }
        throw new Refused(401, "invalid, expired or revoked token");
    }
}
