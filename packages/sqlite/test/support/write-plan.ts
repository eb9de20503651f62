import { GRANTABLE_SCOPES } from "@teams/core";

// The fixed sequence of writes the crash test's child performs and its parent checks against.

export const PLAN_MANAGER = "coach";
export const PLAN_TEAM = "club";
export const PLAN_USERS = 500;

export const planUser = (i: number) => `athlete-${String(i).padStart(3, "0")}`;

export interface PlannedOp {
  kind: "authorize" | "revoke";
  user: string;
  /** For an authorization: the scopes granted (one of the seven non-empty subsets, by user). */
  scopes: string[];
}

/** Authorize every user in turn, and revoke every third one right after authorizing it. */
export const WRITE_PLAN: readonly PlannedOp[] = Array.from({ length: PLAN_USERS }, (_, i) => {
  const bits = (i % 7) + 1;
  const scopes = GRANTABLE_SCOPES.filter((_, b) => bits & (1 << b));
  const authorize: PlannedOp = { kind: "authorize", user: planUser(i), scopes };
  return i % 3 === 0
    ? [authorize, { kind: "revoke" as const, user: planUser(i), scopes }]
    : [authorize];
}).flat();
