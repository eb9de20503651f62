import type { Scope } from "@teams/core";
import { signGrant } from "../oauth/token-response.js";
import { authenticatedProcedure, input, publicProcedure } from "./trpc.js";

/**
 * The tokens the service issues, as REST's `/api/v1/oauth/...` (issue 15): each answers the same
 * token response, signed after the core's write committed. All are mutations: each stores a
 * refresh token.
 */
export const oauthProcedures = {
  /** A token acting as `sub` (a managed user, or through `team_id`), as `POST .../delegated-token`. */
  delegatedToken: authenticatedProcedure
    .input(input<{ sub: string; scopes?: Scope[] | null; team_id?: string | null }>("sub"))
    .mutation(async ({ ctx, input }) =>
      signGrant(
        ctx.authenticator,
        ctx.delegatedTokenTtlSeconds,
        await ctx.teams.issueDelegation(ctx.principal, input, {
          exp: ctx.authentication.token.exp,
        }),
      ),
    ),
  /** Back to the acting user of a delegated token this service issued (`GET .../principal-token`). */
  principalToken: authenticatedProcedure.mutation(async ({ ctx }) =>
    signGrant(
      ctx.authenticator,
      ctx.delegatedTokenTtlSeconds,
      await ctx.teams.switchToPrincipal(ctx.principal, {
        kind: ctx.authentication.token.kind,
        actorGrant: ctx.authentication.token.actorGrant,
      }),
    ),
  ),
  /** A new pair for a refresh token, which is rotated (`POST .../token`, `grant_type=refresh_token`). */
  refresh: publicProcedure
    .input(input<{ refresh_token: string }>("refresh_token"))
    .mutation(async ({ ctx, input }) =>
      signGrant(
        ctx.authenticator,
        ctx.delegatedTokenTtlSeconds,
        await ctx.teams.refreshGrant(input.refresh_token),
      ),
    ),
};
