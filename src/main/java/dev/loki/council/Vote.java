package dev.loki.council;

/** One council member's vote: "APPROVE" or "REJECT", with the reason it gave. */
public record Vote(String reviewer, String vote, String reason) {
    public static final String APPROVE = "APPROVE";
    public static final String REJECT = "REJECT";

    public boolean approves() {
        return APPROVE.equals(vote);
    }
}
