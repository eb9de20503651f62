import {
  AdminUserInput,
  AdminUserResponse,
  EventsPage,
  MAX_PAGE_SIZE,
  MemberInput,
  MemberResponse,
  TeamDetails,
  TeamInput,
} from "@teams/core";
import type { Api } from "../http/api.js";
import { param } from "../http/params.js";
import { jsonSchema } from "../openapi/operations.js";

/** Administration for the platform that owns the identities (DESIGN §4), tokens with scope `admin`. */
export function adminRoutes({ teams, principal, body, operation }: Api): void {
  const tags = ["administration"];
  const noContent = () => new Response(null, { status: 204 });

  operation(
    {
      method: "put",
      path: "/api/v1/admin/users/{user_id}",
      operationId: "admin_put_user",
      summary: "Put User",
      description:
        "Create or replace a user with the id you choose. `manager_id` makes it a managed user.",
      tags,
      body: { schema: jsonSchema(AdminUserInput) },
      success: { status: 200, schema: jsonSchema(AdminUserResponse) },
    },
    async (c) => {
      const caller = await principal(c);
      return c.json(await teams.adminPutUser(caller, param(c, "user_id"), await body(c)));
    },
  );

  operation(
    {
      method: "delete",
      path: "/api/v1/admin/users/{user_id}",
      operationId: "admin_delete_user",
      summary: "Delete User",
      description:
        "Delete a user with the users it manages, and their memberships and authorizations.",
      tags,
      success: { status: 204, description: "Deleted" },
    },
    async (c) => {
      await teams.adminDeleteUser(await principal(c), param(c, "user_id"));
      return noContent();
    },
  );

  operation(
    {
      method: "put",
      path: "/api/v1/admin/teams/{team_id}",
      operationId: "admin_put_team",
      summary: "Put Team",
      description: "Create or replace a team with the id you choose.",
      tags,
      body: { schema: jsonSchema(TeamInput) },
      success: { status: 200, schema: jsonSchema(TeamDetails) },
    },
    async (c) => {
      const caller = await principal(c);
      return c.json(await teams.adminPutTeam(caller, param(c, "team_id"), await body(c)));
    },
  );

  operation(
    {
      method: "delete",
      path: "/api/v1/admin/teams/{team_id}",
      operationId: "admin_delete_team",
      summary: "Delete Team",
      description: "Delete a team with its memberships and authorizations.",
      tags,
      success: { status: 204, description: "Deleted" },
    },
    async (c) => {
      await teams.adminDeleteTeam(await principal(c), param(c, "team_id"));
      return noContent();
    },
  );

  operation(
    {
      method: "put",
      path: "/api/v1/admin/teams/{team_id}/members/{user_id}",
      operationId: "admin_put_member",
      summary: "Put Member",
      description: "Add a member or change its role; a team never loses its last owner.",
      tags,
      body: { schema: jsonSchema(MemberInput) },
      success: { status: 200, schema: jsonSchema(MemberResponse) },
    },
    async (c) => {
      const caller = await principal(c);
      return c.json(
        await teams.adminPutMember(caller, param(c, "team_id"), param(c, "user_id"), await body(c)),
      );
    },
  );

  operation(
    {
      method: "delete",
      path: "/api/v1/admin/teams/{team_id}/members/{user_id}",
      operationId: "admin_delete_member",
      summary: "Remove Member",
      description: "Remove a member; never the last owner.",
      tags,
      success: { status: 204, description: "Removed" },
    },
    async (c) => {
      await teams.adminDeleteMember(await principal(c), param(c, "team_id"), param(c, "user_id"));
      return noContent();
    },
  );

  operation(
    {
      method: "get",
      path: "/api/v1/admin/events",
      issues: "query",
      operationId: "list_admin_events",
      summary: "List Events",
      description: `Extension: the consent log for integrations, every record in commit order from the start of the log: \`events\` (each one change of one authorization, as the history lists answer them) and \`next_cursor\`, to pass as \`after\` in the next request. The cursor is never null: a page with no events gives back the \`after\` it was asked with, so a consumer that polls with the last cursor it got reads every record exactly once, including one a slower transaction commits late (on PostgreSQL a record is answered only once no transaction still running can commit before it).`,
      query: [
        {
          name: "after",
          required: false,
          schema: { type: "string" },
          description:
            "Extension: read the records after this cursor (a previous answer's `next_cursor`); from the start of the log without.",
          extension: true,
        },
        {
          name: "limit",
          required: false,
          schema: { type: "integer", minimum: 1, maximum: MAX_PAGE_SIZE, default: MAX_PAGE_SIZE },
          description: `Extension: at most this many records (1 to ${MAX_PAGE_SIZE}, default ${MAX_PAGE_SIZE}).`,
          extension: true,
        },
      ],
      tags,
      success: { status: 200, schema: jsonSchema(EventsPage) },
    },
    async (c) => {
      const caller = await principal(c);
      const query = { after: c.req.query("after"), limit: c.req.query("limit") };
      return c.json(await teams.listEvents(caller, query));
    },
  );
}
