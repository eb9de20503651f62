import { principal } from "@teams/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { bearer, type Harness, harness } from "./harness.js";
import { noPostgres } from "./support/postgres.js";

// DESIGN §4: `/api/v1/users/...` as the reference's platform serves them, so that its SDK's
// `users.create/list/retrieve/update/delete` work against this server; on both stores.

const USER_RESPONSE_KEYS = [
  "admin",
  "display_name",
  "first_name",
  "id",
  "is_managed",
  "last_name",
  "registered_at",
];
const USER_SUMMARY_KEYS = ["display_name", "first_name", "id", "is_managed", "last_name", "scopes"];
const ALL = ["data:read", "data:write", "profile"];

type Listed = { id: string; scopes: string[] };

describe.each([
  ["SQLite", "sqlite", false],
  ["PostgreSQL", "postgres", noPostgres],
] as const)("users on %s", (_, store, skip) => {
  let h: Harness;
  afterEach(() => h?.close());

  /** The seeded world, plus: ann (managed by coach) and carl authorized "club". */
  async function world(): Promise<Harness> {
    h = await harness({ store });
    await h.teams.authorizeTeam(principal("ann", { azp: "coach" }), "club", {
      scopes: ["data:read"],
    });
    await h.teams.consentToTeam(principal("carl"), "club", { scopes: ["profile"] });
    return h;
  }
  const as = (sub: string, extra: Record<string, unknown> = {}) => bearer({ sub, ...extra });
  const list = async (sub: string, query = "") => {
    const res = await h.request(`/api/v1/users/${query}`, { headers: await as(sub) });
    expect(res.status).toBe(200);
    return (await res.json()) as Listed[];
  };

  it.skipIf(skip)(
    "creates a managed user from the SDK's JSON and answers its UserResponse",
    async () => {
      await world();
      const before = Date.now();
      const res = await h.request("/api/v1/users/", {
        method: "POST",
        headers: await as("coach"),
        json: { first_name: "Bob", last_name: null },
      });
      expect(res.status).toBe(201);
      const body = await res.json();
      expect(Object.keys(body).sort()).toEqual(USER_RESPONSE_KEYS);
      expect(body).toMatchObject({
        first_name: "Bob",
        last_name: null,
        admin: false,
        display_name: "Bob",
        is_managed: true,
      });
      const registered = Date.parse(body.registered_at);
      expect(body.registered_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      expect(registered).toBeGreaterThanOrEqual(before - 1000);
      expect(registered).toBeLessThanOrEqual(Date.now() + 1000);
      // What it answers later is the same user, registered at the same instant.
      const again = await h.request(`/api/v1/users/${body.id}`, { headers: await as("coach") });
      expect(await again.json()).toEqual(body);
    },
  );

  it.skipIf(skip)(
    "lists the caller, its managed users and who shared, with usable scopes",
    async () => {
      await world();
      const coach = await list("coach");
      expect(coach.map((u) => [u.id, u.scopes])).toEqual([
        ["ann", ALL], // managed (and shared): the manager's access wins
        ["ben", ALL],
        ["carl", ["profile"]],
        ["coach", ALL],
      ]);
      for (const u of coach) expect(Object.keys(u).sort()).toEqual(USER_SUMMARY_KEYS);
      // The SDK sends `False` flags as `false`.
      expect((await list("coach", "?include_managed=false")).map((u) => [u.id, u.scopes])).toEqual([
        ["ann", ["data:read"]],
        ["carl", ["profile"]],
        ["coach", ALL],
      ]);
      expect((await list("coach", "?include_shared=false")).map((u) => u.id)).toEqual([
        "ann",
        "ben",
        "coach",
      ]);
      expect(
        (await list("coach", "?include_managed=0&include_shared=no")).map((u) => u.id),
      ).toEqual(["coach"]);
      expect((await list("assistant")).map((u) => [u.id, u.scopes])).toEqual([
        ["assistant", ALL],
        ["ann", ["data:read"]],
        ["carl", ["profile"]],
      ]);
      expect((await list("rival")).map((u) => u.id)).toEqual(["rival"]);
    },
  );

  it.skipIf(skip)(
    "pages the list with Link and X-Next-Cursor, and refuses bad parameters",
    async () => {
      await world();
      const headers = await as("coach");
      const first = await h.request("/api/v1/users/?limit=3", { headers });
      expect((await first.json()).map((u: Listed) => u.id)).toEqual(["ann", "ben", "carl"]);
      const cursor = first.headers.get("x-next-cursor");
      expect(first.headers.get("link")).toBe(
        `</api/v1/users/?limit=3&cursor=${cursor}>; rel="next"`,
      );
      const second = await h.request(`/api/v1/users/?limit=3&cursor=${cursor}`, { headers });
      expect((await second.json()).map((u: Listed) => u.id)).toEqual(["coach"]);
      expect(second.headers.get("link")).toBeNull();
      expect(second.headers.get("x-next-cursor")).toBeNull();

      const bad = await h.request("/api/v1/users/?include_managed=maybe", { headers });
      expect(bad.status).toBe(422);
      expect((await bad.json()).detail[0]).toMatchObject({
        type: "bool_parsing",
        loc: ["query", "include_managed"],
      });
      for (const query of ["?limit=0", "?cursor=nope"]) {
        expect((await h.request(`/api/v1/users/${query}`, { headers })).status).toBe(422);
      }
    },
  );

  it.skipIf(skip)(
    "reads, renames (form or JSON) and deletes the caller's managed users",
    async () => {
      await world();
      const coach = await as("coach");
      const got = await h.request("/api/v1/users/ann", { headers: coach });
      expect(got.status).toBe(200);
      expect(await got.json()).toMatchObject({ id: "ann", first_name: "Ann", is_managed: true });

      // The SDK sends the names it was given as a form; the others stay.
      const form = await h.request("/api/v1/users/ann", {
        method: "PUT",
        headers: { ...coach, "content-type": "application/x-www-form-urlencoded" },
        body: "first_name=Annie",
      });
      expect(form.status).toBe(200);
      expect(await form.json()).toMatchObject({
        first_name: "Annie",
        last_name: "Athlete",
        display_name: "Annie Athlete",
      });
      const json = await h.request("/api/v1/users/ann", {
        method: "PUT",
        headers: coach,
        json: { last_name: "de Vries" },
      });
      expect(await json.json()).toMatchObject({ first_name: "Annie", last_name: "de Vries" });
      // The team's list shows the new name (its stored copies followed).
      const teamUsers = await h.request("/api/v1/teams/club/users", {
        headers: await as("assistant"),
      });
      expect(
        (await teamUsers.json()).map((u: { display_name: string }) => u.display_name),
      ).toContain("Annie de Vries");
      const invalid = await h.request("/api/v1/users/ann", {
        method: "PUT",
        headers: coach,
        json: { first_name: 7 },
      });
      expect(invalid.status).toBe(422);

      const deleted = await h.request("/api/v1/users/ann", { method: "DELETE", headers: coach });
      expect(deleted.status).toBe(204);
      expect((await h.request("/api/v1/users/ann", { headers: coach })).status).toBe(404);
      expect((await list("coach")).map((u) => u.id)).toEqual(["ben", "carl", "coach"]);
      expect((await list("assistant")).map((u) => u.id)).toEqual(["assistant", "carl"]);
      // Its authorization went with it, and the delegated token of the deleted user no longer works.
      const old = await h.request("/api/v1/teams/", { headers: await as("ann", { azp: "coach" }) });
      expect(old.status).toBe(401);
    },
  );

  it.skipIf(skip)(
    "answers the same 404 for everyone else's users and changes nothing",
    async () => {
      await world();
      const cases: [string, string][] = [
        ["rival", "ann"], // someone else's managed user
        ["coach", "coach"], // the caller itself
        ["coach", "carl"], // a regular user
        ["coach", "nobody"], // no such user
        ["ann", "ben"], // a managed user manages no one
      ];
      const bodies = new Set<string>();
      for (const [caller, target] of cases) {
        const headers = await as(caller);
        const path = `/api/v1/users/${target}`;
        for (const init of [
          { headers },
          { method: "PUT", headers, json: { first_name: "Mallory" } },
          { method: "DELETE", headers },
        ]) {
          const res = await h.request(path, init);
          expect(res.status, `${caller} ${init.method ?? "GET"} ${target}`).toBe(404);
          bodies.add(await res.text());
        }
      }
      expect([...bodies]).toEqual(['{"detail":"User not found"}']);
      expect((await list("coach")).map((u) => [u.id, u.scopes])).toEqual([
        ["ann", ALL],
        ["ben", ALL],
        ["carl", ["profile"]],
        ["coach", ALL],
      ]);
      const ann = await h.request("/api/v1/users/ann", { headers: await as("coach") });
      expect(await ann.json()).toMatchObject({ first_name: "Ann", last_name: "Athlete" });
    },
  );

  it.skipIf(skip)("refuses delegated tokens on every users endpoint", async () => {
    await world();
    const delegated = await as("ann", { azp: "coach" });
    for (const [method, path, json] of [
      ["GET", "/api/v1/users/", undefined],
      ["POST", "/api/v1/users/", { first_name: "Eve" }],
      ["GET", "/api/v1/users/ben", undefined],
      ["PUT", "/api/v1/users/ben", { first_name: "Eve" }],
      ["DELETE", "/api/v1/users/ben", undefined],
    ] as const) {
      const res = await h.request(path, { method, headers: delegated, json });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect((await list("coach")).map((u) => u.id)).toEqual(["ann", "ben", "carl", "coach"]);
  });
});
