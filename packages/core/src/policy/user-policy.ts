import { Forbidden, Invalid, NotFound, type TeamsError } from "../errors.js";
import { compareKeys, type ListKey } from "../pagination.js";
import { isDelegated, type Principal } from "../principal.js";
import { canonicalScopes, GRANTABLE_SCOPES, type GrantableScope } from "../scopes.js";
import { messages } from "./messages.js";

/** The caller's own user row, when it exists. */
export interface CallerFacts {
  managerId: string | null;
}

/**
 * Who may create managed users: a regular user acting for itself. A managed user has no login and
 * manages no one; a delegated token acts for someone else and must not enrol people in their name.
 */
export function decideCreateManagedUser(
  principal: Principal,
  caller: CallerFacts | undefined,
): TeamsError | null {
  if (isDelegated(principal) || (caller !== undefined && caller.managerId !== null)) {
    return new Forbidden(messages.managedCannotManage, { reason: "managed_cannot_manage" });
  }
  return null;
}

/** Administration belongs to the platform that owns the identities: tokens with the `admin` scope. */
export function decideAdmin(principal: Principal): TeamsError | null {
  return principal.scopes.includes("admin")
    ? null
    : new Forbidden(messages.adminRequired, { reason: "admin_scope_required" });
}

/**
 * Whether `userId` may be given `manager`: managers are regular users (one level, no cycles), and a
 * user who manages others cannot itself become managed.
 */
export function decideManagerAssignment(
  userId: string,
  manager: CallerFacts | undefined,
  userManagesOthers: boolean,
  managerId: string,
): TeamsError | null {
  const issue = (msg: string, type = "value_error") =>
    new Invalid([{ type, loc: ["manager_id"], msg, input: managerId }]);
  if (managerId === userId) return issue(`Value error, ${messages.managerIsSelf}`);
  if (!manager) return issue(`Value error, ${messages.userNotFound}: ${managerId}`);
  if (manager.managerId !== null) return issue(`Value error, ${messages.managerIsManaged}`);
  if (userManagesOthers) return issue(`Value error, ${messages.hasManagedUsers}`);
  return null;
}

/**
 * Who may read, rename or delete a user through `/api/v1/users/{user_id}`: its manager only.
 * Anyone else, the caller itself included, and an unknown id get the same 404, so the answer
 * never tells whether the user exists.
 */
export function decideManagedUserTarget(
  callerId: string,
  target: CallerFacts | undefined,
): TeamsError | null {
  return target !== undefined && target.managerId === callerId
    ? null
    : new NotFound(messages.userNotFound);
}

/** How a listed user relates to the caller of `GET /api/v1/users/`. */
export type ListedRelation = "self" | "managed" | "shared";

/**
 * The scopes the caller can use for a listed user: all of the grantable ones for itself and for
 * the users it manages; for a user who shared, what it granted the caller's teams, together.
 */
export function listedUserScopes(
  relation: ListedRelation,
  granted: readonly (readonly GrantableScope[])[] = [],
): GrantableScope[] {
  if (relation !== "shared") return [...GRANTABLE_SCOPES];
  return canonicalScopes(granted.flat());
}

/** A candidate of the users list: who, how it relates to the caller, what it granted. */
export interface ListedCandidate<U> {
  user: U;
  relation: ListedRelation;
  granted?: readonly (readonly GrantableScope[])[];
}

/** Which parts of the users list a caller asked for (`include_managed`, `include_shared`). */
export interface UsersListParts {
  includeManaged: boolean;
  includeShared: boolean;
}

const closeness: Record<ListedRelation, number> = { self: 0, managed: 1, shared: 2 };

/**
 * The users list (DESIGN §4): the caller always, its managed users and the users who shared when
 * asked for, each once (as its closest relation: self, then managed, then shared), in the list's
 * order, after `after` when a page starts there.
 */
export function decideListedUsers<U extends { id: string; display_name: string }>(
  candidates: readonly ListedCandidate<U>[],
  parts: UsersListParts,
  keyOf: (user: U) => ListKey,
  after?: ListKey,
): { user: U; scopes: GrantableScope[] }[] {
  const wanted = candidates.filter(
    (c) =>
      c.relation === "self" ||
      (c.relation === "managed" && parts.includeManaged) ||
      (c.relation === "shared" && parts.includeShared),
  );
  const closest = new Map<string, ListedCandidate<U>>();
  for (const c of wanted) {
    const seen = closest.get(c.user.id);
    if (!seen || closeness[c.relation] < closeness[seen.relation]) closest.set(c.user.id, c);
  }
  return [...closest.values()]
    .filter((c) => after === undefined || compareKeys(keyOf(c.user), after) > 0)
    .sort((a, b) => compareKeys(keyOf(a.user), keyOf(b.user)))
    .map((c) => ({ user: c.user, scopes: listedUserScopes(c.relation, c.granted) }));
}
