import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, harness } from "./harness.js";

// The platform's component schemas, as its own openapi.json has them (the generated models of its
// public Python SDK show each one's required keys, nullability, titles, enum order and formats).
// Descriptions are left out: the SDK's models do not carry them.

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document walked by tests
type Json = Record<string, any>;

const str = (title: string) => ({ type: "string", title });
const uri = (title: string) => ({ type: "string", format: "uri", title });
const nullableStr = (title: string) => ({ anyOf: [{ type: "string" }, { type: "null" }], title });
const scopes = { type: "array", items: { $ref: "#/components/schemas/Scope" }, title: "Scopes" };
const team = {
  id: str("Id"),
  name: str("Name"),
  description: str("Description"),
  url: uri("Url"),
  image: uri("Image"),
  privacy_statement: uri("Privacy Statement"),
};
const teamKeys = Object.keys(team);

const platform: Record<string, Json> = {
  ApplicationMemberRole: {
    type: "string",
    enum: ["owner", "member"],
    title: "ApplicationMemberRole",
  },
  Scope: {
    type: "string",
    enum: ["data:read", "data:write", "admin", "openid", "profile", "offline_access"],
    title: "Scope",
  },
  TeamResponse: {
    type: "object",
    title: "TeamResponse",
    properties: {
      ...team,
      // Required and nullable; a reference to an enum gets no title.
      role: { anyOf: [{ $ref: "#/components/schemas/ApplicationMemberRole" }, { type: "null" }] },
    },
    required: [...teamKeys, "role"],
  },
  AuthorizedTeamResponse: {
    type: "object",
    title: "AuthorizedTeamResponse",
    properties: { ...team, scopes },
    required: [...teamKeys, "scopes"],
  },
  AuthorizeTeamRequest: {
    type: "object",
    title: "AuthorizeTeamRequest",
    properties: { scopes },
    required: ["scopes"],
  },
  UserSummary: {
    type: "object",
    title: "UserSummary",
    properties: {
      id: str("Id"),
      first_name: nullableStr("First Name"),
      last_name: nullableStr("Last Name"),
      scopes,
      display_name: str("Display Name"),
      is_managed: { type: "boolean", title: "Is Managed" },
    },
    required: ["id", "first_name", "last_name", "scopes", "display_name", "is_managed"],
  },
  HTTPValidationError: {
    type: "object",
    title: "HTTPValidationError",
    // `detail` is optional in FastAPI's published schema.
    properties: {
      detail: {
        type: "array",
        items: { $ref: "#/components/schemas/ValidationError" },
        title: "Detail",
      },
    },
  },
  ValidationError: {
    type: "object",
    title: "ValidationError",
    properties: {
      loc: {
        type: "array",
        items: { anyOf: [{ type: "string" }, { type: "integer" }] },
        title: "Location",
      },
      msg: str("Message"),
      type: str("Error Type"),
    },
    required: ["loc", "msg", "type"],
  },
};

// The platform's UserResponse. Ours is being reshaped to it elsewhere: until our document's
// UserResponse has `admin`, it is not compared (then it is, with no change here).
const platformUserResponse: Json = {
  type: "object",
  title: "UserResponse",
  properties: {
    id: str("Id"),
    first_name: nullableStr("First Name"),
    last_name: nullableStr("Last Name"),
    admin: { type: "boolean", title: "Admin" },
    registered_at: { type: "string", format: "date-time", title: "Registered At" },
    display_name: str("Display Name"),
    is_managed: { type: "boolean", title: "Is Managed" },
  },
  required: [
    "id",
    "first_name",
    "last_name",
    "admin",
    "registered_at",
    "display_name",
    "is_managed",
  ],
};

/** A schema as compared: no description, `required` as a set. */
function comparable(schema: Json): Json {
  const { description: _, required, ...rest } = schema;
  return required ? { ...rest, required: [...required].sort() } : rest;
}

let h: Harness;
let components: Record<string, Json>;
beforeAll(async () => {
  h = await harness({ seed: false });
  components = (await (await h.request("/openapi.json")).json()).components.schemas;
});
afterAll(() => h.close());

describe("component schemas shared with the platform", () => {
  it.each(Object.entries(platform))("%s equals the platform's", (name, expected) => {
    expect(components[name], name).toBeDefined();
    expect(comparable(components[name] as Json)).toEqual(comparable(expected));
  });

  it("UserResponse equals the platform's once ours has `admin`", () => {
    const ours = components.UserResponse;
    if (!ours?.properties?.admin) return;
    expect(comparable(ours)).toEqual(comparable(platformUserResponse));
  });
});
