import type { Scope } from "@teams/core";
import { authedProcedure, headerTokenProcedure, input, router } from "./trpc.js";

/** The five operations of the reference, and one authorizing user. */
export const referenceRouter = router({
  list: authedProcedure.query(({ ctx }) => ctx.teams.listTeams(ctx.principal)),
  authorized: authedProcedure.query(({ ctx }) => ctx.teams.listAuthorizedTeams(ctx.principal)),
  authorize: headerTokenProcedure
    .input(input<{ team_id: string; scopes: Scope[] }>("team_id"))
    .mutation(({ ctx, input: { team_id, ...body } }) =>
      ctx.teams.authorizeTeam(ctx.principal, team_id, body),
    ),
  revoke: headerTokenProcedure
    .input(input<{ team_id: string }>("team_id"))
    .mutation(({ ctx, input }) => ctx.teams.revokeTeam(ctx.principal, input.team_id)),
  users: authedProcedure
    .input(input<{ team_id: string; name?: string }>("team_id"))
    .query(({ ctx, input }) =>
      ctx.teams.listTeamUsers(ctx.principal, input.team_id, { name: input.name }),
    ),
  /** One page of `users`: `{ items, next_cursor }`, `limit` 1 to 1000 (all when absent). */
  usersPage: authedProcedure
    .input(input<{ team_id: string; name?: string; limit?: number; cursor?: string }>("team_id"))
    .query(({ ctx, input: { team_id, ...query } }) =>
      ctx.teams.listTeamUsersPage(ctx.principal, team_id, query),
    ),
  /** One page of `authorized`: `{ items, next_cursor }`. */
  authorizedPage: authedProcedure
    .input(input<{ limit?: number; cursor?: string }>())
    .query(({ ctx, input }) => ctx.teams.listAuthorizedTeamsPage(ctx.principal, input)),
  user: authedProcedure
    .input(input<{ team_id: string; user_id: string }>("team_id", "user_id"))
    .query(({ ctx, input }) => ctx.teams.getTeamUser(ctx.principal, input.team_id, input.user_id)),
});
