import { Forbidden, NotFound, type TeamsError } from "../errors.js";
import type { ApplicationMemberRole } from "../schemas.js";
import { messages } from "./messages.js";

/** The caller's role in a team, or null when not a member (or when the team does not exist). */
export type Role = ApplicationMemberRole | null;

/**
 * Members and owners see who authorized their team. Anyone else gets the same NotFound as for a team
 * that does not exist, so the answer never tells whether a team id is in use.
 */
export function decideListTeamUsers(callerRole: Role): TeamsError | null {
  return callerRole === null ? new NotFound(messages.teamNotFound) : null;
}

/** A team's details are visible to its members and to the users who authorized it. */
export function decideReadTeam(callerRole: Role, callerAuthorized: boolean): TeamsError | null {
  return callerRole === null && !callerAuthorized ? new NotFound(messages.teamNotFound) : null;
}

/** Editing and deleting a team, and adding or re-roling members: owners only; non-members see no team. */
export function decideManageTeam(callerRole: Role): TeamsError | null {
  if (callerRole === null) return new NotFound(messages.teamNotFound);
  return callerRole === "owner"
    ? null
    : new Forbidden(messages.ownerRequired, { reason: "not_an_owner" });
}

/** Removing a member: owners remove anyone, a member may remove itself. */
export function decideRemoveMember(
  callerId: string,
  callerRole: Role,
  targetId: string,
): TeamsError | null {
  if (callerRole === null) return new NotFound(messages.teamNotFound);
  if (callerRole === "owner" || callerId === targetId) return null;
  return new Forbidden(messages.ownerRequired, { reason: "not_an_owner" });
}

/**
 * A team never loses its last owner: refuses a change that takes the role `owner` away from
 * `target` (demotion or removal) when the team has no other owner.
 */
export function decideOwnerChange(
  targetRole: Role,
  nextRole: Role,
  ownerCount: number,
): TeamsError | null {
  const losesOwner = targetRole === "owner" && nextRole !== "owner";
  return losesOwner && ownerCount <= 1
    ? new Forbidden(messages.lastOwner, { reason: "last_owner" })
    : null;
}
