import type { Context } from "./context.js";
import { Invalid, NotFound } from "./errors.js";
import { isPlausibleId } from "./ids.js";
import { changeMembership } from "./membership-changes.js";
import { decideChangeOrigin } from "./policy/consent-actor.js";
import { messages } from "./policy/messages.js";
import { decideManagerAssignment } from "./policy/user-policy.js";
import type { Principal } from "./principal.js";
import { AdminUserInput, MemberInput, TeamInput } from "./request-schemas.js";
import type { AdminUserResponse, MemberResponse, TeamDetails } from "./schemas.js";
import * as w from "./store-writes.js";
import { teamExists } from "./team-queries.js";
import { useToken } from "./token-use.js";
import * as u from "./user-queries.js";
import { parseInput } from "./validation.js";

// Administration for the platform that owns the identities (DESIGN §4): idempotent upserts with
// caller-chosen ids, for tokens with the `admin` scope.

type P = Principal | null | undefined;

/** A caller-chosen id that could not be stored is a 422 on the path parameter, before anything else. */
function requireId(id: string, name: string): void {
  if (!isPlausibleId(id)) {
    throw new Invalid([
      {
        type: "value_error",
        loc: [name],
        msg: "Value error, an id is 1 to 255 characters of well-formed text without control characters",
        input: id,
      },
    ]);
  }
}

export function adminUseCases(ctx: Context, retention: { keepHistory: boolean }) {
  /** The token table's 401 at once; its 403 (no `admin` scope, a delegated token) at `permit`. */
  const admin = (principal: P) => useToken(ctx, principal, "administration");
  return {
    /** Creates or replaces a user (`PUT /api/v1/admin/users/{user_id}`). */
    async adminPutUser(principal: P, userId: string, body: unknown): Promise<AdminUserResponse> {
      const token = await admin(principal);
      requireId(userId, "user_id");
      const input = parseInput(AdminUserInput, body);
      token.permit();
      const now = ctx.now();
      return ctx.write(async (tx) => {
        if (input.manager_id !== null) {
          const manager = await u.findUser(tx, input.manager_id);
          const refused = decideManagerAssignment(
            userId,
            manager && { managerId: manager.manager_id },
            await u.managesOthers(tx, userId),
            input.manager_id,
          );
          if (refused) throw refused;
        }
        await w.putUserRow(tx, { id: userId, ...input }, now);
        const user = await u.findUser(tx, userId);
        if (!user) throw new Error("user vanished inside its own transaction");
        return u.toAdminUserResponse(user);
      });
    },

    /**
     * Deletes a user with what hangs on it: its memberships, its authorizations and the users it
     * manages. A team whose last owner this was keeps its other members and can be given an owner.
     */
    async adminDeleteUser(principal: P, userId: string): Promise<void> {
      const token = await admin(principal);
      token.permit();
      if (!isPlausibleId(userId)) throw new NotFound(messages.userNotFound);
      const now = ctx.now();
      const origin = decideChangeOrigin(token.principal, { kind: "user-deletion", as: "admin" });
      await ctx.write(async (tx) => {
        const managed = await u.findManagedIds(tx, userId);
        if (!(await w.deleteUserRows(tx, userId, managed, now, origin, retention))) {
          throw new NotFound(messages.userNotFound);
        }
      });
    },

    /** Creates or replaces a team (`PUT /api/v1/admin/teams/{team_id}`). */
    async adminPutTeam(principal: P, teamId: string, body: unknown): Promise<TeamDetails> {
      const token = await admin(principal);
      requireId(teamId, "team_id");
      const input = parseInput(TeamInput, body);
      token.permit();
      const now = ctx.now();
      await ctx.write((tx) => w.putTeamRow(tx, teamId, input, now));
      return { id: teamId, ...input };
    },

    /** Deletes a team with its memberships and authorizations. */
    async adminDeleteTeam(principal: P, teamId: string): Promise<void> {
      const token = await admin(principal);
      token.permit();
      if (!isPlausibleId(teamId)) throw new NotFound(messages.teamNotFound);
      const now = ctx.now();
      const origin = decideChangeOrigin(token.principal, { kind: "team-deletion", as: "admin" });
      await ctx.write(async (tx) => {
        if (!(await w.deleteTeamRows(tx, teamId, now, origin))) {
          throw new NotFound(messages.teamNotFound);
        }
      });
    },

    /** Adds a member or changes its role, never demoting the last owner. */
    async adminPutMember(
      principal: P,
      teamId: string,
      userId: string,
      body: unknown,
    ): Promise<MemberResponse> {
      const token = await admin(principal);
      const { role } = parseInput(MemberInput, body);
      token.permit();
      if (!isPlausibleId(teamId)) throw new NotFound(messages.teamNotFound);
      if (!isPlausibleId(userId)) throw new NotFound(messages.userNotFound);
      return ctx.write(async (tx) => {
        if (!(await teamExists(tx, teamId))) throw new NotFound(messages.teamNotFound);
        return (await changeMembership(tx, teamId, userId, role)) as MemberResponse;
      });
    },

    /** Removes a member, never the last owner. */
    async adminDeleteMember(principal: P, teamId: string, userId: string): Promise<void> {
      (await admin(principal)).permit();
      if (!isPlausibleId(teamId)) throw new NotFound(messages.teamNotFound);
      if (!isPlausibleId(userId)) throw new NotFound(messages.memberNotFound);
      await ctx.write(async (tx) => {
        if (!(await teamExists(tx, teamId))) throw new NotFound(messages.teamNotFound);
        await changeMembership(tx, teamId, userId, null);
      });
    },
  };
}
