import type { Transaction } from "kysely";
import { type Context, ensureUserRow, requirePrincipal } from "./context.js";
import type { Database } from "./database.js";
import { NotFound } from "./errors.js";
import { isPlausibleId, newId } from "./ids.js";
import { decideAccess } from "./policy/access-policy.js";
import { messages } from "./policy/messages.js";
import {
  decideManageTeam,
  decideOwnerChange,
  decideReadTeam,
  decideRemoveMember,
  type Role,
} from "./policy/team-policy.js";
import { decideCreateManagedUser } from "./policy/user-policy.js";
import type { Principal } from "./principal.js";
import {
  AccessCheckInput,
  ManagedUserInput,
  MemberInput,
  TeamInput,
  TeamPatch,
} from "./request-schemas.js";
import type { MemberResponse, TeamResponse, UserResponse } from "./schemas.js";
import { decodeScopes } from "./scopes.js";
import * as q from "./store-queries.js";
import { copyTeamName, upsertMembershipRow } from "./store-writes.js";
import { parseInput } from "./validation.js";

// Management for people (DESIGN §4): teams, members, managed users, and the access check.

type P = Principal | null | undefined;

/** What is known of a subject that is not in the store. */
const noFacts = { managerId: undefined, grantedThroughTeam: false } as const;

/** Changes a membership under the last-owner rule; shared by owners and administrators. */
export async function changeMembership(
  trx: Transaction<Database>,
  teamId: string,
  userId: string,
  nextRole: Role,
): Promise<MemberResponse | null> {
  const currentRole = await q.findRole(trx, teamId, userId);
  if (nextRole === null && currentRole === null) throw new NotFound(messages.memberNotFound);
  const refused = decideOwnerChange(currentRole, nextRole, await q.countOwners(trx, teamId));
  if (refused) throw refused;
  if (nextRole === null) {
    await trx
      .deleteFrom("memberships")
      .where("team_id", "=", teamId)
      .where("user_id", "=", userId)
      .execute();
    return null;
  }
  const user = await q.findUser(trx, userId);
  if (!user) throw new NotFound(messages.userNotFound);
  await upsertMembershipRow(trx, teamId, userId, nextRole);
  return q.toMember(user, nextRole);
}

