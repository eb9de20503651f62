import {
  AdminUserInput,
  MemberInput,
  MemberResponse,
  TeamDetails,
  TeamInput,
  UserResponse,
} from "@teams/core";
import type { Api } from "../http/api.js";
import { param } from "../http/params.js";
import { documentOperation, jsonSchema } from "../openapi/operations.js";

/** Administration for the platform that owns the identities (DESIGN §4), tokens with scope `admin`. */
export function adminRoutes({ app, teams, principal, body, endpoint }: Api): void {
  const tags = ["administration"];
  const noContent = () => new Response(null, { status: 204 });
  const user = { source: "body", pathParams: ["user_id"] } as const;
  const team = { source: "body", pathParams: ["team_id"] } as const;
  const member = { source: "body", pathParams: ["team_id", "user_id"] } as const;

  app.put(
    "/api/v1/admin/users/:user_id",
    endpoint(user, async (c) => {
      const caller = await principal(c);
      return c.json(await teams.adminPutUser(caller, param(c, "user_id"), await body(c)));
    }),
  );
  documentOperation(app, {
    method: "put",
    path: "/api/v1/admin/users/{user_id}",
    operationId: "admin_put_user",
    summary: "Put User",
    description:
      "Create or replace a user with the id you choose. `manager_id` makes it a managed user.",
    tags,
    pathParams: ["user_id"],
    body: { schema: jsonSchema(AdminUserInput) },
    success: { status: 200, schema: jsonSchema(UserResponse) },
  });

  app.delete(
    "/api/v1/admin/users/:user_id",
    endpoint(user, async (c) => {
      await teams.adminDeleteUser(await principal(c), param(c, "user_id"));
      return noContent();
    }),
  );
  documentOperation(app, {
    method: "delete",
    path: "/api/v1/admin/users/{user_id}",
    operationId: "admin_delete_user",
    summary: "Delete User",
    description:
      "Delete a user with the users it manages, and their memberships and authorizations.",
    tags,
    pathParams: ["user_id"],
    success: { status: 204, description: "Deleted" },
  });

  app.put(
    "/api/v1/admin/teams/:team_id",
    endpoint(team, async (c) => {
      const caller = await principal(c);
      return c.json(await teams.adminPutTeam(caller, param(c, "team_id"), await body(c)));
    }),
  );
  documentOperation(app, {
    method: "put",
    path: "/api/v1/admin/teams/{team_id}",
    operationId: "admin_put_team",
    summary: "Put Team",
    description: "Create or replace a team with the id you choose.",
    tags,
    pathParams: ["team_id"],
    body: { schema: jsonSchema(TeamInput) },
    success: { status: 200, schema: jsonSchema(TeamDetails) },
  });

  app.delete(
    "/api/v1/admin/teams/:team_id",
    endpoint(team, async (c) => {
      await teams.adminDeleteTeam(await principal(c), param(c, "team_id"));
      return noContent();
    }),
  );
  documentOperation(app, {
    method: "delete",
    path: "/api/v1/admin/teams/{team_id}",
    operationId: "admin_delete_team",
    summary: "Delete Team",
    description: "Delete a team with its memberships and authorizations.",
    tags,
    pathParams: ["team_id"],
    success: { status: 204, description: "Deleted" },
  });

  app.put(
    "/api/v1/admin/teams/:team_id/members/:user_id",
    endpoint(member, async (c) => {
      const caller = await principal(c);
      return c.json(
        await teams.adminPutMember(caller, param(c, "team_id"), param(c, "user_id"), await body(c)),
      );
    }),
  );
  documentOperation(app, {
    method: "put",
    path: "/api/v1/admin/teams/{team_id}/members/{user_id}",
    operationId: "admin_put_member",
    summary: "Put Member",
    description: "Add a member or change its role; a team never loses its last owner.",
    tags,
    pathParams: ["team_id", "user_id"],
    body: { schema: jsonSchema(MemberInput) },
    success: { status: 200, schema: jsonSchema(MemberResponse) },
  });

  app.delete(
    "/api/v1/admin/teams/:team_id/members/:user_id",
    endpoint(member, async (c) => {
      await teams.adminDeleteMember(await principal(c), param(c, "team_id"), param(c, "user_id"));
      return noContent();
    }),
  );
  documentOperation(app, {
    method: "delete",
    path: "/api/v1/admin/teams/{team_id}/members/{user_id}",
    operationId: "admin_delete_member",
    summary: "Remove Member",
    description: "Remove a member; never the last owner.",
    tags,
    pathParams: ["team_id", "user_id"],
    success: { status: 204, description: "Removed" },
  });
}
