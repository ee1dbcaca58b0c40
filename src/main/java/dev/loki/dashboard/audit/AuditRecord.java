package dev.loki.dashboard.audit;

/**
 * One audited action.
 *
 * @param actor    who: a token name, {@code oidc:<subject>}, {@code login-link}, or {@code anonymous}
 * @param auth     how they authenticated ({@code token}, {@code oidc}, {@code session:token}, ...; {@code none})
 * @param action   what: {@code POST /api/control/pause}, {@code token.create}, ...
 * @param resource the object acted on (a checkpoint id, a token name), or empty
 * @param status   the HTTP status returned (0 for actions outside HTTP, e.g. the CLI)
 * @param ip       the client address, or empty
 * @param detail   a short free-text note (never a secret)
 */
public record AuditRecord(String actor, String auth, String action, String resource, int status, String ip,
        String detail) {

    public boolean success() {
        return status == 0 || status < 400;
    }
}