export function managementUseCases(ctx: Context) {
  const { db } = ctx;

  /** The caller's role, loaded inside `trx`; an id that cannot exist has no role. */
  const roleIn = (trx: Transaction<Database> | Context["db"], teamId: string, userId: string) =>
    isPlausibleId(teamId) ? q.findRole(trx, teamId, userId) : Promise.resolve(null);

  return {
    /** Creates a team; the caller becomes its owner (`POST /api/v1/teams/`). */
    async createTeam(principal: P, body: unknown): Promise<TeamResponse> {
      const p = requirePrincipal(principal);
      const input = parseInput(TeamInput, body);
      const id = newId();
      const now = ctx.now();
      await ctx.write(async (trx) => {
        await ensureUserRow(trx, { id: p.userId }, now);
        await trx
          .insertInto("teams")
          .values({ id, ...input, created_at: now })
          .execute();
        await upsertMembershipRow(trx, id, p.userId, "owner");
      });
      return { id, ...input, role: "owner" };
    },

    /** A team, for its members and for users who authorized it (`GET /api/v1/teams/{team_id}`). */
    async getTeam(principal: P, teamId: string): Promise<TeamResponse> {
      const p = requirePrincipal(principal);
      const role = await roleIn(db, teamId, p.userId);
      const authorized =
        role === null && isPlausibleId(teamId)
          ? (await q.findAuthorizationScopes(db, teamId, p.userId)) !== undefined
          : false;
      const refused = decideReadTeam(role, authorized);
      if (refused) throw refused;
      const team = await q.findTeam(db, teamId);
      if (!team) throw new NotFound(messages.teamNotFound);
      return { ...team, role };
    },

    /** Changes some of a team's fields; owners only (`PATCH /api/v1/teams/{team_id}`). */
    async updateTeam(principal: P, teamId: string, body: unknown): Promise<TeamResponse> {
      const p = requirePrincipal(principal);
      const patch = parseInput(TeamPatch, body);
      return ctx.write(async (trx) => {
        const refused = decideManageTeam(await roleIn(trx, teamId, p.userId));
        if (refused) throw refused;
        const changes = Object.fromEntries(
          Object.entries(patch).filter(([, v]) => v !== undefined),
        );
        if (Object.keys(changes).length > 0) {
          await trx.updateTable("teams").set(changes).where("id", "=", teamId).execute();
          if (changes.name !== undefined) await copyTeamName(trx, teamId);
        }
        const team = await q.findTeam(trx, teamId);
        if (!team) throw new NotFound(messages.teamNotFound);
        return { ...team, role: "owner" as const };
      });
    },

    /** Deletes a team with its memberships and authorizations; owners only. */
    async deleteTeam(principal: P, teamId: string): Promise<void> {
      const p = requirePrincipal(principal);
      await ctx.write(async (trx) => {
        const refused = decideManageTeam(await roleIn(trx, teamId, p.userId));
        if (refused) throw refused;
        await deleteTeamRows(trx, teamId);
      });
    },

    /** The team's members with their roles, for members (`GET /api/v1/teams/{team_id}/members`). */
    async listMembers(principal: P, teamId: string): Promise<MemberResponse[]> {
      const p = requirePrincipal(principal);
      const role = await roleIn(db, teamId, p.userId);
      if (role === null) throw new NotFound(messages.teamNotFound);
      return q.listMembersOf(db, teamId);
    },

    /** Adds a member or changes its role; owners only, never demoting the last owner. */
    async putMember(
      principal: P,
      teamId: string,
      userId: string,
      body: unknown,
    ): Promise<MemberResponse> {
      const p = requirePrincipal(principal);
      const { role } = parseInput(MemberInput, body);
      return ctx.write(async (trx) => {
        const refused = decideManageTeam(await roleIn(trx, teamId, p.userId));
        if (refused) throw refused;
        if (!isPlausibleId(userId)) throw new NotFound(messages.userNotFound);
        const member = await changeMembership(trx, teamId, userId, role);
        return member as MemberResponse;
      });
    },

    /** Removes a member: owners remove anyone, members themselves; never the last owner. */
    async removeMember(principal: P, teamId: string, userId: string): Promise<void> {
      const p = requirePrincipal(principal);
      await ctx.write(async (trx) => {
        const refused = decideRemoveMember(p.userId, await roleIn(trx, teamId, p.userId), userId);
        if (refused) throw refused;
        if (!isPlausibleId(userId)) throw new NotFound(messages.memberNotFound);
        await changeMembership(trx, teamId, userId, null);
      });
    },

    /** Creates a user managed by the caller (`POST /api/v1/users/`). */
    async createManagedUser(principal: P, body: unknown): Promise<UserResponse> {
      const p = requirePrincipal(principal);
      const input = parseInput(ManagedUserInput, body);
      const id = newId();
      const now = ctx.now();
      return ctx.write(async (trx) => {
        const caller = await q.findUser(trx, p.userId);
        const refused = decideCreateManagedUser(p, caller && { managerId: caller.manager_id });
        if (refused) throw refused;
        await ensureUserRow(trx, { id: p.userId }, now);
        await trx
          .insertInto("users")
          .values({ id, ...input, manager_id: p.userId, created_at: now })
          .execute();
        const created = await q.findUser(trx, id);
        if (!created) throw new Error("managed user vanished inside its own transaction");
        return q.toUserResponse(created);
      });
    },

    /** The caller and the users it manages (`GET /api/v1/users/`). */
    async listUsers(principal: P): Promise<UserResponse[]> {
      return q.listSelfAndManaged(db, requirePrincipal(principal).userId);
    },

    /**
     * Whether `principal` may see `userId`'s data under `scope`: it is that user, its manager, or a
     * member of a team that user authorized with that scope. Embedding services ask this before
     * serving someone's data.
     */
    async canAccess(principal: P, request: { userId: string; scope: string }): Promise<boolean> {
      const p = requirePrincipal(principal);
      const { scope } = parseInput(AccessCheckInput, {
        user_id: request.userId,
        scope: request.scope,
      });
      if (!isPlausibleId(request.userId)) return false;
      if (p.userId === request.userId) return decideAccess(p, request.userId, noFacts);
      const facts = await q.findAccessFacts(db, p.userId, request.userId);
      if (!facts) return decideAccess(p, request.userId, noFacts);
      return decideAccess(p, request.userId, {
        managerId: facts.managerId,
        grantedThroughTeam: facts.grantedScopes.some((s) =>
          (decodeScopes(s) as string[]).includes(scope),
        ),
      });
    },
  };
}

/** Deletes a team and everything hanging on it (memberships, authorizations) in the caller's transaction. */
export async function deleteTeamRows(trx: Transaction<Database>, teamId: string): Promise<void> {
  // Explicit deletes rather than trusting ON DELETE CASCADE alone: an embedder's database may have
  // been created with foreign keys off.
  await trx.deleteFrom("authorizations").where("team_id", "=", teamId).execute();
  await trx.deleteFrom("memberships").where("team_id", "=", teamId).execute();
  const deleted = await trx.deleteFrom("teams").where("id", "=", teamId).executeTakeFirst();
  if (deleted.numDeletedRows === 0n) throw new NotFound(messages.teamNotFound);
}
