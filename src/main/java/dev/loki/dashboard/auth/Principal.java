package dev.loki.dashboard.auth;

/**
 * Who is calling and with which scope.
 *
 * @param subject  a token's name, an OIDC subject, or {@code login} for a one-time login link
 * @param method   {@code token}, {@code oidc}, {@code session} or {@code login-link}
 * @param tokenId  the API token's id when the caller used one (empty otherwise); a session
 *                 remembers it so revoking the token also ends the session
 */
public record Principal(String subject, Scope scope, String method, String tokenId) {
}
