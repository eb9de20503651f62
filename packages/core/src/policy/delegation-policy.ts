import { Forbidden, NotFound, type TeamsError } from "../errors.js";
import { isDelegated, type Principal } from "../principal.js";
import { canonicalScopes, isScope, type Scope } from "../scopes.js";
import { messages } from "./messages.js";

/** What a caller asks to delegate (`POST /api/v1/oauth/delegated-token`), validated. */
export interface DelegationRequest {
  sub: string;
  /** Narrow the token to these; absent: everything that may be granted. */
  scopes?: readonly Scope[] | undefined;
  /** Act through this team's authorization instead of as the user's manager. */
  teamId?: string | undefined;
}

/** What the store knows that the decision needs; loaded before deciding. */
export interface DelegationFacts {
  /** `sub` as stored (its manager); undefined when no such user exists. */
  subject: { managerId: string | null } | undefined;
  /** With a team: whether the caller is a member of it (owner or member). */
  callerIsMember: boolean;
  /** With a team: the scopes `sub` granted it; undefined when it did not authorize it. */
  granted: readonly Scope[] | undefined;
  /**
   * Whether the caller knows `sub` otherwise: `sub` authorized a team the caller belongs to. A
   * user the caller does not know about is "not found", never "forbidden".
   */
  knowsSubject: boolean;
}

/** A delegation decided: the token to issue. */
export interface DelegationGrant {
  sub: string;
  /** The acting user: the caller (`azp`, `act.sub`). */
  actor: string;
  /** Canonical order, never empty. */
  scopes: Scope[];
  teamId?: string;
}

/**
 * Who may obtain a token acting as another user (issue 15, DESIGN §2 and §6). A person (never a
 * delegated token) acts as a user it manages (no team), or through a team it is a member of for a
 * user who authorized that team, with at most what that user granted it. Requested scopes narrow,
 * never widen; no token ever carries a scope the caller's own token lacks, nor `admin`. Refusals
 * as the platform answers them: 404 for a user the caller may not know about, 403 for one it
 * knows but may not act for (or for scopes beyond what may be granted, naming them).
 */
export function decideDelegatedToken(
  caller: Principal,
  request: DelegationRequest,
  facts: DelegationFacts,
): TeamsError | DelegationGrant {
  if (isDelegated(caller))
    return new Forbidden(messages.delegatedTokenNotHere, { reason: "delegated_token_refused" });
  const { subject } = facts;
  if (!subject) return new NotFound(messages.userNotFound);
  const managed = subject.managerId !== null && subject.managerId === caller.userId;
  const known = managed || facts.knowsSubject;
  const noAccess = () =>
    known
      ? new Forbidden(messages.noAccessToUser, { reason: "no_access_to_user" })
      : new NotFound(messages.userNotFound);

  // What the basis allows, before the caller's own token and the request narrow it.
  let basis: readonly Scope[];
  if (request.teamId === undefined) {
    if (!managed) return noAccess();
    basis = canonicalScopes(caller.scopes.filter(isScope));
  } else {
    if (!facts.callerIsMember || facts.granted === undefined) return noAccess();
    basis = facts.granted;
  }
  const held = new Set<string>(caller.scopes);
  const mayGrant = basis.filter((s) => s !== "admin" && held.has(s));
  let scopes: Scope[];
  if (request.scopes === undefined) {
    scopes = canonicalScopes(mayGrant);
  } else {
    const allowed = new Set<string>(mayGrant);
    const beyond = canonicalScopes(request.scopes.filter((s) => !allowed.has(s)));
    if (beyond.length > 0)
      return new Forbidden(messages.scopesNotDelegable(beyond), { reason: "scope_not_delegable" });
    scopes = canonicalScopes(request.scopes);
  }
  if (scopes.length === 0)
    return new Forbidden(messages.nothingToDelegate, { reason: "nothing_to_delegate" });
  return {
    sub: request.sub,
    actor: caller.userId,
    scopes,
    ...(request.teamId === undefined ? {} : { teamId: request.teamId }),
  };
}

/** The basis of a delegated grant as it stands now (re-read, rows locked, at a refresh). */
export interface BasisFacts {
  /** `sub`'s manager; undefined when `sub` no longer exists. */
  subjectManagerId: string | null | undefined;
  /** Through a team: whether the actor is still a member. */
  actorIsMember: boolean;
  /** Through a team: what `sub` grants the team now; undefined when nothing. */
  granted: readonly string[] | undefined;
}

/**
 * Whether a delegated grant still holds (issue 15 point 3): a managed user still managed by the
 * actor; through a team, the authorization still there with at least the grant's scopes and the
 * actor still a member.
 */
export function basisHolds(
  grant: { actor: string; scopes: readonly string[]; teamId: string | null },
  facts: BasisFacts,
): boolean {
  if (facts.subjectManagerId === undefined) return false;
  if (grant.teamId === null) return facts.subjectManagerId === grant.actor;
  if (!facts.actorIsMember || facts.granted === undefined) return false;
  const granted = new Set(facts.granted);
  return grant.scopes.every((s) => granted.has(s));
}
