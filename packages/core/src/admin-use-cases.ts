import { type Context, requirePrincipal } from "./context.js";
import { Invalid, NotFound } from "./errors.js";
import { isPlausibleId } from "./ids.js";
import { changeMembership, deleteTeamRows } from "./management-use-cases.js";
import { messages } from "./policy/messages.js";
import { decideAdmin, decideManagerAssignment } from "./policy/user-policy.js";
import type { Principal } from "./principal.js";
import { AdminUserInput, MemberInput, TeamInput } from "./request-schemas.js";
import type { MemberResponse, TeamDetails, UserResponse } from "./schemas.js";
import * as q from "./store-queries.js";
import { copyTeamName, copyUserColumns } from "./store-writes.js";
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

function admin(principal: P): Principal {
  const p = requirePrincipal(principal);
  const refused = decideAdmin(p);
  if (refused) throw refused;
  return p;
}

export function adminUseCases(ctx: Context) {
  return {
    /** Creates or replaces a user (`PUT /api/v1/admin/users/{user_id}`). */
    async adminPutUser(principal: P, userId: string, body: unknown): Promise<UserResponse> {
      const p = requirePrincipal(principal);
      requireId(userId, "user_id");
      const input = parseInput(AdminUserInput, body);
      admin(p);
      const now = ctx.now();
      return ctx.write(async (trx) => {
        if (input.manager_id !== null) {
          const manager = await q.findUser(trx, input.manager_id);
          const refused = decideManagerAssignment(
            userId,
            manager && { managerId: manager.manager_id },
            await q.managesOthers(trx, userId),
            input.manager_id,
          );
          if (refused) throw refused;
        }
        await trx
          .insertInto("users")
          .values({ id: userId, ...input, created_at: now })
          .onConflict((oc) => oc.column("id").doUpdateSet({ ...input }))
          .execute();
        await copyUserColumns(trx, userId);
        const user = await q.findUser(trx, userId);
        if (!user) throw new Error("user vanished inside its own transaction");
        return q.toUserResponse(user);
      });
    },

    /**
     * Deletes a user with what hangs on it: its memberships, its authorizations and the users it
     * manages. A team whose last owner this was keeps its other members and can be given an owner.
     */
    async adminDeleteUser(principal: P, userId: string): Promise<void> {
      admin(principal);
      if (!isPlausibleId(userId)) throw new NotFound(messages.userNotFound);
      await ctx.write(async (trx) => {
        const managed = await trx
          .selectFrom("users")
          .select("id")
          .where("manager_id", "=", userId)
          .execute();
        const ids = [userId, ...managed.map((u) => u.id)];
        await trx.deleteFrom("authorizations").where("user_id", "in", ids).execute();
        await trx.deleteFrom("memberships").where("user_id", "in", ids).execute();
        await trx.deleteFrom("users").where("manager_id", "=", userId).execute();
        const deleted = await trx.deleteFrom("users").where("id", "=", userId).executeTakeFirst();
        if (deleted.numDeletedRows === 0n) throw new NotFound(messages.userNotFound);
      });
    },

    /** Creates or replaces a team (`PUT /api/v1/admin/teams/{team_id}`). */
    async adminPutTeam(principal: P, teamId: string, body: unknown): Promise<TeamDetails> {
      const p = requirePrincipal(principal);
      requireId(teamId, "team_id");
      const input = parseInput(TeamInput, body);
      admin(p);
      const now = ctx.now();
      await ctx.write(async (trx) => {
        await trx
          .insertInto("teams")
          .values({ id: teamId, ...input, created_at: now })
          .onConflict((oc) => oc.column("id").doUpdateSet({ ...input }))
          .execute();
        await copyTeamName(trx, teamId);
      });
      return { id: teamId, ...input };
    },

    /** Deletes a team with its memberships and authorizations. */
    async adminDeleteTeam(principal: P, teamId: string): Promise<void> {
      admin(principal);
      if (!isPlausibleId(teamId)) throw new NotFound(messages.teamNotFound);
      await ctx.write((trx) => deleteTeamRows(trx, teamId));
    },

    /** Adds a member or changes its role, never demoting the last owner. */
    async adminPutMember(
      principal: P,
      teamId: string,
      userId: string,
      body: unknown,
    ): Promise<MemberResponse> {
      const p = requirePrincipal(principal);
      const { role } = parseInput(MemberInput, body);
      admin(p);
      if (!isPlausibleId(teamId)) throw new NotFound(messages.teamNotFound);
      if (!isPlausibleId(userId)) throw new NotFound(messages.userNotFound);
      return ctx.write(async (trx) => {
        if (!(await q.teamExists(trx, teamId))) throw new NotFound(messages.teamNotFound);
        return (await changeMembership(trx, teamId, userId, role)) as MemberResponse;
      });
    },

    /** Removes a member, never the last owner. */
    async adminDeleteMember(principal: P, teamId: string, userId: string): Promise<void> {
      admin(principal);
      if (!isPlausibleId(teamId)) throw new NotFound(messages.teamNotFound);
      if (!isPlausibleId(userId)) throw new NotFound(messages.memberNotFound);
      await ctx.write(async (trx) => {
        if (!(await q.teamExists(trx, teamId))) throw new NotFound(messages.teamNotFound);
        await changeMembership(trx, teamId, userId, null);
      });
    },
  };
}
