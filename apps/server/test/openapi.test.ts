import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, harness } from "./harness.js";
import {
  authorizeTeamRequestSchema,
  httpValidationErrorSchema,
  referenceComponents,
  referenceOperations,
} from "./reference-spec.js";

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document walked by tests
type Json = Record<string, any>;
let h: Harness;
let doc: Json;
beforeAll(async () => {
  h = await harness({ seed: false });
  const res = await h.request("/openapi.json");
  expect(res.status).toBe(200);
  doc = await res.json();
});
afterAll(() => h.close());

/** The type of a property in the words of the reference's schema tables. */
function describeType(schema: Json): string {
  if (schema.anyOf) return "";
  if (schema.$ref) return schema.$ref.split("/").at(-1);
  if (schema.type === "array") {
    return `Array<${schema.items?.$ref ? schema.items.$ref.split("/").at(-1) : ""}>`;
  }
  return schema.format ? `${schema.type}(${schema.format})` : schema.type;
}

describe("/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  // The document as it stands, kept beside the tests: a change of any operation shows as a diff
  // (key order aside) and is accepted by writing the new document there.
  it("is the document kept in test/openapi-document.json", () => {
    const kept = JSON.parse(
      readFileSync(new URL("openapi-document.json", import.meta.url), "utf8"),
    );
    expect(doc).toEqual(kept);
  });

  it("declares the reference's security schemes", () => {
    expect(doc.components.securitySchemes).toEqual({
      HTTPBearer: { type: "http", scheme: "bearer" },
      HTTPBasic: { type: "http", scheme: "basic" },
    });
  });

  it.each(Object.entries(referenceComponents))(
    "has the component %s with the reference's properties",
    (name, expected) => {
      const schema = doc.components.schemas[name];
      expect(schema, name).toBeDefined();
      if (typeof expected === "string") {
        expect(schema.type).toBe(expected);
        return;
      }
      const actual = Object.fromEntries(
        Object.entries(schema.properties as Record<string, Json>).map(([k, v]) => [
          k,
          describeType(v),
        ]),
      );
      expect(actual).toEqual(expected);
    },
  );

  it("has AuthorizeTeamRequest and HTTPValidationError exactly as printed", () => {
    expect(doc.components.schemas.AuthorizeTeamRequest).toEqual(authorizeTeamRequestSchema);
    expect(doc.components.schemas.HTTPValidationError).toEqual(httpValidationErrorSchema);
  });

  it.each(referenceOperations.map((op) => [op.method.toUpperCase(), op.path, op] as const))(
    "documents %s %s as the reference does",
    (_, path, op) => {
      const operation = doc.paths[path]?.[op.method];
      expect(operation, `${op.method} ${path}`).toBeDefined();
      expect(operation.summary).toBe(op.summary);
      expect(operation.security).toEqual([{ HTTPBearer: [] }]);
      // The reference's parameters exactly; the extensions (paging, `name`) beside them, marked.
      const own = operation.parameters.filter((p: Json) => !p["x-extension"]);
      expect(own.map((p: Json) => [p.name, p.in])).toEqual(op.parameters);
      if (op.requestBody) {
        expect(operation.requestBody.content["application/json"].schema).toEqual({
          $ref: `#/components/schemas/${op.requestBody}`,
        });
        expect(operation.requestBody.required).toBe(true);
      } else {
        expect(operation.requestBody).toBeUndefined();
      }
      if (op.response) {
        expect(operation.responses["200"].content["application/json"].schema).toEqual({
          type: "array",
          items: { $ref: `#/components/schemas/${op.response.items}` },
          title: op.response.title,
        });
      }
      expect(operation.responses["422"].content["application/json"].schema).toEqual({
        $ref: "#/components/schemas/HTTPValidationError",
      });
    },
  );
});

describe("extensions of the reference", () => {
  const lists = [
    ["/api/v1/teams/", []],
    ["/api/v1/teams/authorized", []],
    ["/api/v1/teams/{team_id}/users", ["name"]],
    ["/api/v1/teams/{team_id}/members", []],
  ] as const;

  it.each(lists)("GET %s documents its paging (and filter) as extensions", (path, filters) => {
    const operation = doc.paths[path].get;
    const extensions = operation.parameters.filter((p: Json) => p["x-extension"]);
    expect(extensions.map((p: Json) => [p.name, p.in, p.required])).toEqual([
      ...filters.map((name) => [name, "query", false]),
      ["limit", "query", false],
      ["cursor", "query", false],
    ]);
    expect(extensions.find((p: Json) => p.name === "limit").schema).toMatchObject({
      type: "integer",
      minimum: 1,
      maximum: 1000,
    });
    expect(Object.keys(operation.responses["200"].headers)).toEqual(["Link", "X-Next-Cursor"]);
  });

  it("documents no paging where a list does not page", () => {
    const authorize = doc.paths["/api/v1/teams/{team_id}/authorize"].post;
    expect(authorize.parameters.some((p: Json) => p["x-extension"])).toBe(false);
    expect(authorize.responses["200"].headers).toBeUndefined();
  });
});

describe("/docs", () => {
  it("serves an interactive reference from local files only", async () => {
    const page = await h.request("/docs");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('id="swagger-ui"');
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of ["/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/init.js"]) {
      expect(html).toContain(asset);
      const res = await h.request(asset);
      expect(res.status, asset).toBe(200);
      expect((await res.arrayBuffer()).byteLength, asset).toBeGreaterThan(10);
    }
    expect(await (await h.request("/docs/init.js")).text()).toContain("/openapi.json");
  });

  // The page's own script, run on the served document: what Swagger UI is given to render.
  it("offers only the security schemes some operation accepts (HTTPBasic: introspection)", async () => {
    const script = await (await h.request("/docs/init.js")).text();
    const served = await (await h.request("/openapi.json")).json();
    let rendered: Json | undefined;
    const page = {
      fetch: async () => ({ json: async () => served }),
      SwaggerUIBundle: (options: Json) => {
        rendered = options;
      },
      window: {} as Json,
    };
    await runInNewContext(script, page);
    expect(rendered?.spec.components.securitySchemes).toEqual({
      HTTPBearer: { type: "http", scheme: "bearer" },
      HTTPBasic: { type: "http", scheme: "basic" },
    });
    // The schemes no operation names are left out: a document whose only Basic user is gone.
    const bearerOnly = structuredClone(served);
    delete bearerOnly.paths["/api/v1/oauth/introspect"];
    await runInNewContext(script, {
      ...page,
      fetch: async () => ({ json: async () => bearerOnly }),
    });
    expect(Object.keys(rendered?.spec.components.securitySchemes ?? {})).toEqual(["HTTPBearer"]);
    expect(Object.keys(rendered?.spec.paths ?? {}).length).toBeGreaterThan(5);
  });
});
