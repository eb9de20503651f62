import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { Invalid, type ValidationIssue } from "./errors.js";
import {
  AccessCheckInput,
  AdminUserInput,
  AuthorizeTeamInput,
  ListTeamUsersQuery,
  ManagedUserInput,
  MemberInput,
  TeamInput,
  TeamPatch,
} from "./request-schemas.js";
import { canonicalScopes } from "./scopes.js";
import { parseInput } from "./validation.js";

// DESIGN §3: validation errors are FastAPI's 422 items in pydantic v2's words, `loc` relative to the
// body (the HTTP layer prefixes "body"). Rows give the whole issue list, in order.

/** An expected issue; `input` is left out only where a separate table pins it down. */
type ExpectedIssue = Omit<ValidationIssue, "input"> & { input?: unknown };

function invalidOf(schema: z.ZodType, input: unknown): Invalid {
  try {
    parseInput(schema, input);
  } catch (error) {
    expect(error).toBeInstanceOf(Invalid);
    return error as Invalid;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

const issuesOf = (schema: z.ZodType, input: unknown): ValidationIssue[] =>
  invalidOf(schema, input).issues;

function expectIssues(schema: z.ZodType, input: unknown, expected: ExpectedIssue[]): void {
  const issues = issuesOf(schema, input);
  // toMatchObject checks the array's length, so no issue goes unexpected.
  expect(issues).toMatchObject(expected);
  for (const [i, issue] of expected.entries()) {
    if ("input" in issue) expect(issues[i]?.input).toEqual(issue.input);
  }
}

const SCOPE_ENUM_MSG =
  "Input should be 'data:read', 'data:write', 'profile', 'openid', 'offline_access' or 'admin'";
const OBJECT_MSG = "Input should be a valid dictionary or object to extract fields from";
const notGrantable = (scope: string) => `Value error, scope '${scope}' cannot be granted to a team`;

const missing = (field: string): ExpectedIssue => ({
  type: "missing",
  loc: [field],
  msg: "Field required",
});
const notAnObject = (input: unknown): ExpectedIssue => ({
  type: "model_attributes_type",
  loc: [],
  msg: OBJECT_MSG,
  input,
});

describe("AuthorizeTeamInput (POST /api/v1/teams/{team_id}/authorize)", () => {
  describe("accepts", () => {
    it.each<{ name: string; body: unknown; scopes: string[] }>([
      { name: "data:read", body: { scopes: ["data:read"] }, scopes: ["data:read"] },
      { name: "data:write", body: { scopes: ["data:write"] }, scopes: ["data:write"] },
      { name: "profile", body: { scopes: ["profile"] }, scopes: ["profile"] },
      {
        name: "every grantable scope, in any order",
        body: { scopes: ["profile", "data:write", "data:read"] },
        scopes: ["profile", "data:write", "data:read"],
      },
      // Duplicates are merged by the use case (canonicalScopes), not refused.
      {
        name: "duplicates",
        body: { scopes: ["data:read", "data:read", "profile"] },
        scopes: ["data:read", "data:read", "profile"],
      },
    ])("$name", ({ body, scopes }) => {
      const parsed = parseInput(AuthorizeTeamInput, body);
      expect(parsed).toEqual({ scopes });
    });

    it("duplicates merge into one canonical set", () => {
      const { scopes } = parseInput(AuthorizeTeamInput, {
        scopes: ["profile", "data:read", "profile"],
      });
      expect(canonicalScopes(scopes)).toEqual(["data:read", "profile"]);
    });
  });

  // Keys the caller may not choose (whose authorization, which team) come from the token and the
  // path; in the body they are ignored and never reach the use case.
  describe("ignores extra keys and does not pass them through", () => {
    it.each<{ name: string; body: Record<string, unknown> }>([
      { name: "user_id", body: { scopes: ["data:read"], user_id: "someone-else" } },
      { name: "team_id", body: { scopes: ["data:read"], team_id: "another-team" } },
      {
        name: "granted_at and role",
        body: { scopes: ["data:read"], granted_at: "1970", role: "owner" },
      },
    ])("$name", ({ body }) => {
      const parsed = parseInput(AuthorizeTeamInput, body);
      expect(Object.keys(parsed)).toEqual(["scopes"]);
      expect(parsed).toEqual({ scopes: ["data:read"] });
    });

    it("__proto__ in a JSON.parse'd body", () => {
      const body: unknown = JSON.parse('{"scopes":["data:read"],"__proto__":{"polluted":true}}');
      expect(Object.keys(body as object)).toContain("__proto__");
      const parsed = parseInput(AuthorizeTeamInput, body);
      expect(Object.keys(parsed)).toEqual(["scopes"]);
      expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
      expect((parsed as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe("refuses", () => {
    it.each<{ name: string; body: unknown; issues: ExpectedIssue[] }>([
      { name: "an empty object (scopes missing)", body: {}, issues: [missing("scopes")] },
      { name: "a body with only other keys", body: { user_id: "u" }, issues: [missing("scopes")] },
      { name: "null", body: null, issues: [notAnObject(null)] },
      {
        name: "an array",
        body: [{ scopes: ["data:read"] }],
        issues: [notAnObject([{ scopes: ["data:read"] }])],
      },
      { name: "a string", body: "data:read", issues: [notAnObject("data:read")] },
      { name: "a number", body: 42, issues: [notAnObject(42)] },
      { name: "a boolean", body: true, issues: [notAnObject(true)] },
      {
        name: "scopes as a string",
        body: { scopes: "data:read" },
        issues: [
          {
            type: "list_type",
            loc: ["scopes"],
            msg: "Input should be a valid list",
            input: "data:read",
          },
        ],
      },
      {
        name: "scopes as a space-separated string",
        body: { scopes: "data:read profile" },
        issues: [
          {
            type: "list_type",
            loc: ["scopes"],
            msg: "Input should be a valid list",
            input: "data:read profile",
          },
        ],
      },
      {
        name: "scopes null",
        body: { scopes: null },
        issues: [
          { type: "list_type", loc: ["scopes"], msg: "Input should be a valid list", input: null },
        ],
      },
      {
        name: "scopes as an object",
        body: { scopes: { 0: "data:read" } },
        issues: [
          {
            type: "list_type",
            loc: ["scopes"],
            msg: "Input should be a valid list",
            input: { 0: "data:read" },
          },
        ],
      },
      {
        name: "an empty list",
        body: { scopes: [] },
        issues: [
          {
            type: "too_short",
            loc: ["scopes"],
            msg: "List should have at least 1 item after validation, not 0",
            input: [],
          },
        ],
      },
      {
        name: "an unknown scope",
        body: { scopes: ["bogus"] },
        issues: [{ type: "enum", loc: ["scopes", 0], msg: SCOPE_ENUM_MSG, input: "bogus" }],
      },
      {
        name: "a scope in another case, after a valid one",
        body: { scopes: ["data:read", "Data:Write"] },
        issues: [{ type: "enum", loc: ["scopes", 1], msg: SCOPE_ENUM_MSG, input: "Data:Write" }],
      },
      {
        name: "a number item",
        body: { scopes: [1] },
        issues: [{ type: "enum", loc: ["scopes", 0], msg: SCOPE_ENUM_MSG, input: 1 }],
      },
      {
        name: "a null item",
        body: { scopes: ["profile", null] },
        issues: [{ type: "enum", loc: ["scopes", 1], msg: SCOPE_ENUM_MSG, input: null }],
      },
      {
        name: "a nested list item",
        body: { scopes: [["data:read"]] },
        issues: [{ type: "enum", loc: ["scopes", 0], msg: SCOPE_ENUM_MSG, input: ["data:read"] }],
      },
      {
        name: "openid (a token scope, not grantable)",
        body: { scopes: ["openid"] },
        issues: [
          { type: "value_error", loc: ["scopes", 0], msg: notGrantable("openid"), input: "openid" },
        ],
      },
      {
        name: "offline_access (not grantable)",
        body: { scopes: ["data:read", "offline_access"] },
        issues: [
          {
            type: "value_error",
            loc: ["scopes", 1],
            msg: notGrantable("offline_access"),
            input: "offline_access",
          },
        ],
      },
      {
        name: "admin (not grantable)",
        body: { scopes: ["data:read", "profile", "admin"] },
        issues: [
          { type: "value_error", loc: ["scopes", 2], msg: notGrantable("admin"), input: "admin" },
        ],
      },
      {
        name: "several non-grantable scopes, each at its index",
        body: { scopes: ["openid", "data:read", "admin"] },
        issues: [
          { type: "value_error", loc: ["scopes", 0], msg: notGrantable("openid"), input: "openid" },
          { type: "value_error", loc: ["scopes", 2], msg: notGrantable("admin"), input: "admin" },
        ],
      },
      {
        name: "several unknown scopes, each at its index",
        body: { scopes: ["bogus", "data:read", 7] },
        issues: [
          { type: "enum", loc: ["scopes", 0], msg: SCOPE_ENUM_MSG, input: "bogus" },
          { type: "enum", loc: ["scopes", 2], msg: SCOPE_ENUM_MSG, input: 7 },
        ],
      },
      // As with a pydantic after-validator: grantability is asked only of a list of scopes.
      {
        name: "an unknown scope beside a non-grantable one (only the unknown is reported)",
        body: { scopes: ["bogus", "admin"] },
        issues: [{ type: "enum", loc: ["scopes", 0], msg: SCOPE_ENUM_MSG, input: "bogus" }],
      },
    ])("$name", ({ body, issues }) => {
      expectIssues(AuthorizeTeamInput, body, issues);
    });
  });

  // The message is for logs and for tRPC; REST clients read the issues.
  it("throws an Invalid whose message names each location", () => {
    const several = invalidOf(AuthorizeTeamInput, { scopes: ["openid", "admin"] });
    expect(several.kind).toBe("invalid");
    expect(several.message).toBe(
      `scopes.0: ${notGrantable("openid")}; scopes.1: ${notGrantable("admin")}`,
    );
    expect(invalidOf(AuthorizeTeamInput, null).message).toBe(`input: ${OBJECT_MSG}`);
  });
});

const team = {
  name: "Riders",
  url: "https://riders.example/",
  image: "https://riders.example/logo.png",
  privacy_statement: "https://riders.example/privacy",
};
const long = (n: number, prefix = "") => prefix + "a".repeat(n - prefix.length);

describe("TeamInput (POST /api/v1/teams/, PUT /api/v1/admin/teams/{team_id})", () => {
  describe("accepts", () => {
    it.each<{ name: string; body: unknown; parsed: unknown }>([
      {
        name: "no description (defaults to empty)",
        body: team,
        parsed: { ...team, description: "" },
      },
      {
        name: "a description",
        body: { ...team, description: "Road cycling, U17" },
        parsed: { ...team, description: "Road cycling, U17" },
      },
      {
        name: "an empty description",
        body: { ...team, description: "" },
        parsed: { ...team, description: "" },
      },
      {
        name: "a 2000-character description",
        body: { ...team, description: long(2000) },
        parsed: { ...team, description: long(2000) },
      },
      {
        name: "a name with spaces around (trimmed)",
        body: { ...team, name: "  Riders  " },
        parsed: { ...team, description: "" },
      },
      {
        name: "a 200-character name",
        body: { ...team, name: long(200) },
        parsed: { ...team, name: long(200), description: "" },
      },
      {
        name: "http links, with port, query and fragment",
        body: { ...team, url: "http://riders.example:8080/a?b=c#d" },
        parsed: { ...team, url: "http://riders.example:8080/a?b=c#d", description: "" },
      },
      {
        name: "a 2048-character link",
        body: { ...team, image: long(2048, "https://riders.example/") },
        parsed: { ...team, image: long(2048, "https://riders.example/"), description: "" },
      },
      {
        name: "extra keys (dropped)",
        body: { ...team, id: "chosen", role: "owner", owner_id: "x" },
        parsed: { ...team, description: "" },
      },
    ])("$name", ({ body, parsed }) => {
      expect(parseInput(TeamInput, body)).toStrictEqual(parsed);
    });
  });

  describe("refuses", () => {
    const badUrl = (field: string, input: string): ExpectedIssue => ({
      type: "url_parsing",
      loc: [field],
      msg: "Input should be a valid URL, relative URL without a base",
      input,
    });
    const badScheme = (field: string, input: string): ExpectedIssue => ({
      type: "url_scheme",
      loc: [field],
      msg: "URL scheme should be 'http' or 'https'",
      input,
    });

    it.each<{ name: string; body: unknown; issues: ExpectedIssue[] }>([
      {
        name: "an empty object (every required field missing)",
        body: {},
        issues: [missing("name"), missing("url"), missing("image"), missing("privacy_statement")],
      },
      { name: "a missing name", body: { ...team, name: undefined }, issues: [missing("name")] },
      { name: "null", body: null, issues: [notAnObject(null)] },
      { name: "an array", body: [team], issues: [notAnObject([team])] },
      {
        name: "an empty name",
        body: { ...team, name: "" },
        issues: [
          {
            type: "string_too_short",
            loc: ["name"],
            msg: "String should have at least 1 character",
            input: "",
          },
        ],
      },
      // Input pinned down below: pydantic reports the value as sent.
      {
        name: "a whitespace-only name",
        body: { ...team, name: " \t " },
        issues: [
          {
            type: "string_too_short",
            loc: ["name"],
            msg: "String should have at least 1 character",
          },
        ],
      },
      {
        name: "a 201-character name",
        body: { ...team, name: long(201) },
        issues: [
          {
            type: "string_too_long",
            loc: ["name"],
            msg: "String should have at most 200 characters",
            input: long(201),
          },
        ],
      },
      {
        name: "a name that is not a string",
        body: { ...team, name: 42 },
        issues: [
          { type: "string_type", loc: ["name"], msg: "Input should be a valid string", input: 42 },
        ],
      },
      {
        name: "a 2001-character description",
        body: { ...team, description: long(2001) },
        issues: [
          {
            type: "string_too_long",
            loc: ["description"],
            msg: "String should have at most 2000 characters",
            input: long(2001),
          },
        ],
      },
      {
        name: "a null description",
        body: { ...team, description: null },
        issues: [
          {
            type: "string_type",
            loc: ["description"],
            msg: "Input should be a valid string",
            input: null,
          },
        ],
      },
      {
        name: "a relative url",
        body: { ...team, url: "/about" },
        issues: [badUrl("url", "/about")],
      },
      {
        name: "a url without a scheme",
        body: { ...team, url: "riders.example" },
        issues: [badUrl("url", "riders.example")],
      },
      { name: "an empty url", body: { ...team, url: "" }, issues: [badUrl("url", "")] },
      {
        name: "a javascript: url",
        body: { ...team, url: "javascript:alert(1)" },
        issues: [badScheme("url", "javascript:alert(1)")],
      },
      {
        name: "an ftp: image",
        body: { ...team, image: "ftp://riders.example/logo.png" },
        issues: [badScheme("image", "ftp://riders.example/logo.png")],
      },
      {
        name: "a data: image",
        body: { ...team, image: "data:image/png;base64,AAAA" },
        issues: [badScheme("image", "data:image/png;base64,AAAA")],
      },
      {
        name: "a file: privacy statement",
        body: { ...team, privacy_statement: "file:///etc/passwd" },
        issues: [badScheme("privacy_statement", "file:///etc/passwd")],
      },
      {
        name: "a link with credentials",
        body: { ...team, url: "https://coach:secret@riders.example/" },
        issues: [
          {
            type: "value_error",
            loc: ["url"],
            msg: "Value error, URL must not contain a username or password",
            input: "https://coach:secret@riders.example/",
          },
        ],
      },
      {
        name: "a link that escaping makes longer than 2048 characters",
        body: { ...team, url: long(2048, "https://riders.example/|") },
        issues: [
          {
            type: "url_too_long",
            loc: ["url"],
            msg: "URL should have at most 2048 characters",
            input: long(2048, "https://riders.example/|"),
          },
        ],
      },
      {
        name: "a 2049-character link",
        body: { ...team, url: long(2049, "https://riders.example/") },
        issues: [
          {
            type: "string_too_long",
            loc: ["url"],
            msg: "String should have at most 2048 characters",
            input: long(2049, "https://riders.example/"),
          },
        ],
      },
      {
        name: "a link that is not a string",
        body: { ...team, privacy_statement: null },
        issues: [
          {
            type: "string_type",
            loc: ["privacy_statement"],
            msg: "Input should be a valid string",
            input: null,
          },
        ],
      },
      {
        name: "several mistakes at once, in field order",
        body: { name: "", url: "/about", image: "ftp://x.example/i.png" },
        issues: [
          {
            type: "string_too_short",
            loc: ["name"],
            msg: "String should have at least 1 character",
            input: "",
          },
          badUrl("url", "/about"),
          badScheme("image", "ftp://x.example/i.png"),
          missing("privacy_statement"),
        ],
      },
    ])("$name", ({ body, issues }) => {
      expectIssues(TeamInput, body, issues);
    });
  });
});

describe("TeamPatch (PATCH /api/v1/teams/{team_id})", () => {
  it.each<{ name: string; body: unknown; parsed: unknown }>([
    { name: "nothing to change", body: {}, parsed: {} },
    { name: "a new name (trimmed)", body: { name: " Climbers " }, parsed: { name: "Climbers" } },
    { name: "clearing the description", body: { description: "" }, parsed: { description: "" } },
    {
      name: "a new link",
      body: { url: "https://climbers.example" },
      // Stored as the WHATWG serializer writes it (see link.ts).
      parsed: { url: "https://climbers.example/" },
    },
    { name: "extra keys (dropped)", body: { id: "other", role: "owner" }, parsed: {} },
  ])("accepts $name", ({ body, parsed }) => {
    expect(parseInput(TeamPatch, body)).toStrictEqual(parsed);
  });

  it.each<{ name: string; body: unknown; issues: ExpectedIssue[] }>([
    { name: "a string body", body: "Climbers", issues: [notAnObject("Climbers")] },
    {
      name: "a null name (a name cannot be removed)",
      body: { name: null },
      issues: [
        { type: "string_type", loc: ["name"], msg: "Input should be a valid string", input: null },
      ],
    },
    {
      name: "an empty name",
      body: { name: "" },
      issues: [
        {
          type: "string_too_short",
          loc: ["name"],
          msg: "String should have at least 1 character",
          input: "",
        },
      ],
    },
    {
      name: "a 2001-character description",
      body: { description: long(2001) },
      issues: [
        {
          type: "string_too_long",
          loc: ["description"],
          msg: "String should have at most 2000 characters",
          input: long(2001),
        },
      ],
    },
    {
      name: "a javascript: link",
      body: { image: "javascript:void(0)" },
      issues: [
        {
          type: "url_scheme",
          loc: ["image"],
          msg: "URL scheme should be 'http' or 'https'",
          input: "javascript:void(0)",
        },
      ],
    },
  ])("refuses $name", ({ body, issues }) => {
    expectIssues(TeamPatch, body, issues);
  });
});

describe("MemberInput (PUT .../members/{user_id})", () => {
  const ROLE_MSG = "Input should be 'owner' or 'member'";

  it.each(["owner", "member"])("accepts the role %s", (role) => {
    expect(parseInput(MemberInput, { role, user_id: "ignored" })).toStrictEqual({ role });
  });

  it.each<{ name: string; body: unknown; issues: ExpectedIssue[] }>([
    { name: "a missing role", body: {}, issues: [missing("role")] },
    {
      name: "an unknown role",
      body: { role: "admin" },
      issues: [{ type: "enum", loc: ["role"], msg: ROLE_MSG, input: "admin" }],
    },
    {
      name: "a role in another case",
      body: { role: "Owner" },
      issues: [{ type: "enum", loc: ["role"], msg: ROLE_MSG, input: "Owner" }],
    },
    {
      name: "a null role",
      body: { role: null },
      issues: [{ type: "enum", loc: ["role"], msg: ROLE_MSG, input: null }],
    },
    { name: "a null body", body: null, issues: [notAnObject(null)] },
  ])("refuses $name", ({ body, issues }) => {
    expectIssues(MemberInput, body, issues);
  });
});

describe("ManagedUserInput (POST /api/v1/users/)", () => {
  it.each<{ name: string; body: unknown; parsed: unknown }>([
    { name: "no names", body: {}, parsed: { first_name: null, last_name: null } },
    {
      name: "both names",
      body: { first_name: "Ada", last_name: "Lovelace" },
      parsed: { first_name: "Ada", last_name: "Lovelace" },
    },
    {
      name: "null names",
      body: { first_name: null, last_name: "L" },
      parsed: { first_name: null, last_name: "L" },
    },
    {
      name: "100-character names",
      body: { first_name: long(100) },
      parsed: { first_name: long(100), last_name: null },
    },
    // The manager is the caller; a body cannot pick another one, nor an id.
    {
      name: "a manager_id and an id (dropped)",
      body: { first_name: "Ada", manager_id: "someone-else", id: "chosen" },
      parsed: { first_name: "Ada", last_name: null },
    },
  ])("accepts $name", ({ body, parsed }) => {
    expect(parseInput(ManagedUserInput, body)).toStrictEqual(parsed);
  });

  it.each<{ name: string; body: unknown; issues: ExpectedIssue[] }>([
    { name: "a string body", body: "Ada", issues: [notAnObject("Ada")] },
    {
      name: "a 101-character first name",
      body: { first_name: long(101) },
      issues: [
        {
          type: "string_too_long",
          loc: ["first_name"],
          msg: "String should have at most 100 characters",
          input: long(101),
        },
      ],
    },
    {
      name: "a last name that is not a string",
      body: { last_name: 7 },
      issues: [
        {
          type: "string_type",
          loc: ["last_name"],
          msg: "Input should be a valid string",
          input: 7,
        },
      ],
    },
  ])("refuses $name", ({ body, issues }) => {
    expectIssues(ManagedUserInput, body, issues);
  });
});

describe("AdminUserInput (PUT /api/v1/admin/users/{user_id})", () => {
  it.each<{ name: string; body: unknown; parsed: unknown }>([
    {
      name: "nothing (a regular user without names)",
      body: {},
      parsed: { first_name: null, last_name: null, manager_id: null },
    },
    {
      name: "a manager",
      body: { first_name: "Ada", manager_id: "coach" },
      parsed: { first_name: "Ada", last_name: null, manager_id: "coach" },
    },
    {
      name: "a null manager",
      body: { manager_id: null },
      parsed: { first_name: null, last_name: null, manager_id: null },
    },
    {
      name: "a 255-character manager id",
      body: { manager_id: long(255) },
      parsed: { first_name: null, last_name: null, manager_id: long(255) },
    },
    {
      name: "an id in the body (dropped)",
      body: { id: "other" },
      parsed: { first_name: null, last_name: null, manager_id: null },
    },
  ])("accepts $name", ({ body, parsed }) => {
    expect(parseInput(AdminUserInput, body)).toStrictEqual(parsed);
  });

  it.each<{ name: string; body: unknown; issues: ExpectedIssue[] }>([
    { name: "an array body", body: [], issues: [notAnObject([])] },
    {
      name: "an empty manager id",
      body: { manager_id: "" },
      issues: [
        {
          type: "string_too_short",
          loc: ["manager_id"],
          msg: "String should have at least 1 character",
          input: "",
        },
      ],
    },
    {
      name: "a 256-character manager id",
      body: { manager_id: long(256) },
      issues: [
        {
          type: "string_too_long",
          loc: ["manager_id"],
          msg: "String should have at most 255 characters",
          input: long(256),
        },
      ],
    },
    {
      name: "a manager id that is not a string",
      body: { manager_id: 12 },
      issues: [
        {
          type: "string_type",
          loc: ["manager_id"],
          msg: "Input should be a valid string",
          input: 12,
        },
      ],
    },
    {
      name: "a 101-character last name and a numeric first name together",
      body: { first_name: 1, last_name: long(101) },
      issues: [
        {
          type: "string_type",
          loc: ["first_name"],
          msg: "Input should be a valid string",
          input: 1,
        },
        {
          type: "string_too_long",
          loc: ["last_name"],
          msg: "String should have at most 100 characters",
          input: long(101),
        },
      ],
    },
  ])("refuses $name", ({ body, issues }) => {
    expectIssues(AdminUserInput, body, issues);
  });
});

describe("ListTeamUsersQuery (GET /api/v1/teams/{team_id}/users?name=)", () => {
  it.each<{ name: string; query: unknown; parsed: unknown }>([
    { name: "no filter", query: {}, parsed: {} },
    { name: "a name filter", query: { name: "ann" }, parsed: { name: "ann" } },
    {
      name: "unknown parameters (ignored)",
      query: { name: "ann", page: "2" },
      parsed: { name: "ann" },
    },
  ])("accepts $name", ({ query, parsed }) => {
    expect(parseInput(ListTeamUsersQuery, query)).toStrictEqual(parsed);
  });

  it("refuses a 201-character filter", () => {
    expectIssues(ListTeamUsersQuery, { name: long(201) }, [
      {
        type: "string_too_long",
        loc: ["name"],
        msg: "String should have at most 200 characters",
        input: long(201),
      },
    ]);
  });
});

describe("AccessCheckInput", () => {
  it("accepts a user and a scope", () => {
    expect(parseInput(AccessCheckInput, { user_id: "athlete", scope: "data:read" })).toStrictEqual({
      user_id: "athlete",
      scope: "data:read",
    });
  });

  it("refuses an unknown scope", () => {
    expectIssues(AccessCheckInput, { user_id: "athlete", scope: "everything" }, [
      { type: "enum", loc: ["scope"], msg: SCOPE_ENUM_MSG, input: "everything" },
    ]);
  });
});

// pydantic v2 (and so FastAPI) reports, as a missing field's `input`, the object it is missing
// from, and a constrained string's original value even when it strips whitespace before checking.
describe("an issue's input is what the client sent", () => {
  it.each<{
    name: string;
    schema: z.ZodType;
    body: unknown;
    loc: (string | number)[];
    input: unknown;
  }>([
    {
      name: "scopes missing from an empty body",
      schema: AuthorizeTeamInput,
      body: {},
      loc: ["scopes"],
      input: {},
    },
    {
      name: "scopes missing from a body with other keys",
      schema: AuthorizeTeamInput,
      body: { user_id: "u" },
      loc: ["scopes"],
      input: { user_id: "u" },
    },
    {
      name: "a team's url missing",
      schema: TeamInput,
      body: { name: "Riders" },
      loc: ["url"],
      input: { name: "Riders" },
    },
    {
      name: "a member's role missing",
      schema: MemberInput,
      body: { rol: "owner" },
      loc: ["role"],
      input: { rol: "owner" },
    },
    {
      name: "a whitespace-only team name",
      schema: TeamInput,
      body: { ...team, name: " \t " },
      loc: ["name"],
      input: " \t ",
    },
  ])("$name", ({ schema, body, loc, input }) => {
    const issue = issuesOf(schema, body).find((i) => JSON.stringify(i.loc) === JSON.stringify(loc));
    expect(issue).toBeDefined();
    expect(issue?.input).toEqual(input);
  });
});

describe("parseInput", () => {
  it("returns a new value and leaves the caller's input untouched", () => {
    const body = {
      name: "  Riders  ",
      url: team.url,
      image: team.image,
      privacy_statement: team.privacy_statement,
    };
    const copy = structuredClone(body);
    const parsed = parseInput(TeamInput, body);
    expect(parsed).not.toBe(body);
    expect(body).toEqual(copy);
  });
});
