import type { AdminUserInput, ApplicationMemberRole, TeamInput, WebhookInput } from "@teams/core";
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
  /** A webhook subscription put by id (`PUT /api/v1/admin/webhooks/{webhook_id}`). */
  putWebhook: authedProcedure
    .input(input<WebhookInput & { webhook_id: string }>("webhook_id"))
    .mutation(({ ctx, input: { webhook_id, ...body } }) =>
      ctx.teams.adminPutWebhook(ctx.principal, webhook_id, body),
    ),
  webhooks: authedProcedure
    .input(input<Record<string, never>>())
    .query(({ ctx }) => ctx.teams.adminListWebhooks(ctx.principal)),
  webhook: authedProcedure
    .input(input<{ webhook_id: string }>("webhook_id"))
    .query(({ ctx, input }) => ctx.teams.adminGetWebhook(ctx.principal, input.webhook_id)),
  deleteWebhook: authedProcedure
    .input(input<{ webhook_id: string }>("webhook_id"))
    .mutation(async ({ ctx, input }) => {
      await ctx.teams.adminDeleteWebhook(ctx.principal, input.webhook_id);
      return null;
    }),
  /** A webhook's delivery attempts, oldest first: `{ items, next_cursor }`, one page with `limit`. */
  webhookDeliveries: authedProcedure
    .input(input<{ webhook_id: string; limit?: number; cursor?: string }>("webhook_id"))
    .query(({ ctx, input: { webhook_id, ...query } }) =>
      ctx.teams.adminListWebhookDeliveries(ctx.principal, webhook_id, query),
    ),
};
