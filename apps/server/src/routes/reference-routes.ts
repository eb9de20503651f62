import type { Api } from "../http/api.js";
import { itemsAnswer, linesAnswer, pageQuery } from "../http/page-links.js";
import { param } from "../http/params.js";
import { paging } from "../openapi/paging.js";
import { ref } from "../openapi/reference-components.js";

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
      paged: true,
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
      return linesAnswer(c, await teams.listAuthorizedTeams(caller, pageQuery(c)));
    },
  );

  operation(
    {
      method: "get",
      path: "/api/v1/teams/",
      issues: "query",
      paged: true,
      operationId: "list_teams_api_v1_teams__get",
      summary: "List Teams",
      description: `List all teams the current user owns or is a member of.\n\n${paging}`,
      tags: ["teams"],
      success: {
        status: 200,
        schema: list("TeamResponse"),
        title: "Response List Teams Api V1 Teams  Get",
      },
    },
    async (c) => itemsAnswer(c, await teams.listTeams(await principal(c), pageQuery(c))),
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
      paged: true,
      operationId: "list_team_users_api_v1_teams__team_id__users_get",
      summary: "List Team Users",
      description: `List all users who have authorized a team to access their data. Only accessible by team members.\n\nAn optional \`name\` query parameter keeps the users whose display name contains it, ignoring case (Unicode full case folding after NFKC, as Python's \`str.casefold()\`).\n\n${paging}`,
      query: [
        {
          name: "name",
          required: false,
          schema: { type: "string" },
          description:
            "Extension: keep the users whose display name contains this, ignoring case (Unicode full case folding after NFKC).",
          extension: true,
        },
      ],
      tags: ["teams"],
      success: {
        status: 200,
        schema: list("UserSummary"),
        title: "Response List Team Users Api V1 Teams  Team Id  Users Get",
      },
    },
    async (c) => {
      const caller = await principal(c);
      const query = { name: c.req.query("name"), ...pageQuery(c) };
      return linesAnswer(c, await teams.listTeamUsers(caller, param(c, "team_id"), query));
    },
  );
}
