import { readFileSync } from "node:fs";
import Ajv2020Module from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import createClient from "openapi-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { paths } from "./generated/openapi.js";
import { bearer, type Harness, harness } from "./harness.js";
import { openapiTypes, openapiTypesFile } from "./support/openapi-types.js";
import { noPostgres } from "./support/postgres.js";

// A client generated from our /openapi.json (openapi-typescript types, openapi-fetch calls) against
// the in-process app: `tsc` checks the calls against the document, and every answer, success or
// error, is checked against the schema the document gives for its operation and status.

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document walked by tests
type Json = Record<string, any>;
// CommonJS packages: under NodeNext their default import is the module, the class its `default`.
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

let h: Harness;
let doc: Json;
let ajv: InstanceType<typeof Ajv2020>;

/** A client over the in-process app, as a generated client would call the server. */
const client = (headers: Record<string, string> = {}) =>
  createClient<paths>({
    baseUrl: "http://localhost",
    headers,
    fetch: async (req: Request) => {
      const url = new URL(req.url);
      const body = req.method === "GET" ? undefined : await req.text();
      return h.request(`${url.pathname}${url.search}`, {
        method: req.method,
        headers: req.headers,
        ...(body ? { body } : {}),
      }) as Promise<Response>;
    },
  });
const as = async (sub: string, azp?: string) =>
  client(await bearer({ sub, ...(azp ? { azp } : {}) }));

/** Checks an answer against the document's schema for its operation and status. */
function expectDocumented(
  method: string,
  path: string,
  answer: { response: Response; data?: unknown; error?: unknown },
): void {
  const { status } = answer.response;
  const operation = doc.paths[path]?.[method];
  expect(operation, `${method} ${path}`).toBeDefined();
  const documented = operation.responses[String(status)];
  expect(documented, `${method} ${path} documents ${status}`).toBeDefined();
  const schema = documented.content["application/json"].schema;
  const validate = ajv.compile(
    JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/')),
  );
  const body = status < 400 ? answer.data : answer.error;
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
}

