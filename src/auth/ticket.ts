import { verifyTicket } from "./credentials.ts";
import { FAILED, identityOf, type SecureAuthenticator } from "./secure_authenticator.ts";
import type { TicketIssuer } from "./ticket_issuer.ts";

/**
 * WAMP "Ticket-based Authentication": CHALLENGE("ticket", {}) → AUTHENTICATE(ticket). The
 * ticket is either one of the user's static tickets (stored hashed) or a router-issued JWT for
 * this realm and authid (ticket_issuer.ts).
 */
export function createTicketAuthenticator(issuer?: TicketIssuer): SecureAuthenticator {
  return {
    method: "ticket",
    usable: (u) => u !== undefined && ((u.credentials.tickets?.length ?? 0) > 0 || issuer !== undefined),
    start: (a) => {
      const user = a.user;
      if (!user) return FAILED;
      return {
        extra: {},
        verify: (ticket) => {
          if (issuer && ticket.split(".").length === 3) {
            const claims = issuer.verify(ticket, a.realm);
            if ("error" in claims || claims.sub !== user.authid) return FAILED;
            const id = identityOf(user, "ticket");
            if (claims.authrole) id.authrole = claims.authrole;
            return id;
          }
          return verifyTicket(user.credentials.tickets, ticket, a.now) ? identityOf(user, "ticket") : FAILED;
        },
      };
    },
  };
}
