import type { AdminUserInput, ApplicationMemberRole, TeamInput } from "@teams/core";
import { authedProcedure, input } from "./trpc.js";

/** Administration (DESIGN §4): tokens with the `admin` scope. */
export const adminProcedures = {
  putUser: authedProcedure
    .input(input<AdminUserInput & { user_id: string }>("user_id"))
    .mutation(({ ctx, input: { user_id, ...body } }) =>
      ctx.teams.adminPutUser(ctx.principal, user_id, body),
    ),
  deleteUser: authedProcedure
    .input(input<{ user_id: string }>("user_id"))
    .mutation(async ({ ctx, input }) => {
      await ctx.teams.adminDeleteUser(ctx.principal, input.user_id);
      return null;
    }),
  putTeam: authedProcedure
    .input(input<TeamInput & { team_id: string }>("team_id"))
    .mutation(({ ctx, input: { team_id, ...body } }) =>
      ctx.teams.adminPutTeam(ctx.principal, team_id, body),
    ),
  deleteTeam: authedProcedure
    .input(input<{ team_id: string }>("team_id"))
    .mutation(async ({ ctx, input }) => {
      await ctx.teams.adminDeleteTeam(ctx.principal, input.team_id);
      return null;
    }),
  putMember: authedProcedure
    .input(
      input<{ team_id: string; user_id: string; role: ApplicationMemberRole }>(
        "team_id",
        "user_id",
      ),
    )
    .mutation(({ ctx, input: { team_id, user_id, ...body } }) =>
      ctx.teams.adminPutMember(ctx.principal, team_id, user_id, body),
    ),
  deleteMember: authedProcedure
    .input(input<{ team_id: string; user_id: string }>("team_id", "user_id"))
    .mutation(async ({ ctx, input }) => {
      await ctx.teams.adminDeleteMember(ctx.principal, input.team_id, input.user_id);
      return null;
    }),
  /**
   * The consent log in commit order (`GET /api/v1/admin/events`): `{ events, next_cursor }`, the
   * records after `after`; pass `next_cursor` as the next call's `after` (never null).
   */
  events: authedProcedure
    .input(input<{ after?: string; limit?: number }>())
    .query(({ ctx, input }) => ctx.teams.listEvents(ctx.principal, input)),
};
