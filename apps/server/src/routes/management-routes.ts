import { MemberInput, MemberResponse, TeamInput, TeamPatch } from "@teams/core";
import type { Api } from "../http/api.js";
import { itemsAnswer, pageQuery } from "../http/page-links.js";
import { param } from "../http/params.js";
import { jsonSchema } from "../openapi/operations.js";
import { paging } from "../openapi/paging.js";
import { ref } from "../openapi/reference-components.js";

/** Management for people (DESIGN §4): teams, members, one team user, the access check. */
export function managementRoutes({ teams, principal, body, operation }: Api): void {
  const tags = ["management"];
  const noContent = () => new Response(null, { status: 204 });

  operation(
    {
      method: "post",
      path: "/api/v1/teams/",
      operationId: "create_team",
      summary: "Create Team",
      description: "Create a team; the caller becomes its owner.",
      tags,
      body: { schema: jsonSchema(TeamInput) },
      success: { status: 201, schema: ref("TeamResponse") },
    },
    async (c) => {
      const caller = await principal(c);
      return c.json(await teams.createTeam(caller, await body(c)), 201);
    },
  );

  operation(
    {
      method: "get",
      path: "/api/v1/teams/{team_id}",
      operationId: "get_team",
      summary: "Get Team",
      description: "A team, for its members and for the users who authorized it.",
      tags,
      success: { status: 200, schema: ref("TeamResponse") },
    },
    async (c) => c.json(await teams.getTeam(await principal(c), param(c, "team_id"))),
  );

  operation(
    {
      method: "patch",
      path: "/api/v1/teams/{team_id}",
      operationId: "update_team",
      summary: "Update Team",
      description: "Change some of a team's fields. Owners only.",
      tags,
      body: { schema: jsonSchema(TeamPatch) },
      success: { status: 200, schema: ref("TeamResponse") },
    },
    async (c) => {
      const caller = await principal(c);
      return c.json(await teams.updateTeam(caller, param(c, "team_id"), await body(c)));
    },
  );

  operation(
    {
      method: "delete",
      path: "/api/v1/teams/{team_id}",
      operationId: "delete_team",
      summary: "Delete Team",
      description: "Delete a team with its memberships and authorizations. Owners only.",
      tags,
      success: { status: 204, description: "Deleted" },
    },
    async (c) => {
      await teams.deleteTeam(await principal(c), param(c, "team_id"));
      return noContent();
    },
  );

  operation(
    {
      method: "get",
      path: "/api/v1/teams/{team_id}/members",
      issues: "query",
      paged: true,
      operationId: "list_team_members",
      summary: "List Team Members",
      description: `The team's members with their roles, for members.\n\n${paging}`,
      tags,
      success: { status: 200, schema: { type: "array", items: jsonSchema(MemberResponse) } },
    },
    async (c) =>
      itemsAnswer(
        c,
        await teams.listMembers(await principal(c), param(c, "team_id"), pageQuery(c)),
      ),
  );

  operation(
    {
      method: "put",
      path: "/api/v1/teams/{team_id}/members/{user_id}",
      operationId: "put_team_member",
      summary: "Add Or Re-role Member",
      description:
        "Add a member or change its role. Owners only; a team never loses its last owner.",
      tags,
      body: { schema: jsonSchema(MemberInput) },
      success: { status: 200, schema: jsonSchema(MemberResponse) },
    },
    async (c) => {
      const caller = await principal(c);
      return c.json(
        await teams.putMember(caller, param(c, "team_id"), param(c, "user_id"), await body(c)),
      );
    },
  );

  operation(
    {
      method: "delete",
      path: "/api/v1/teams/{team_id}/members/{user_id}",
      operationId: "remove_team_member",
      summary: "Remove Member",
      description: "Owners remove anyone; a member may remove itself; never the last owner.",
      tags,
      success: { status: 204, description: "Removed" },
    },
    async (c) => {
      await teams.removeMember(await principal(c), param(c, "team_id"), param(c, "user_id"));
      return noContent();
    },
  );

  operation(
    {
      method: "get",
      path: "/api/v1/teams/{team_id}/users/{user_id}",
      operationId: "get_team_user",
      summary: "Get Team User",
      description: "One user who authorized the team, for its members.",
      tags,
      success: { status: 200, schema: ref("UserSummary") },
    },
    async (c) =>
      c.json(await teams.getTeamUser(await principal(c), param(c, "team_id"), param(c, "user_id"))),
  );

  operation(
    {
      method: "get",
      path: "/api/v1/access",
      issues: "query",
      operationId: "check_access",
      summary: "Check Access",
      description:
        "May the caller see this user's data under this scope? Yes when it is the user, the user's manager, or a member of a team the user authorized with the scope.",
      tags,
      query: [
        { name: "user_id", required: true, schema: { type: "string" } },
        { name: "scope", required: true, schema: ref("Scope") },
      ],
      success: {
        status: 200,
        schema: {
          type: "object",
          properties: {
            user_id: { type: "string" },
            scope: ref("Scope"),
            allowed: { type: "boolean" },
          },
          required: ["user_id", "scope", "allowed"],
        },
      },
    },
    async (c) => {
      const caller = await principal(c);
      const userId = c.req.query("user_id") ?? "";
      const allowed = await teams.canAccess(caller, { userId, scope: c.req.query("scope") ?? "" });
      return c.json({ user_id: userId, scope: c.req.query("scope"), allowed });
    },
  );
}
