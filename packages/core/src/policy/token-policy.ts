import { Forbidden, NotAuthenticated, type TeamsError } from "../errors.js";
import { isDelegated, type Principal } from "../principal.js";
import { messages } from "./messages.js";
import { decideAdmin } from "./user-policy.js";

/** The kinds of endpoint DESIGN §2's token table speaks of: the five of §3, then §4's groups. */
export const ENDPOINT_KINDS = [
  "list-teams",
  "list-authorized-teams",
  "authorize",
  "revoke",
  "list-team-users",
  "management",
  "users",
  "administration",
  "pages",
  // The tokens the service issues (issue 15): asking for a delegated token, and switching back.
  "delegation",
  "principal-token",
] as const;
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

/** The five endpoints of the reference (DESIGN §3): what a manager may do as its managed user. */
const REFERENCE: ReadonlySet<EndpointKind> = new Set([
  "list-teams",
  "list-authorized-teams",
  "authorize",
  "revoke",
  "list-team-users",
]);

/** The rows of DESIGN §2's token table. */
export type TokenRow = "regular" | "managed-user" | "through-team" | "other-delegated";

/** What the store knows of a delegated token's `sub`; undefined when no such user exists. */
export interface SubjectFacts {
  managerId: string | null;
}

/** Whether the row of `principal` depends on its subject's manager (the only case that reads it). */
export function needsSubjectFacts(principal: Principal): boolean {
  return isDelegated(principal) && !principal.teamId;
}

/** The row of the token table a principal falls in, given its subject (read only when needed). */
export function tokenRow(principal: Principal, subject: SubjectFacts | undefined): TokenRow {
  if (!isDelegated(principal)) return "regular";
  if (principal.teamId) return "through-team";
  return subject !== undefined && subject.managerId === principal.authorizedParty
    ? "managed-user"
    : "other-delegated";
}

/**
 * What a token may do (DESIGN §2): a person everything its memberships allow, administration only
 * with `admin`; a manager acting as its managed user the five endpoints of the reference and the
 * principal-token exchange; a token delegated through a team only that exchange; any other
 * delegated token nothing, as a credential that cannot be valid.
 * Returns the refusal (401 or 403), or null when the row allows the endpoint; the endpoint's own
 * rule still decides after it.
 */
export function decideTokenUse(
  principal: Principal,
  subject: SubjectFacts | undefined,
  kind: EndpointKind,
): TeamsError | null {
  switch (tokenRow(principal, subject)) {
    case "regular":
      return kind === "administration" ? decideAdmin(principal) : null;
    case "managed-user":
      return REFERENCE.has(kind) || kind === "principal-token"
        ? null
        : new Forbidden(messages.delegatedTokenNotHere, { reason: "delegated_token_refused" });
    case "through-team":
      return kind === "principal-token"
        ? null
        : new Forbidden(messages.teamTokenNotHere, { reason: "team_token_refused" });
    case "other-delegated":
      return new NotAuthenticated(messages.couldNotValidate, { reason: "not_the_manager" });
  }
}
