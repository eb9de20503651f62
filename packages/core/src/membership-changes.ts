import type { WriteStore } from "./context.js";
import { NotFound } from "./errors.js";
import * as m from "./member-queries.js";
import { messages } from "./policy/messages.js";
import { decideOwnerChange, type Role } from "./policy/team-policy.js";
import type { MemberResponse } from "./schemas.js";
import * as w from "./store-writes.js";
import { findUser } from "./user-queries.js";

/**
 * Changes a membership (`nextRole` null removes it) under the last-owner rule, inside a
 * serializable write: the owners counted cannot change before the commit. The step owners and
 * administrators share.
 */
export async function changeMembership(
  tx: WriteStore,
  teamId: string,
  userId: string,
  nextRole: Role,
): Promise<MemberResponse | null> {
  const currentRole = await m.findRole(tx, teamId, userId);
  if (nextRole === null && currentRole === null) throw new NotFound(messages.memberNotFound);
  const refused = decideOwnerChange(currentRole, nextRole, await m.countOwners(tx, teamId));
  if (refused) throw refused;
  if (nextRole === null) {
    await w.deleteMembershipRow(tx, teamId, userId);
    return null;
  }
  const user = await findUser(tx, userId);
  if (!user) throw new NotFound(messages.userNotFound);
  await w.upsertMembershipRow(tx, teamId, userId, nextRole);
  return m.toMember(user, nextRole);
}
