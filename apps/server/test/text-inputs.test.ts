import { randomBytes } from "node:crypto";
import { createAuthenticator } from "@teams/auth";
import { createTeams, type Database, type StoreKind } from "@teams/core";
import { delegated, seedWorld, teamBody } from "@teams/core/testing";
import { openPostgresStore } from "@teams/postgres";
import { openSqliteStore } from "@teams/sqlite";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { SECRET, type TestResponse, token } from "./harness.js";
import { noPostgres, TEST_URL } from "./support/postgres.js";

// DESIGN §4: every text input is well-formed UTF-16, has no NUL and keeps to its limit, else 422,
// alike on both stores and through REST and tRPC, and nothing is stored. (Issue 11, point 1: a
// page query with `limit` once skipped the NUL rule, 200 on SQLite and a 500 on PostgreSQL.)

interface App {
  db: Kysely<Database>;
  request(path: string, init?: RequestInit & { json?: unknown }): Promise<TestResponse>;
  close(): Promise<void>;
}

async function appOn(store: { db: Kysely<Database>; kind: StoreKind; ping(): Promise<void> }) {
  const teams = createTeams(store);
  await seedWorld(teams);
  // Two users authorized "club", so that its users list has a second page.
  await teams.authorizeTeam(delegated("ann", "coach"), "club", { scopes: ["data:read"] });
  await teams.authorizeTeam(delegated("ben", "coach"), "club", { scopes: ["data:read"] });
  const app = createApp({
    teams,
    authenticator: await createAuthenticator({ jwtSecret: SECRET, externalAzp: "actor" }),
    ping: store.ping,
  });
  return (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const { json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (json !== undefined) headers.set("content-type", "application/json");
    return app.request(path, {
      ...rest,
      headers,
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    }) as Promise<TestResponse>;
  };
}

const stores: { kind: string; skip: boolean; open(): Promise<App> }[] = [
  {
    kind: "SQLite",
    skip: false,
    async open() {
      const store = await openSqliteStore({ filename: ":memory:" });
      return { db: store.db, request: await appOn(store), close: store.close };
    },
  },
  {
    kind: "PostgreSQL",
    skip: noPostgres,
    async open() {
      const schema = `teams_text_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
      const store = await openPostgresStore({ url: TEST_URL, schema, max: 4 });
      return {
        db: store.db,
        request: await appOn(store),
        async close() {
          try {
            await store.db.schema.dropSchema(schema).ifExists().cascade().execute();
          } finally {
            await store.close();
          }
        },
      };
    },
  },
];

/** Every stored row of the tables a refused input could have written, in a comparable form. */
async function rows(db: Kysely<Database>): Promise<unknown> {
  const [users, teams, memberships] = await Promise.all([
    db.selectFrom("users").selectAll().orderBy("id").execute(),
    db.selectFrom("teams").selectAll().orderBy("id").execute(),
    db.selectFrom("memberships").selectAll().orderBy("team_id").orderBy("user_id").execute(),
  ]);
  return { users, teams, memberships };
}

const as = async (sub: string, scope?: string) => ({
  authorization: `Bearer ${await token({ sub, ...(scope ? { scope } : {}) })}`,
});
const LONE = "a\ud800b";
const NUL = "a\u0000b";
const WELL_FORMED_MSG = "Value error, text must be well-formed UTF-16 (no lone surrogates)";

describe.each(stores)("text inputs on $kind", ({ skip, open }) => {
  let app: App;
  let cursor: string;
  beforeAll(async () => {
    if (skip) return;
    app = await open();
    const first = await app.request("/api/v1/teams/club/users?limit=1", {
      headers: await as("coach"),
    });
    cursor = first.headers.get("x-next-cursor") ?? "";
    expect(cursor).toMatch(/^[\w-]+$/);
    // The administrator's first request stores its user (as any caller's does): done here, so
    // that the comparisons below see only what a refused input could have written.
    await app.request("/api/v1/teams/", { headers: await as("platform", "admin") });
  });
  afterAll(() => (skip ? undefined : app.close()));

  /** Sends the request, expects a 422 whose issues include `expected`, and that nothing changed. */
  async function refused(
    send: () => Promise<TestResponse>,
    expected: Record<string, unknown>,
    issuesOf: (body: { detail?: unknown; error?: { data?: { issues?: unknown } } }) => unknown,
  ): Promise<void> {
    const before = await rows(app.db);
    const res = await send();
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(422);
    expect(issuesOf(body)).toContainEqual(expect.objectContaining(expected));
    expect(await rows(app.db)).toEqual(before);
  }
  const rest = (send: () => Promise<TestResponse>, expected: Record<string, unknown>) =>
    refused(send, expected, (body) => body.detail);
  const trpc = (send: () => Promise<TestResponse>, expected: Record<string, unknown>) =>
    refused(send, expected, (body) => body.error?.data?.issues);
  const trpcQuery = async (path: string, input: unknown, headers: Record<string, string>) =>
    app.request(`/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers });
  const trpcMutation = async (path: string, input: unknown, headers: Record<string, string>) =>
    app.request(`/trpc/${path}`, { method: "POST", headers, json: input });

  describe.skipIf(skip)("the users page's name filter", () => {
    const nul = { type: "value_error", loc: ["query", "name"], input: "\u0000" };
    it.each([
      ["alone", "?name=%00"],
      ["with a limit", "?name=%00&limit=5"],
      ["with a limit and a cursor", "?name=%00&limit=5&cursor=CURSOR"],
    ])("refuses NUL %s (REST)", async (_, query) => {
      const path = `/api/v1/teams/club/users${query.replace("CURSOR", cursor)}`;
      await rest(async () => app.request(path, { headers: await as("coach") }), nul);
    });

    it("refuses an over-long name with a limit (REST)", async () => {
      const path = `/api/v1/teams/club/users?name=${"a".repeat(201)}&limit=5&cursor=${cursor}`;
      await rest(async () => app.request(path, { headers: await as("coach") }), {
        type: "string_too_long",
        loc: ["query", "name"],
      });
    });

    it.each([
      ["NUL", NUL, "Value error, text cannot contain NUL"],
      ["a lone surrogate", LONE, WELL_FORMED_MSG],
      ["a lone low surrogate at the end", "ab\udc00", WELL_FORMED_MSG],
    ])("refuses %s with a limit and a cursor (tRPC)", async (_, name, msg) => {
      await trpc(
        async () =>
          trpcQuery(
            "teams.usersPage",
            { team_id: "club", name, limit: 5, cursor },
            await as("coach"),
          ),
        { type: "value_error", loc: ["name"], msg, input: name },
      );
    });

    it("still answers a well-formed query", async () => {
      const res = await app.request(`/api/v1/teams/club/users?name=a&limit=5&cursor=${cursor}`, {
        headers: await as("coach"),
      });
      expect(res.status).toBe(200);
    });
  });

  describe.skipIf(skip)("team fields", () => {
    const bad = [
      ["a lone surrogate in the name", { name: LONE }, "name", WELL_FORMED_MSG],
      ["NUL in the name", { name: NUL }, "name", "Value error, text cannot contain NUL"],
      [
        "an over-long name",
        { name: "a".repeat(201) },
        "name",
        "String should have at most 200 characters",
      ],
      ["a lone surrogate in the description", { description: "\udfff" }, "description", null],
      ["a lone surrogate in the url", { url: `https://a.example/${LONE}` }, "url", null],
      ["a lone surrogate in the image", { image: `https://a.example/${LONE}` }, "image", null],
      [
        "a lone surrogate in the privacy statement",
        { privacy_statement: `https://a.example/\ud800` },
        "privacy_statement",
        null,
      ],
    ] as const;
    const issue = (field: string, msg: string | null) => ({
      type: msg?.startsWith("String") ? "string_too_long" : "value_error",
      msg: msg ?? WELL_FORMED_MSG,
      loc: ["body", field],
    });
    const body = (change: object) => ({ ...teamBody("Fresh"), ...change });

    it.each(bad)("refuses %s on create (REST and tRPC)", async (_, change, field, msg) => {
      const headers = await as("coach");
      await rest(
        async () => app.request("/api/v1/teams/", { method: "POST", headers, json: body(change) }),
        issue(field, msg),
      );
      await trpc(async () => trpcMutation("manage.createTeam", body(change), headers), {
        ...issue(field, msg),
        loc: [field],
      });
    });

    it.each(bad)("refuses %s on PATCH (REST and tRPC)", async (_, change, field, msg) => {
      const headers = await as("coach");
      await rest(
        async () => app.request("/api/v1/teams/club", { method: "PATCH", headers, json: change }),
        issue(field, msg),
      );
      await trpc(
        async () => trpcMutation("manage.updateTeam", { team_id: "club", ...change }, headers),
        { ...issue(field, msg), loc: [field] },
      );
    });

    it.each(bad)("refuses %s on the admin put (REST and tRPC)", async (_, change, field, msg) => {
      const headers = await as("platform", "admin");
      await rest(
        async () =>
          app.request("/api/v1/admin/teams/fresh", { method: "PUT", headers, json: body(change) }),
        issue(field, msg),
      );
      await trpc(
        async () => trpcMutation("admin.putTeam", { team_id: "fresh", ...body(change) }, headers),
        { ...issue(field, msg), loc: [field] },
      );
    });

    it("refuses an admin put of a team id that is not well-formed (tRPC)", async () => {
      await trpc(
        async () =>
          trpcMutation(
            "admin.putTeam",
            { team_id: LONE, ...body({}) },
            await as("platform", "admin"),
          ),
        { type: "value_error", loc: ["team_id"], input: LONE },
      );
    });
  });

  describe.skipIf(skip)("person fields", () => {
    const bad = [
      ["a lone surrogate in the first name", { first_name: LONE }, "first_name", WELL_FORMED_MSG],
      ["a lone surrogate in the last name", { last_name: "\udc00" }, "last_name", WELL_FORMED_MSG],
      [
        "NUL in the first name",
        { first_name: NUL },
        "first_name",
        "Value error, text cannot contain NUL",
      ],
      [
        "an over-long last name",
        { last_name: "a".repeat(101) },
        "last_name",
        "String should have at most 100 characters",
      ],
    ] as const;
    const issue = (field: string, msg: string) => ({ msg, loc: ["body", field] });

    it.each(bad)(
      "refuses %s on a managed user's create (REST and tRPC)",
      async (_, change, field, msg) => {
        const headers = await as("coach");
        await rest(
          async () => app.request("/api/v1/users/", { method: "POST", headers, json: change }),
          issue(field, msg),
        );
        await trpc(async () => trpcMutation("manage.createManagedUser", change, headers), {
          msg,
          loc: [field],
        });
      },
    );

    it.each(bad)(
      "refuses %s on a managed user's rename (REST and tRPC)",
      async (_, change, field, msg) => {
        const headers = await as("coach");
        await rest(
          async () => app.request("/api/v1/users/ann", { method: "PUT", headers, json: change }),
          issue(field, msg),
        );
        await trpc(
          async () =>
            trpcMutation("manage.updateManagedUser", { user_id: "ann", ...change }, headers),
          { msg, loc: [field] },
        );
      },
    );

    it.each([
      ...bad,
      [
        "a lone surrogate in the manager id",
        { manager_id: "coach\ud800" },
        "manager_id",
        WELL_FORMED_MSG,
      ],
    ] as const)("refuses %s on the admin put (REST and tRPC)", async (_, change, field, msg) => {
      const headers = await as("platform", "admin");
      await rest(
        async () =>
          app.request("/api/v1/admin/users/ann", { method: "PUT", headers, json: change }),
        issue(field, msg),
      );
      await trpc(
        async () => trpcMutation("admin.putUser", { user_id: "newcomer", ...change }, headers),
        { msg, loc: [field] },
      );
    });

    it("refuses an admin put of a user id that is not well-formed or has NUL", async () => {
      const headers = await as("platform", "admin");
      await rest(
        async () => app.request("/api/v1/admin/users/a%00b", { method: "PUT", headers, json: {} }),
        { type: "value_error", loc: ["path", "user_id"], input: NUL },
      );
      await trpc(async () => trpcMutation("admin.putUser", { user_id: LONE }, headers), {
        type: "value_error",
        loc: ["user_id"],
        input: LONE,
      });
    });
  });

  describe.skipIf(skip)("the access check", () => {
    it("refuses a user id that is not well-formed (tRPC)", async () => {
      await trpc(
        async () =>
          trpcQuery("manage.canAccess", { user_id: LONE, scope: "data:read" }, await as("coach")),
        { type: "value_error", loc: ["user_id"], msg: WELL_FORMED_MSG, input: LONE },
      );
    });
  });
});
