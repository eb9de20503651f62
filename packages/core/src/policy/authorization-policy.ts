import { Forbidden, NotAuthenticated, type TeamsError } from "../errors.js";
import { isDelegated, type Principal } from "../principal.js";
import { messages } from "./messages.js";

/** The facts about the user a delegated token acts for (`sub`); undefined when not in the store. */
export interface Subject {
  id: string;
  managerId: string | null;
}

/**
 * Who may authorize or revoke a team for a user over the API (DESIGN §3): a delegated token whose
 * `sub` is a managed user of its `azp`. Returns the refusal, or null when allowed. A delegated
 * token whose `azp` is not the manager can never be valid (DESIGN §2's table): a 401, as the
 * token table answers it before the write; here again inside the write, where the user is locked.
 */
export function decideDelegation(
  principal: Principal,
  subject: Subject | undefined,
): TeamsError | null {
  if (!isDelegated(principal))
    return new Forbidden(messages.delegatedTokenRequired, { reason: "delegated_token_required" });
  if (!subject || subject.managerId === null || subject.managerId !== principal.authorizedParty) {
    return new NotAuthenticated(messages.couldNotValidate, { reason: "not_the_manager" });
  }
  return null;
}

/** Authorizing also requires that the token holds every scope it grants: no one grants what they lack. */
export function decideAuthorize(
  principal: Principal,
  subject: Subject | undefined,
  scopes: readonly string[],
): TeamsError | null {
  const refused = decideDelegation(principal, subject);
  if (refused) return refused;
  const held = new Set(principal.scopes);
  const lacking = scopes.filter((s) => !held.has(s));
  return lacking.length > 0
    ? new Forbidden(messages.scopesNotHeld(lacking), { reason: "scope_not_held" })
    : null;
}

/** Revoking takes only the delegation: withdrawing access never needs more rights than granting. */
export function decideRevoke(
  principal: Principal,
  subject: Subject | undefined,
): TeamsError | null {
  return decideDelegation(principal, subject);
}

/**
 * A regular user authorizes (or withdraws) a team for itself, in the browser: its own token, not a
 * delegated one, and not a managed user (who has no login; its manager acts for it).
 */
export function decideConsent(
  principal: Principal,
  subject: Subject | undefined,
): TeamsError | null {
  if (isDelegated(principal) || (subject !== undefined && subject.managerId !== null)) {
    return new Forbidden(messages.consentNeedsOwnToken, { reason: "own_token_required" });
  }
  return null;
}
