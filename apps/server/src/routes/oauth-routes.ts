import type { Context } from "hono";
import type { Api } from "../http/api.js";
import { tokenAnswer } from "../http/oauth-answers.js";
import { introspectionAnswer } from "../oauth/introspection.js";
import { refreshTokenOf, required } from "../oauth/oauth-form.js";
import { signGrant } from "../oauth/token-response.js";
import { delegatedTokenBody, refreshForm, tokenForm } from "../openapi/oauth-components.js";
import { ref } from "../openapi/reference-components.js";

/**
 * The tokens the service issues, as the reference's platform serves them (issue 15, DESIGN §6):
 * a delegated token, the switch back, the refresh (RFC 6749 §6), revocation (RFC 7009) and
 * introspection (RFC 7662). Each access token is signed after the core's write committed.
 */
export function oauthRoutes(api: Api): void {
  const { teams, authenticator, authentication, body, oauthForm, operation } = api;
  const tags = ["oauth"];
  const tokenResponse = { status: 200, schema: ref("TokenResponse") };
  const sign = (granted: Parameters<typeof signGrant>[2]) =>
    signGrant(authenticator, api.delegatedTokenTtlSeconds, granted);

  operation(
    {
      method: "post",
      path: "/api/v1/oauth/delegated-token",
      operationId: "create_delegated_token",
      summary: "Create Delegated Token",
      description:
        "A token acting as `sub`: a user the caller manages, or (with `team_id`) a user who authorized a team the caller is a member of, with at most what that user granted it. `scopes` narrow the token; it never carries a scope the caller's own token lacks, nor `admin`. 404 for a user the caller may not know about, 403 for one it may not act for. Delegated tokens are refused.",
      tags,
      body: { schema: delegatedTokenBody },
      success: tokenResponse,
    },
    async (c) => {
      const { principal, token } = await authentication(c);
      const granted = await teams.issueDelegation(principal, await body(c), { exp: token.exp });
      return tokenAnswer(await sign(granted));
    },
  );

  operation(
    {
      method: "get",
      path: "/api/v1/oauth/principal-token",
      operationId: "get_principal_token",
      summary: "Get Principal Token",
      description:
        "Called with a delegated token this service issued: a token for the acting user (the delegated token's `azp`) with its scopes as they were when it delegated, never outliving its own token then.",
      tags,
      success: tokenResponse,
    },
    async (c) => {
      const { principal, token } = await authentication(c);
      const granted = await teams.switchToPrincipal(principal, {
        kind: token.kind,
        actorGrant: token.actorGrant,
      });
      return tokenAnswer(await sign(granted));
    },
  );

  operation(
    {
      method: "post",
      path: "/api/v1/oauth/token",
      operationId: "oauth_token",
      summary: "Token",
      description:
        "`grant_type=refresh_token`: a new token pair for a refresh token, which is rotated (a reused refresh token ends its whole family). Client credentials, in the body or HTTP Basic, are accepted and ignored. Errors are RFC 6749 §5.2 bodies.",
      tags,
      security: [],
      body: { schema: refreshForm, type: "application/x-www-form-urlencoded" },
      oauthErrors: [400, 503],
      success: tokenResponse,
    },
    async (c) => {
      const refreshToken = refreshTokenOf(await oauthForm(c));
      return tokenAnswer(await sign(await teams.refreshGrant(refreshToken)));
    },
  );

  operation(
    {
      method: "post",
      path: "/api/v1/oauth/revoke",
      operationId: "oauth_revoke",
      summary: "Revoke",
      description:
        "RFC 7009: revokes a refresh token and every token rotated from the same issue. An unknown token is answered 200 as well.",
      tags,
      security: [],
      body: { schema: tokenForm, type: "application/x-www-form-urlencoded" },
      oauthErrors: [400, 503],
      success: { status: 200, description: "Revoked (or nothing to revoke)" },
    },
    async (c) => {
      await teams.revokeRefreshToken(required(await oauthForm(c), "token"));
      return new Response(null, { status: 200, headers: { "cache-control": "no-store" } });
    },
  );

  operation(
    {
      method: "post",
      path: "/api/v1/oauth/introspect",
      operationId: "oauth_introspect",
      summary: "Introspect",
      description:
        "RFC 7662, for an admin-scoped token or HTTP Basic with the resource servers' secret (`TEAMS_INTROSPECTION_SECRET`): whether a token this service issued is active. A delegated token is inactive as soon as its basis is gone (the authorization revoked or narrowed, the member removed, the manager changed), before it expires.",
      tags,
      security: ["HTTPBearer", "HTTPBasic"],
      body: { schema: tokenForm, type: "application/x-www-form-urlencoded" },
      oauthErrors: [400, 401, 403, 503],
      success: { status: 200, schema: ref("IntrospectionResponse") },
    },
    async (c: Context) => {
      const caller = await api.introspectionCaller(c);
      await teams.permitIntrospection(caller);
      const form = await oauthForm(c);
      return tokenAnswer(
        await introspectionAnswer(teams, authenticator, caller, required(form, "token")),
      );
    },
  );
}
