import { type LinesPage, type Page, parseLines, type Scope } from "@teams/core";
import { authedProcedure, headerTokenProcedure, input } from "./trpc.js";

/** A page whose items the store built as JSON lines, as values for the typed client. */
const pageOfValues = <T>(page: LinesPage<T>): Page<T> => ({
  items: parseLines(page.lines),
  next_cursor: page.next_cursor,
});

/** The five operations of the reference, and one authorizing user. */
export const referenceProcedures = {
  list: authedProcedure.query(async ({ ctx }) => (await ctx.teams.listTeams(ctx.principal)).items),
  /** One page of `list`: `{ items, next_cursor }`. */
  listPage: authedProcedure
    .input(input<{ limit?: number; cursor?: string }>())
    .query(({ ctx, input }) => ctx.teams.listTeams(ctx.principal, input)),
  authorized: authedProcedure.query(async ({ ctx }) =>
    parseLines((await ctx.teams.listAuthorizedTeams(ctx.principal)).lines),
  ),
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
    .query(async ({ ctx, input }) =>
      parseLines(
        (await ctx.teams.listTeamUsers(ctx.principal, input.team_id, { name: input.name })).lines,
      ),
    ),
  /** One page of `users`: `{ items, next_cursor }`, `limit` 1 to 1000 (all when absent). */
  usersPage: authedProcedure
    .input(input<{ team_id: string; name?: string; limit?: number; cursor?: string }>("team_id"))
    .query(async ({ ctx, input: { team_id, ...query } }) =>
      pageOfValues(await ctx.teams.listTeamUsers(ctx.principal, team_id, query)),
    ),
  /** One page of `authorized`: `{ items, next_cursor }`. */
  authorizedPage: authedProcedure
    .input(input<{ limit?: number; cursor?: string }>())
    .query(async ({ ctx, input }) =>
      pageOfValues(await ctx.teams.listAuthorizedTeams(ctx.principal, input)),
    ),
  user: authedProcedure
    .input(input<{ team_id: string; user_id: string }>("team_id", "user_id"))
    .query(({ ctx, input }) => ctx.teams.getTeamUser(ctx.principal, input.team_id, input.user_id)),
};
