import type {
  ApplicationMemberRole,
  ManagedUserInput,
  ManagedUserPatch,
  Scope,
  TeamInput,
  TeamPatch,
  UsersPageQuery,
} from "@teams/core";
import { authedProcedure, input } from "./trpc.js";

/** Management for people (DESIGN §4) and the access check. */
export const managementProcedures = {
  createTeam: authedProcedure
    .input(input<TeamInput>())
    .mutation(({ ctx, input }) => ctx.teams.createTeam(ctx.principal, input)),
  getTeam: authedProcedure
    .input(input<{ team_id: string }>("team_id"))
    .query(({ ctx, input }) => ctx.teams.getTeam(ctx.principal, input.team_id)),
  updateTeam: authedProcedure
    .input(input<TeamPatch & { team_id: string }>("team_id"))
    .mutation(({ ctx, input: { team_id, ...patch } }) =>
      ctx.teams.updateTeam(ctx.principal, team_id, patch),
    ),
  deleteTeam: authedProcedure
    .input(input<{ team_id: string }>("team_id"))
    .mutation(async ({ ctx, input }) => {
      await ctx.teams.deleteTeam(ctx.principal, input.team_id);
      return null;
    }),
  /**
   * The caller's consent history (`GET /api/v1/teams/authorized/history`), or its managed user's
   * with `user_id`: `{ items, next_cursor }`, one page with `limit`.
   */
  authorizationHistory: authedProcedure
    .input(input<{ user_id?: string; limit?: number; cursor?: string }>())
    .query(({ ctx, input }) => ctx.teams.listAuthorizationHistory(ctx.principal, input)),
  /** A team's consent history, for its members (`GET /api/v1/teams/{team_id}/history`). */
  teamHistory: authedProcedure
    .input(input<{ team_id: string; limit?: number; cursor?: string }>("team_id"))
    .query(({ ctx, input: { team_id, ...query } }) =>
      ctx.teams.listTeamHistory(ctx.principal, team_id, query),
    ),
  members: authedProcedure
    .input(input<{ team_id: string }>("team_id"))
    .query(
      async ({ ctx, input }) => (await ctx.teams.listMembers(ctx.principal, input.team_id)).items,
    ),
  /** One page of `members`: `{ items, next_cursor }`, `limit` 1 to 1000 (all when absent). */
  membersPage: authedProcedure
    .input(input<{ team_id: string; limit?: number; cursor?: string }>("team_id"))
    .query(({ ctx, input: { team_id, ...query } }) =>
      ctx.teams.listMembers(ctx.principal, team_id, query),
    ),
  putMember: authedProcedure
    .input(
      input<{ team_id: string; user_id: string; role: ApplicationMemberRole }>(
        "team_id",
        "user_id",
      ),
    )
    .mutation(({ ctx, input: { team_id, user_id, ...body } }) =>
      ctx.teams.putMember(ctx.principal, team_id, user_id, body),
    ),
  removeMember: authedProcedure
    .input(input<{ team_id: string; user_id: string }>("team_id", "user_id"))
    .mutation(async ({ ctx, input }) => {
      await ctx.teams.removeMember(ctx.principal, input.team_id, input.user_id);
      return null;
    }),
  createManagedUser: authedProcedure
    .input(input<ManagedUserInput>())
    .mutation(({ ctx, input }) => ctx.teams.createManagedUser(ctx.principal, input)),
  /** `GET /api/v1/users/`, whole: `include_managed`, `include_shared` (both default true). */
  users: authedProcedure
    .input(input<Omit<UsersPageQuery, "limit" | "cursor">>())
    .query(async ({ ctx, input }) => (await ctx.teams.listUsers(ctx.principal, input ?? {})).items),
  /** One page of `users`: `{ items, next_cursor }`, `limit` 1 to 1000 (all when absent). */
  usersPage: authedProcedure
    .input(input<UsersPageQuery>())
    .query(({ ctx, input }) => ctx.teams.listUsers(ctx.principal, input ?? {})),
  managedUser: authedProcedure
    .input(input<{ user_id: string }>("user_id"))
    .query(({ ctx, input }) => ctx.teams.getManagedUser(ctx.principal, input.user_id)),
  updateManagedUser: authedProcedure
    .input(input<ManagedUserPatch & { user_id: string }>("user_id"))
    .mutation(({ ctx, input: { user_id, ...patch } }) =>
      ctx.teams.updateManagedUser(ctx.principal, user_id, patch),
    ),
  deleteManagedUser: authedProcedure
    .input(input<{ user_id: string }>("user_id"))
    .mutation(async ({ ctx, input }) => {
      await ctx.teams.deleteManagedUser(ctx.principal, input.user_id);
      return null;
    }),
  canAccess: authedProcedure
    .input(input<{ user_id: string; scope: Scope }>("user_id"))
    .query(async ({ ctx, input }) => ({
      user_id: input.user_id,
      scope: input.scope,
      allowed: await ctx.teams.canAccess(ctx.principal, {
        userId: input.user_id,
        scope: input.scope,
      }),
    })),
};