for (const store of ["sqlite", "postgres"] as const) {
  describe.skipIf(store === "postgres" && noPostgres)(
    `a client generated from /openapi.json (${store})`,
    () => {
      beforeAll(async () => {
        h = await harness({ store });
        doc = await (await h.request("/openapi.json")).json();
        ajv = new Ajv2020({ strict: false, allErrors: true });
        addFormats(ajv);
        ajv.addSchema({ $id: "openapi", components: doc.components });
      });
      afterAll(() => h.close());

      it("the committed types are what openapi-typescript makes of the served document", async () => {
        // If this fails: `pnpm --filter @teams/server openapi:types`, after updating the kept document.
        expect(readFileSync(openapiTypesFile, "utf8")).toBe(await openapiTypes(doc));
      });

      it("calls the five reference endpoints; each answer is as documented", async () => {
        const coach = await as("coach");
        const delegated = await as("ann", "coach");

        const teams = await coach.GET("/api/v1/teams/");
        expect(teams.response.status).toBe(200);
        expect(teams.data?.map((t) => [t.id, t.role])).toEqual([["club", "owner"]]);
        expectDocumented("get", "/api/v1/teams/", teams);

        const authorized = await delegated.POST("/api/v1/teams/{team_id}/authorize", {
          params: { path: { team_id: "club" } },
          body: { scopes: ["data:read", "profile"] },
        });
        expect(authorized.response.status).toBe(200);
        expectDocumented("post", "/api/v1/teams/{team_id}/authorize", authorized);

        const mine = await (await as("ann")).GET("/api/v1/teams/authorized");
        expect(mine.data?.map((t) => [t.id, t.scopes])).toEqual([
          ["club", ["data:read", "profile"]],
        ]);
        expectDocumented("get", "/api/v1/teams/authorized", mine);

        const users = await coach.GET("/api/v1/teams/{team_id}/users", {
          params: { path: { team_id: "club" }, query: { name: "ann", limit: 1 } },
        });
        expect(users.data?.map((u) => [u.id, u.first_name, u.last_name])).toEqual([
          ["ann", "Ann", "Athlete"],
        ]);
        expectDocumented("get", "/api/v1/teams/{team_id}/users", users);

        const revoked = await delegated.DELETE("/api/v1/teams/{team_id}/authorize", {
          params: { path: { team_id: "club" } },
        });
        // Revoking answers what it revoked.
        expect(revoked.data?.scopes).toEqual(["data:read", "profile"]);
        expectDocumented("delete", "/api/v1/teams/{team_id}/authorize", revoked);
      });

      it("pages through a list with the documented limit, cursor and X-Next-Cursor", async () => {
        const coach = await as("coach");
        for (const sub of ["ann", "ben"]) {
          await (await as(sub, "coach")).POST("/api/v1/teams/{team_id}/authorize", {
            params: { path: { team_id: "club" } },
            body: { scopes: ["data:read"] },
          });
        }
        const first = await coach.GET("/api/v1/teams/{team_id}/users", {
          params: { path: { team_id: "club" }, query: { limit: 1 } },
        });
        const cursor = first.response.headers.get("x-next-cursor");
        expect(cursor).toBeTruthy();
        expect(first.response.headers.get("link")).toContain('rel="next"');
        const second = await coach.GET("/api/v1/teams/{team_id}/users", {
          params: { path: { team_id: "club" }, query: { limit: 1, cursor: cursor ?? "" } },
        });
        expect([...(first.data ?? []), ...(second.data ?? [])].map((u) => u.id).sort()).toEqual([
          "ann",
          "ben",
        ]);
        expect(second.response.headers.get("x-next-cursor")).toBeNull();
        expectDocumented("get", "/api/v1/teams/{team_id}/users", second);
      });

      it("creates and lists managed users; each answer is as documented", async () => {
        const coach = await as("coach");
        const created = await coach.POST("/api/v1/users/", {
          body: { first_name: "Dan", last_name: null },
        });
        expect(created.response.status).toBe(201);
        expect(created.data?.first_name).toBe("Dan");
        expectDocumented("post", "/api/v1/users/", created);

        const listed = await coach.GET("/api/v1/users/");
        expect(listed.data?.map((u) => u.id)).toContain(created.data?.id);
        expectDocumented("get", "/api/v1/users/", listed);
      });

      it("gets 401, 403, 404 and 422 bodies typed and shaped as documented", async () => {
        const nobody = await client().GET("/api/v1/teams/");
        expect(nobody.response.status).toBe(401);
        // The error is typed from the document: `detail` of a 401 is a string.
        expect(typeof nobody.error?.detail).toBe("string");
        expectDocumented("get", "/api/v1/teams/", nobody);

        const person = await (await as("ann")).POST("/api/v1/teams/{team_id}/authorize", {
          params: { path: { team_id: "club" } },
          body: { scopes: ["data:read"] },
        });
        expect(person.response.status).toBe(403);
        expectDocumented("post", "/api/v1/teams/{team_id}/authorize", person);

        const missing = await (await as("carl")).GET("/api/v1/teams/{team_id}/users", {
          params: { path: { team_id: "no-such-team" } },
        });
        expect(missing.response.status).toBe(404);
        expectDocumented("get", "/api/v1/teams/{team_id}/users", missing);

        const invalid = await (await as("ann", "coach")).POST("/api/v1/teams/{team_id}/authorize", {
          params: { path: { team_id: "club" } },
          // @ts-expect-error not a scope of the document's Scope enum
          body: { scopes: ["data:delete"] },
        });
        expect(invalid.response.status).toBe(422);
        expectDocumented("post", "/api/v1/teams/{team_id}/authorize", invalid);
      });

      it("refuses wrong calls at compile time (tsc checks these lines)", () => {
        // Never sent: each call is a type error the generated types catch.
        const calls = [
          // @ts-expect-error the path parameter team_id is required
          () => client().GET("/api/v1/teams/{team_id}/users", { params: { path: {} } }),
          // @ts-expect-error `limit` is a number
          () => client().GET("/api/v1/teams/", { params: { query: { limit: "ten" } } }),
          // @ts-expect-error no such path in the document
          () => client().GET("/api/v1/teams/{team_id}/nothing"),
          () =>
            client().POST("/api/v1/teams/{team_id}/authorize", {
              params: { path: { team_id: "x" } },
              // @ts-expect-error the body's `scopes` is required
              body: {},
            }),
        ];
        expect(calls).toHaveLength(4);
      });
    },
  );
}
