import { ConsentRecord } from "@teams/core";
import type { Api } from "../http/api.js";
import { itemsAnswer, pageQuery } from "../http/page-links.js";
import { param } from "../http/params.js";
import { jsonSchema } from "../openapi/operations.js";
import { paging } from "../openapi/paging.js";

const records = { type: "array", items: jsonSchema(ConsentRecord) };
const record =
  "Each record is one change of one authorization (granted, updated, revoked): the scopes before and after, who made it (`actor`: the token's subject, its acting user, and how: `browser`, `manager_token`, `team_token`, `owner`, `admin`, `service`) and why (`cause`), oldest first.";

/**
 * The consent history (DESIGN §7): a person's own (or its managed user's) and a team's. Registered
 * before the reference's routes, so "authorized" is never read as a team id.
 */
export function historyRoutes({ teams, principal, operation }: Api): void {
  const tags = ["history"];

  operation(
    {
      method: "get",
      path: "/api/v1/teams/authorized/history",
      issues: "query",
      paged: true,
      operationId: "list_authorization_history",
      summary: "List Authorization History",
      description: `The history of the caller's authorizations of teams; with \`user_id\`, of a user it manages (any other user is a 404).\n\n${record}\n\n${paging}`,
      query: [
        {
          name: "user_id",
          required: false,
          schema: { type: "string" },
          description: "Extension: read the history of this managed user (its manager only).",
          extension: true,
        },
      ],
      tags,
      success: { status: 200, schema: records },
    },
    async (c) => {
      const caller = await principal(c);
      const query = { user_id: c.req.query("user_id"), ...pageQuery(c) };
      return itemsAnswer(c, await teams.listAuthorizationHistory(caller, query));
    },
  );

  operation(
    {
      method: "get",
      path: "/api/v1/teams/{team_id}/history",
      issues: "query",
      paged: true,
      operationId: "list_team_history",
      summary: "List Team History",
      description: `The history of the authorizations of a team, for its members (anyone else gets the team users list's 404).\n\n${record}\n\n${paging}`,
      tags,
      success: { status: 200, schema: records },
    },
    async (c) => {
      const caller = await principal(c);
      return itemsAnswer(c, await teams.listTeamHistory(caller, param(c, "team_id"), pageQuery(c)));
    },
  );
}
