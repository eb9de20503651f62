import { ManagedUserInput, ManagedUserPatch, UserResponse } from "@teams/core";
import type { Context } from "hono";
import type { Api } from "../http/api.js";
import { itemsAnswer, pageQuery } from "../http/page-links.js";
import { param } from "../http/params.js";
import { jsonSchema } from "../openapi/operations.js";
import { paging } from "../openapi/paging.js";
import { ref } from "../openapi/reference-components.js";

/** Users as the reference's platform serves them (DESIGN §4): `/api/v1/users/...`. */
export function userRoutes({ teams, principal, body, formOrJsonBody, operation }: Api): void {
  const tags = ["management"];
  const user = { status: 200, schema: jsonSchema(UserResponse) };
  const userId = (c: Context) => param(c, "user_id");

  operation(
    {
      method: "post",
      path: "/api/v1/users/",
      operationId: "create_managed_user",
      summary: "Create Managed User",
      description: "Create a user managed by the caller: an account with no login of its own.",
      tags,
      body: { schema: jsonSchema(ManagedUserInput) },
      success: { ...user, status: 201 },
    },
    async (c) => {
      const caller = await principal(c);
      return c.json(await teams.createManagedUser(caller, await body(c)), 201);
    },
  );

  operation(
    {
      method: "get",
      path: "/api/v1/users/",
      issues: "query",
      operationId: "list_users",
      summary: "List Users",
      description: `The caller, the users it manages (\`include_managed\`) and the users who authorized a team it belongs to (\`include_shared\`), each with the scopes the caller can use, by display name then id. Delegated tokens are refused.\n\n${paging}`,
      tags,
      query: [
        { name: "include_managed", required: false, schema: { type: "boolean", default: true } },
        { name: "include_shared", required: false, schema: { type: "boolean", default: true } },
      ],
      success: { status: 200, schema: { type: "array", items: ref("UserSummary") } },
    },
    async (c) =>
      itemsAnswer(
        c,
        await teams.listUsers(await principal(c), {
          include_managed: c.req.query("include_managed"),
          include_shared: c.req.query("include_shared"),
          ...pageQuery(c),
        }),
      ),
  );

  operation(
    {
      method: "get",
      path: "/api/v1/users/{user_id}",
      operationId: "get_managed_user",
      summary: "Get Managed User",
      description: "One of the caller's managed users; 404 for anyone else, the caller included.",
      tags,
      success: user,
    },
    async (c) => c.json(await teams.getManagedUser(await principal(c), userId(c))),
  );

  operation(
    {
      method: "put",
      path: "/api/v1/users/{user_id}",
      operationId: "update_managed_user",
      summary: "Update Managed User",
      description:
        "Rename one of the caller's managed users; names not given stay. The body may be JSON or form-encoded (`application/x-www-form-urlencoded`).",
      tags,
      body: { schema: jsonSchema(ManagedUserPatch), required: false },
      success: user,
    },
    async (c) => {
      const caller = await principal(c);
      return c.json(await teams.updateManagedUser(caller, userId(c), await formOrJsonBody(c)));
    },
  );

  operation(
    {
      method: "delete",
      path: "/api/v1/users/{user_id}",
      operationId: "delete_managed_user",
      summary: "Delete Managed User",
      description:
        "Delete one of the caller's managed users with its memberships and authorizations.",
      tags,
      success: { status: 204, description: "Deleted" },
    },
    async (c) => {
      await teams.deleteManagedUser(await principal(c), userId(c));
      return new Response(null, { status: 204 });
    },
  );
}
