import type { Principal } from "../principal.js";

/** What the store knows about the subject whose data is asked for. */
export interface AccessFacts {
  /** The subject's manager, or null; undefined when the subject is not in the store. */
  managerId: string | null | undefined;
  /** Whether a team the principal belongs to holds an authorization from the subject with the scope. */
  grantedThroughTeam: boolean;
}

/**
 * May `principal` see `userId`'s data under `scope`? Yes when it is that user, that user's manager,
 * or a member of a team that user authorized with that scope.
 */
export function decideAccess(principal: Principal, userId: string, facts: AccessFacts): boolean {
  if (principal.userId === userId) return true;
  if (
    facts.managerId !== undefined &&
    facts.managerId !== null &&
    facts.managerId === principal.userId
  ) {
    return true;
  }
  return facts.grantedThroughTeam;
}
