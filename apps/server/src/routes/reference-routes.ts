import type { Api } from "../http/api.js";
import { jsonArrayResponse } from "../http/json-array.js";
import { nextPageHeaders, wantsPage } from "../http/page-links.js";
import { param } from "../http/params.js";
import { ref } from "../openapi/reference-components.js";

const JSON_TYPE = { "content-type": "application/json" } as const;

const list = (item: string) => ({ type: "array", items: ref(item) });
const authorizationAnswer = {
  type: "object",
  properties: {
    team_id: { type: "string", title: "Team Id" },
    user_id: { type: "string", title: "User Id" },
    scopes: { type: "array", items: ref("Scope"), title: "Scopes" },
  },
  required: ["team_id", "user_id", "scopes"],
};
// Pagination is an extension too: described, and kept out of the parameters like `name`.
const paging =
  "Optional `limit` (1 to 1000) returns one page, still as a JSON array, in the list's order; when more follow, a `Link: <...>; rel=\"next\"` header gives the next page's URL and `X-Next-Cursor` its `cursor`. Without `limit` the whole list is returned.";
const delegatedOnly =
  "Requires a delegated token — the subject (sub) must be a managed user of the authorized party (azp).";

/** The five endpoints of the reference (DESIGN §3), paths and answers exactly. */
export function referenceRoutes({ teams, principal, body, operation }: Api): void {
  // Registered before /teams/{team_id}/... so "authorized" is never read as a team id.
  operation(
    {
      method: "get",
      path: "/api/v1/teams/authorized",
      issues: "query",
      operationId: "list_authorized_teams_api_v1_teams_authorized_get",
      summary: "List Authorized Teams",
      description: `List all teams the current user has authorized to access their data.\n\n${paging}`,
      tags: ["teams"],
      success: {
        status: 200,
        schema: list("AuthorizedTeamResponse"),
        title: "Response List Authorized Teams Api V1 Teams Authorized Get",
      },
    },
    async (c) => {
      const caller = await principal(c);
      if (!wantsPage((name) => c.req.query(name))) {
        // The list as the JSON text the store builds: sent as it is.
        return c.body(await teams.listAuthorizedTeamsJson(caller), 200, JSON_TYPE);
      }
      const page = await teams.listAuthorizedTeamsPage(caller, {
        limit: c.req.query("limit"),
        cursor: c.req.query("cursor"),
      });
      return c.json(page.items, 200, nextPageHeaders(c.req.url, page));
    },
  );

  operation(
    {
      method: "get",
      path: "/api/v1/teams/",
      issues: "query",
      operationId: "list_teams_api_v1_teams__get",
      summary: "List Teams",
      description: "List all teams the current user owns or is a member of.",
      tags: ["teams"],
      success: {
        status: 200,
        schema: list("TeamResponse"),
        title: "Response List Teams Api V1 Teams  Get",
      },
    },
    async (c) => c.json(await teams.listTeams(await principal(c))),
  );

  operation(
    {
      method: "post",
      path: "/api/v1/teams/{team_id}/authorize",
      operationId: "authorize_team_api_v1_teams__team_id__authorize_post",
      summary: "Authorize Team",
      description: `Authorize a team to access a managed user's data.\n\n${delegatedOnly} Regular users authorize teams through the browser-based OAuth flow.`,
      tags: ["teams"],
      body: { schema: ref("AuthorizeTeamRequest") },
      success: { status: 200, schema: authorizationAnswer },
    },
    async (c) => {
      const caller = await principal(c, { headerOnly: true });
      return c.json(await teams.authorizeTeam(caller, param(c, "team_id"), await body(c)));
    },
  );

  operation(
    {
      method: "delete",
      path: "/api/v1/teams/{team_id}/authorize",
      operationId: "revoke_team_authorization_api_v1_teams__team_id__authorize_delete",
      summary: "Revoke Team Authorization",
      description: `Revoke a team's authorization to access a managed user's data.\n\n${delegatedOnly} Regular users manage team authorizations through the browser.`,
      tags: ["teams"],
      success: { status: 200, schema: authorizationAnswer },
    },
    async (c) => {
      const caller = await principal(c, { headerOnly: true });
      return c.json(await teams.revokeTeam(caller, param(c, "team_id")));
    },
  );

  operation(
    {
      method: "get",
      path: "/api/v1/teams/{team_id}/users",
      issues: "query",
      operationId: "list_team_users_api_v1_teams__team_id__users_get",
      summary: "List Team Users",
      // `name` is an extension (DESIGN §3): described here, kept out of the parameters so that they
      // equal the reference's.
      description: `List all users who have authorized a team to access their data. Only accessible by team members.\n\nAn optional \`name\` query parameter keeps the users whose display name contains it, ignoring case.\n\n${paging}`,
      tags: ["teams"],
      success: {
        status: 200,
        schema: list("UserSummary"),
        title: "Response List Team Users Api V1 Teams  Team Id  Users Get",
      },
    },
    async (c) => {
      const caller = await principal(c);
      const teamId = param(c, "team_id");
      const name = c.req.query("name");
      if (!wantsPage((key) => c.req.query(key))) {
        // The whole list, which may be a team of 100,000: sent as it is read.
        return jsonArrayResponse((onChunk) =>
          teams.forEachTeamUsersJsonChunk(caller, teamId, { name }, onChunk),
        );
      }
      // The page comes as the JSON text the store keeps: sent as it is, never parsed.
      const page = await teams.listTeamUsersPageJson(caller, teamId, {
        name,
        limit: c.req.query("limit"),
        cursor: c.req.query("cursor"),
      });
      return c.body(page.json, 200, { ...JSON_TYPE, ...nextPageHeaders(c.req.url, page) });
    },
  );
}
