import * as a from "./authorization-queries.js";
import type { Context, Store } from "./context.js";
import { NotFound } from "./errors.js";
import { isPlausibleId, newId } from "./ids.js";
import * as m from "./member-queries.js";
import { changeMembership } from "./membership-changes.js";
import { type Page, toPage } from "./pagination.js";
import { decideAccess } from "./policy/access-policy.js";
import { decideChangeOrigin } from "./policy/consent-actor.js";
import { messages } from "./policy/messages.js";
import { decideManageTeam, decideReadTeam, decideRemoveMember } from "./policy/team-policy.js";
import type { Principal } from "./principal.js";
import {
  AccessCheckInput,
  MemberInput,
  MembersPageQuery,
  TeamInput,
  TeamPatch,
} from "./request-schemas.js";
import type { MemberResponse, TeamResponse } from "./schemas.js";
import { decodeScopes } from "./scopes.js";
import * as w from "./store-writes.js";
import * as t from "./team-queries.js";
import { useToken } from "./token-use.js";
import { parseInput } from "./validation.js";

// Management for people (DESIGN §4): teams, members and the access check (users: user-use-cases).

type P = Principal | null | undefined;

/** What is known of a subject that is not in the store. */
const noFacts = { managerId: undefined, grantedThroughTeam: false } as const;

/** The caller's role; an id that cannot exist has no role. */
const roleIn = (s: Store, teamId: string, userId: string) =>
  isPlausibleId(teamId) ? m.findRole(s, teamId, userId) : Promise.resolve(null);

export function managementUseCases(ctx: Context) {
  const { store } = ctx;

  return {
    /** Creates a team; the caller becomes its owner (`POST /api/v1/teams/`). */
    async createTeam(principal: P, body: unknown): Promise<TeamResponse> {
      const token = await useToken(ctx, principal, "management");
      const p = token.principal;
      const input = parseInput(TeamInput, body);
      token.permit();
      const id = newId();
      const now = ctx.now();
      await ctx.write(async (tx) => {
        await w.ensureUserRow(tx, { id: p.userId }, now);
        await w.insertTeam(tx, id, input, now);
        await w.upsertMembershipRow(tx, id, p.userId, "owner");
      });
      return { id, ...input, role: "owner" };
    },

    /** A team, for its members and for users who authorized it (`GET /api/v1/teams/{team_id}`). */
    async getTeam(principal: P, teamId: string): Promise<TeamResponse> {
      const token = await useToken(ctx, principal, "management");
      const p = token.principal;
      token.permit();
      const role = await roleIn(store, teamId, p.userId);
      const authorized =
        role === null && isPlausibleId(teamId)
          ? (await a.findAuthorizationScopes(store, teamId, p.userId)) !== undefined
          : false;
      const refused = decideReadTeam(role, authorized);
      if (refused) throw refused;
      const team = await t.findTeam(store, teamId);
      if (!team) throw new NotFound(messages.teamNotFound);
      return { ...team, role };
    },

    /** Changes some of a team's fields; owners only (`PATCH /api/v1/teams/{team_id}`). */
    async updateTeam(principal: P, teamId: string, body: unknown): Promise<TeamResponse> {
      const token = await useToken(ctx, principal, "management");
      const p = token.principal;
      const patch = parseInput(TeamPatch, body);
      token.permit();
      return ctx.write(async (tx) => {
        const refused = decideManageTeam(await roleIn(tx, teamId, p.userId));
        if (refused) throw refused;
        const changes = Object.fromEntries(
          Object.entries(patch).filter(([, v]) => v !== undefined),
        );
        await w.updateTeamRow(tx, teamId, changes);
        const team = await t.findTeam(tx, teamId);
        if (!team) throw new NotFound(messages.teamNotFound);
        return { ...team, role: "owner" as const };
      });
    },

    /** Deletes a team with its memberships and authorizations; owners only. */
    async deleteTeam(principal: P, teamId: string): Promise<void> {
      const token = await useToken(ctx, principal, "management");
      const p = token.principal;
      token.permit();
      const now = ctx.now();
      const origin = decideChangeOrigin(p, { kind: "team-deletion", as: "owner" });
      await ctx.write(async (tx) => {
        const refused = decideManageTeam(await roleIn(tx, teamId, p.userId));
        if (refused) throw refused;
        if (!(await w.deleteTeamRows(tx, teamId, now, origin))) {
          throw new NotFound(messages.teamNotFound);
        }
      });
    },

    /**
     * The team's members with their roles, for members (`GET /api/v1/teams/{team_id}/members`),
     * in the list's order (display name, id).
     */
    async listMembers(
      principal: P,
      teamId: string,
      query: MembersPageQuery = {},
    ): Promise<Page<MemberResponse>> {
      const token = await useToken(ctx, principal, "management");
      const p = token.principal;
      const { limit, cursor } = parseInput(MembersPageQuery, query);
      token.permit();
      const role = await roleIn(store, teamId, p.userId);
      if (role === null) throw new NotFound(messages.teamNotFound);
      const rows = await m.listMembersOf(store, teamId, {
        after: cursor,
        rows: limit === undefined ? undefined : limit + 1,
      });
      return toPage("members", rows, limit, m.memberKey, (member) => member);
    },

    /** Adds a member or changes its role; owners only, never demoting the last owner. */
    async putMember(
      principal: P,
      teamId: string,
      userId: string,
      body: unknown,
    ): Promise<MemberResponse> {
      const token = await useToken(ctx, principal, "management");
      const p = token.principal;
      const { role } = parseInput(MemberInput, body);
      token.permit();
      return ctx.write(async (tx) => {
        const refused = decideManageTeam(await roleIn(tx, teamId, p.userId));
        if (refused) throw refused;
        if (!isPlausibleId(userId)) throw new NotFound(messages.userNotFound);
        return (await changeMembership(tx, teamId, userId, role)) as MemberResponse;
      });
    },

    /** Removes a member: owners remove anyone, members themselves; never the last owner. */
    async removeMember(principal: P, teamId: string, userId: string): Promise<void> {
      const token = await useToken(ctx, principal, "management");
      const p = token.principal;
      token.permit();
      await ctx.write(async (tx) => {
        const refused = decideRemoveMember(p.userId, await roleIn(tx, teamId, p.userId), userId);
        if (refused) throw refused;
        if (!isPlausibleId(userId)) throw new NotFound(messages.memberNotFound);
        await changeMembership(tx, teamId, userId, null);
      });
    },

    /**
     * Whether `principal` may see `userId`'s data under `scope`: it is that user, its manager, or a
     * member of a team that user authorized with that scope. Embedding services ask this before
     * serving someone's data.
     */
    async canAccess(principal: P, request: { userId: string; scope: string }): Promise<boolean> {
      const token = await useToken(ctx, principal, "management");
      const p = token.principal;
      const { user_id: userId, scope } = parseInput(AccessCheckInput, {
        user_id: request.userId,
        scope: request.scope,
      });
      token.permit();
      if (!isPlausibleId(userId)) return false;
      if (p.userId === userId) return decideAccess(p, userId, noFacts);
      const facts = await a.findAccessFacts(store, p.userId, userId);
      if (!facts) return decideAccess(p, userId, noFacts);
      return decideAccess(p, userId, {
        managerId: facts.managerId,
        grantedThroughTeam: facts.grantedScopes.some((s) =>
          (decodeScopes(s) as string[]).includes(scope),
        ),
      });
    },
  };
}
